// MemberGenerator: realistic synthetic members for load tests and demos, as
// MemberCsvRows, family by family: the insured person, often a spouse, and
// children (sometimes twins). Dependants share the insured person's NIR and
// are told apart by birth date and birth rank, as in French tiers payant.
//
// Guarantees over one generator's output: every NIR is valid (key included;
// département sometimes 2A/2B, overseas 97x or foreign-born 99), its sex,
// birth year and month agree with the insured person's; every beneficiary
// key (nir, birth_date, birth_rank) is unique; adherent numbers are unique
// per family. The output depends only on the seed and the options, on every
// platform (no std::*_distribution).
//
// Thread-compatible: one thread at a time per generator.
#ifndef TPP_TOOLS_GEN_MEMBER_GENERATOR_H_
#define TPP_TOOLS_GEN_MEMBER_GENERATOR_H_

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "services/members/member_csv.h"

namespace tpp {

inline constexpr size_t kInsurerPrefixDigitsMax = 8;
inline constexpr size_t kContractIdsMax = 1000;
inline constexpr int kReferenceYearMin = 1990;
inline constexpr int kReferenceYearMax = 2190;

struct MemberGeneratorOptions {
  // Digits starting every adherent number; a 10-digit family sequence
  // number follows.
  std::string insurer_prefix = "1";
  // Each family gets one of these contracts.
  std::vector<std::string> contract_ids = {"STANDARD"};
  // Ages are computed on January 1st of this year; coverage runs through it.
  int reference_year = 2025;
};

// OK, or INVALID_ARGUMENT naming the bad option.
absl::Status ValidateMemberGeneratorOptions(
    const MemberGeneratorOptions& options);

class MemberGenerator {
 public:
  using Options = MemberGeneratorOptions;

  // REQUIRES: ValidateMemberGeneratorOptions(options).ok().
  MemberGenerator(uint64_t seed, Options options);

  // The next beneficiary; a family's rows come out together, insured first.
  MemberCsvRow Next();

  // Families started so far.
  uint64_t families() const { return families_; }

 private:
  int64_t Uniform(int64_t lo, int64_t hi);  // inclusive
  bool Percent(int p) { return Uniform(0, 99) < p; }
  template <typename Container>
  const auto& Pick(const Container& items) {
    const int64_t last = static_cast<int64_t>(std::size(items)) - 1;
    return items[static_cast<size_t>(Uniform(0, last))];
  }
  std::string NewNir(bool male, int64_t birth_days);
  void NextFamily();

  std::mt19937_64 rng_;
  Options options_;
  uint64_t families_ = 0;
  std::vector<MemberCsvRow> family_;
  size_t next_in_family_ = 0;
  // Insured NIRs issued, as integers (Corsica told apart), to never reuse one.
  absl::flat_hash_set<uint64_t> nirs_;
};

}  // namespace tpp

#endif  // TPP_TOOLS_GEN_MEMBER_GENERATOR_H_
