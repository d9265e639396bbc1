#include "tools/gen/member_generator.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/date.h"
#include "services/common/nir.h"

namespace tpp {
namespace {

constexpr int kAdherentSequenceDigits = 10;
constexpr int64_t kDaysPerYear = 365;
constexpr int kInsuredAgeMinYears = 18;
constexpr int kInsuredAgeMaxYears = 85;
constexpr int kSpouseAgeGapYearsMax = 8;
constexpr int kParentAgeAtBirthMinYears = 18;
constexpr int kParentAgeAtBirthMaxYears = 45;
// Children stay on their parents' contract until this age.
constexpr int kDependantAgeMaxYears = 25;
constexpr int64_t kBirthGapDaysMin = 300;
constexpr int64_t kBirthGapDaysMax = 2000;

constexpr const char* kMaleFirstNames[] = {
    "Jean",    "Pierre",   "Michel",    "Philippe", "Alain",
    "Nicolas", "François", "Stéphane",  "Jérôme",   "Hervé",
    "Benoît",  "Loïc",     "Raphaël",   "Gaël",     "Noël",
    "Joël",    "Aurélien", "Mathéo",    "Léo",      "Hugo",
    "Lucas",   "Louis",    "Gabriel",   "Arthur",   "Jules",
    "Adam",    "Mohamed",  "Yanis",     "Thomas",   "Jean-Baptiste",
    "Paul",    "Ange",     "Dominique", "Théo",     "Éric",
    "Maël",
};
constexpr const char* kFemaleFirstNames[] = {
    "Marie",       "Nathalie", "Isabelle",  "Sylvie",   "Catherine",
    "Françoise",   "Hélène",   "Cécile",    "Béatrice", "Geneviève",
    "Josiane",     "Valérie",  "Chloé",     "Zoé",      "Léa",
    "Léna",        "Anaïs",    "Maëlle",    "Noémie",   "Inès",
    "Emma",        "Jade",     "Louise",    "Alice",    "Camille",
    "Sarah",       "Fatima",   "Manon",     "Élodie",   "Marie-Claire",
    "Anne-Sophie", "Laëtitia", "Dominique", "Agnès",    "Mélanie",
    "Océane",
};
constexpr const char* kLastNames[] = {
    "Martin",   "Bernard",  "Dubois",  "Thomas",     "Robert",   "Richard",
    "Petit",    "Durand",   "Leroy",   "Moreau",     "Simon",    "Laurent",
    "Lefèvre",  "Michel",   "Garcia",  "David",      "Bertrand", "Roux",
    "Vincent",  "Fournier", "Morel",   "Girard",     "André",    "Mercier",
    "Dupont",   "Lambert",  "Bonnet",  "François",   "Martinez", "Legrand",
    "Le Gall",  "Le Goff",  "N'Diaye", "D'Almeida",  "Nguyen",   "Benali",
    "Da Silva", "Ferreira", "Santini", "Colonna",    "Pietri",   "Muller",
    "Schmitt",  "Hoarau",   "Payet",   "Jean-Louis", "Gauthier", "Chevalier",
};
constexpr const char* kSingleStatuses[] = {"single", "divorced", "widowed"};
// Overseas départements: the NIR holds 97 then this digit then the commune.
constexpr int kOverseasDigits[] = {1, 2, 3, 4, 6};

// Fixed-width decimal, e.g. Digits(7, 3) == "007". REQUIRES: value >= 0.
std::string Digits(int64_t value, int width) {
  std::string out(static_cast<size_t>(width), '0');
  for (int i = width - 1; i >= 0 && value > 0; --i, value /= 10) {
    out[static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  }
  return out;
}

int64_t DaysOf(int year, int month, int day) {
  absl::StatusOr<Date> date = Date::FromYmd(year, month, day);
  return date.ok() ? date->DaysSinceEpoch() : 0;
}

std::string DateString(int64_t days) {
  absl::StatusOr<Date> date = Date::FromDays(days);
  return date.ok() ? date->ToString() : std::string();
}

}  // namespace

absl::Status ValidateMemberGeneratorOptions(
    const MemberGeneratorOptions& options) {
  const std::string& prefix = options.insurer_prefix;
  if (prefix.size() > kInsurerPrefixDigitsMax ||
      !std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return absl::ascii_isdigit(static_cast<unsigned char>(c));
      })) {
    return absl::InvalidArgumentError(absl::StrCat(
        "insurer_prefix must be at most ", kInsurerPrefixDigitsMax, " digits"));
  }
  if (options.contract_ids.empty() ||
      options.contract_ids.size() > kContractIdsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("contract_ids must hold 1..", kContractIdsMax, " ids"));
  }
  for (const std::string& id : options.contract_ids) {
    if (id.empty() || id.size() > kCsvFieldBytesMax) {
      return absl::InvalidArgumentError(absl::StrCat(
          "contract_ids must be 1..", kCsvFieldBytesMax, " bytes each"));
    }
  }
  if (options.reference_year < kReferenceYearMin ||
      options.reference_year > kReferenceYearMax) {
    return absl::InvalidArgumentError(absl::StrCat("reference_year must be in ",
                                                   kReferenceYearMin, "..",
                                                   kReferenceYearMax));
  }
  return absl::OkStatus();
}

