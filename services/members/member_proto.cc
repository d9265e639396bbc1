#include "services/members/member_proto.h"

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "services/common/validation.h"

namespace tpp {
absl::StatusOr<Category> CategoryFromProto(tpp::v1::Category category) {
  return CategoryFromNumber(static_cast<int>(category));
}

tpp::v1::Category CategoryToProto(Category category) {
  return static_cast<tpp::v1::Category>(static_cast<int>(category));
}

absl::StatusOr<Contract> ContractFromProto(const tpp::v1::Contract& proto) {
  Violations violations;
  Contract contract;
  if (!IsIdentifier(proto.contract_id(), kContractIdBytesMax)) {
    violations.Add("contract_id",
                   absl::StrCat("1 to ", kContractIdBytesMax,
                                " characters of [A-Za-z0-9._-]"));
  }
  contract.contract_id = proto.contract_id();
  if (proto.guarantees_size() > kGuaranteesMax) {
    violations.Add("guarantees",
                   absl::StrCat("at most ", kGuaranteesMax, " guarantees"));
  }
  std::set<Category> seen;
  for (int i = 0; i < proto.guarantees_size() && i < kGuaranteesMax; ++i) {
    const auto& g = proto.guarantees(i);
    std::string at = absl::StrCat("guarantees[", i, "].");
    absl::StatusOr<Category> category = CategoryFromProto(g.category());
    if (!category.ok()) {
      violations.Add(at + "category", "unknown category");
    } else if (!seen.insert(*category).second) {
      violations.Add(at + "category", "one guarantee per category");
    }
    if (g.rate_bp() < 0 || g.rate_bp() > kRateBpMax) {
      violations.Add(at + "rate_bp", absl::StrCat("must be 0..", kRateBpMax));
    }
    if (g.annual_ceiling_cents() < 0 ||
        g.annual_ceiling_cents() > kCeilingCentsMax) {
      violations.Add(at + "annual_ceiling_cents",
                     absl::StrCat("must be 0..", kCeilingCentsMax));
    }
    if (category.ok()) {
      contract.guarantees.push_back(
          {*category, g.rate_bp(), g.annual_ceiling_cents()});
    }
  }
  if (!violations.empty()) return violations.ToStatus("invalid contract");
  return contract;
}

std::optional<BeneficiaryKey> BeneficiaryFromProto(
    const tpp::v1::Beneficiary& proto, const std::string& prefix,
    Violations* violations) {
  BeneficiaryKey key;
  bool ok = true;
  absl::StatusOr<Nir> nir = Nir::Parse(proto.nir());
  if (!nir.ok()) {
    violations->Add(prefix + "nir", std::string(nir.status().message()));
    ok = false;
  } else {
    key.nir = *nir;
  }
  std::optional<Date> birth =
      DateField(proto.birth_date(), prefix + "birth_date", violations);
  if (birth) {
    key.birth_date = *birth;
  } else {
    ok = false;
  }
  if (proto.birth_rank() < 1 || proto.birth_rank() > kBirthRankMax) {
    violations->Add(prefix + "birth_rank",
                    absl::StrCat("must be 1..", kBirthRankMax));
    ok = false;
  }
  key.birth_rank = proto.birth_rank();
  if (!ok) return std::nullopt;
  return key;
}

absl::StatusOr<Member> MemberFromProto(const tpp::v1::MemberRecord& proto) {
  Violations violations;
  Member member;
  if (!IsIdentifier(proto.adherent_number(), kAdherentNumberBytesMax)) {
    violations.Add("adherent_number",
                   absl::StrCat("1 to ", kAdherentNumberBytesMax,
                                " characters of [A-Za-z0-9._-]"));
  }
  member.adherent_number = proto.adherent_number();
  tpp::v1::Beneficiary beneficiary;
  beneficiary.set_nir(proto.nir());
  beneficiary.set_birth_date(proto.birth_date());
  beneficiary.set_birth_rank(proto.birth_rank());
  std::optional<BeneficiaryKey> key =
      BeneficiaryFromProto(beneficiary, "", &violations);
  if (key) member.key = *key;
  for (auto [field, value] : {std::pair<const char*, const std::string*>{
                                  "last_name", &proto.last_name()},
                              {"first_name", &proto.first_name()}}) {
    if (value->empty() || value->size() > kNameBytesMax ||
        !IsPrintableUtf8(*value)) {
      violations.Add(field, absl::StrCat("1 to ", kNameBytesMax,
                                         " bytes of printable UTF-8"));
    }
  }
  member.last_name = proto.last_name();
  member.first_name = proto.first_name();
  if (proto.relationship() < tpp::v1::INSURED ||
      proto.relationship() > tpp::v1::OTHER) {
    violations.Add("relationship", "must be INSURED, SPOUSE, CHILD or OTHER");
  } else {
    member.relationship = static_cast<Relationship>(proto.relationship());
  }
  if (proto.marital_status() < tpp::v1::MARITAL_STATUS_UNSPECIFIED ||
      proto.marital_status() > tpp::v1::SEPARATED) {
    violations.Add("marital_status", "unknown marital status");
  } else {
    member.marital_status = static_cast<MaritalStatus>(proto.marital_status());
  }
  if (!IsIdentifier(proto.contract_id(), kContractIdBytesMax)) {
    violations.Add("contract_id", "must name a contract");
  }
  member.contract_id = proto.contract_id();
  std::optional<Date> from =
      DateField(proto.coverage_from(), "coverage_from", &violations);
  std::optional<Date> to =
      DateField(proto.coverage_to(), "coverage_to", &violations);
  if (from && to && *to < *from) {
    violations.Add("coverage_to", "must not be before coverage_from");
  }
  if (key && to && *to < key->birth_date) {
    violations.Add("coverage_to", "must not be before the birth date");
  }
  if (!violations.empty()) return violations.ToStatus("invalid member record");
  member.coverage_from = *from;
  member.coverage_to = *to;
  return member;
}

void MemberToProto(const Member& member, tpp::v1::MemberRecord* proto) {
  proto->set_adherent_number(member.adherent_number);
  proto->set_nir(member.key.nir.digits());
  proto->set_birth_date(member.key.birth_date.ToString());
  proto->set_birth_rank(member.key.birth_rank);
  proto->set_last_name(member.last_name);
  proto->set_first_name(member.first_name);
  proto->set_relationship(
      static_cast<tpp::v1::Relationship>(member.relationship));
  proto->set_marital_status(
      static_cast<tpp::v1::MaritalStatus>(member.marital_status));
  proto->set_contract_id(member.contract_id);
  proto->set_coverage_from(member.coverage_from.ToString());
  proto->set_coverage_to(member.coverage_to.ToString());
}

}  // namespace tpp