MemberGenerator::MemberGenerator(uint64_t seed, Options options)
    : rng_(seed), options_(std::move(options)) {
  if (options_.contract_ids.empty()) options_.contract_ids.push_back("");
}

int64_t MemberGenerator::Uniform(int64_t lo, int64_t hi) {
  // Spans here are small: the modulo bias is negligible (< 2^-40).
  const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
  return lo + static_cast<int64_t>(rng_() % span);
}

std::string MemberGenerator::NewNir(bool male, int64_t birth_days) {
  const Date birth = *Date::FromDays(birth_days);
  const std::string head =
      absl::StrCat(male ? "1" : "2", Digits(birth.Year() % 100, 2),
                   Digits(birth.Month(), 2));
  while (true) {
    // Where the person was born: département (2 characters) then commune.
    std::string place;
    int corsica = 0;
    const int64_t where = Uniform(0, 99);
    if (where < 4) {
      corsica = Percent(50) ? 1 : 2;
      place =
          absl::StrCat(corsica == 1 ? "2A" : "2B", Digits(Uniform(1, 366), 3));
    } else if (where < 8) {
      place =
          absl::StrCat("97", Pick(kOverseasDigits), Digits(Uniform(1, 34), 2));
    } else if (where < 14) {
      place = absl::StrCat("99", Digits(Uniform(100, 499), 3));  // country
    } else {
      int64_t department = Uniform(1, 94);
      if (department >= 20) ++department;  // 20 is Corsica: 2A/2B above
      place = absl::StrCat(Digits(department, 2), Digits(Uniform(1, 700), 3));
    }
    std::string number = absl::StrCat(head, place, Digits(Uniform(1, 999), 3));
    uint64_t id = 0;
    for (char c : number) {
      id = id * 10 + (absl::ascii_isdigit(static_cast<unsigned char>(c))
                          ? static_cast<uint64_t>(c - '0')
                          : 0);
    }
    if (!nirs_.insert(id * 3 + static_cast<uint64_t>(corsica)).second) {
      continue;  // already issued: draw another birthplace and order
    }
    return number + Nir::ComputeKey(number);
  }
}

void MemberGenerator::NextFamily() {
  ++families_;
  family_.clear();
  next_in_family_ = 0;
  const int year = options_.reference_year;
  const int64_t reference_days = DaysOf(year, 1, 1);

  MemberCsvRow base;
  base.adherent_number = absl::StrCat(
      options_.insurer_prefix,
      Digits(static_cast<int64_t>(families_), kAdherentSequenceDigits));
  base.contract_id = Pick(options_.contract_ids);
  const int64_t coverage_from_days =
      Percent(70) ? DaysOf(year - static_cast<int>(Uniform(0, 5)), 1, 1)
                  : DaysOf(year - static_cast<int>(Uniform(1, 5)),
                           static_cast<int>(Uniform(1, 12)), 1);
  base.coverage_to = DateString(DaysOf(year + (Percent(80) ? 0 : 1), 12, 31));
  base.birth_rank = 1;

  // The insured person.
  const bool insured_male = Percent(50);
  const int64_t insured_days =
      reference_days - Uniform(kInsuredAgeMinYears * kDaysPerYear,
                               kInsuredAgeMaxYears * kDaysPerYear);
  const std::string family_name = Pick(kLastNames);
  const bool has_spouse = Percent(55);
  const char* couple_status = Percent(70) ? "married" : "pacs";

  MemberCsvRow insured = base;
  insured.nir = NewNir(insured_male, insured_days);
  base.nir = insured.nir;
  insured.birth_date = DateString(insured_days);
  insured.last_name = family_name;
  insured.first_name =
      insured_male ? Pick(kMaleFirstNames) : Pick(kFemaleFirstNames);
  insured.relationship = "insured";
  insured.marital_status = has_spouse ? couple_status : Pick(kSingleStatuses);
  insured.coverage_from = DateString(coverage_from_days);
  family_.push_back(std::move(insured));

  if (has_spouse) {
    const bool spouse_male = Percent(90) ? !insured_male : insured_male;
    int64_t spouse_days =
        insured_days + Uniform(-kSpouseAgeGapYearsMax * kDaysPerYear,
                               kSpouseAgeGapYearsMax * kDaysPerYear);
    spouse_days = std::min(spouse_days,
                           reference_days - kInsuredAgeMinYears * kDaysPerYear);
    if (spouse_days == insured_days) --spouse_days;  // unique (nir, date, 1)
    MemberCsvRow spouse = base;
    spouse.birth_date = DateString(spouse_days);
    spouse.last_name =
        Percent(65) ? family_name : std::string(Pick(kLastNames));
    spouse.first_name =
        spouse_male ? Pick(kMaleFirstNames) : Pick(kFemaleFirstNames);
    spouse.relationship = "spouse";
    spouse.marital_status = couple_status;
    spouse.coverage_from = DateString(coverage_from_days);
    family_.push_back(std::move(spouse));
  }

  // Children, born one after the other; sometimes twins.
  static constexpr int kChildrenPercentCumulative[] = {40, 60, 85, 95, 100};
  const int64_t draw = Uniform(0, 99);
  int children = 0;
  while (draw >= kChildrenPercentCumulative[children]) ++children;
  const int64_t first_days =
      std::max(insured_days + kParentAgeAtBirthMinYears * kDaysPerYear,
               reference_days - kDependantAgeMaxYears * kDaysPerYear);
  const int64_t last_days =
      std::min(insured_days + kParentAgeAtBirthMaxYears * kDaysPerYear,
               reference_days - 1);
  int64_t birth_days =
      first_days +
      Uniform(0, std::max<int64_t>(0, (last_days - first_days) / 2));
  for (int born = 0; born < children && birth_days <= last_days;) {
    const int rank_count = Percent(6) ? 2 : 1;
    for (int rank = 1; rank <= rank_count; ++rank) {  // twins may add one
      const bool male = Percent(51);
      MemberCsvRow child = base;
      child.birth_date = DateString(birth_days);
      child.birth_rank = rank;
      child.last_name = family_name;
      child.first_name = male ? Pick(kMaleFirstNames) : Pick(kFemaleFirstNames);
      child.relationship = "child";
      child.marital_status = "single";
      child.coverage_from =
          DateString(std::max(coverage_from_days, birth_days));
      family_.push_back(std::move(child));
      ++born;
    }
    birth_days += Uniform(kBirthGapDaysMin, kBirthGapDaysMax);
  }
}

MemberCsvRow MemberGenerator::Next() {
  if (next_in_family_ >= family_.size()) NextFamily();
  return std::move(family_[next_in_family_++]);
}

}  // namespace tpp
