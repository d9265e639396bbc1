#include "tools/bench/sample.h"

#include <algorithm>

#include "services/members/member_record_csv.h"
#include "tools/gen/member_generator.h"

namespace tpp::bench {

absl::StatusOr<std::vector<tpp::v1::Beneficiary>> SampleBeneficiaries(
    const BenchOptions& options) {
  MemberGeneratorOptions generator_options;
  generator_options.contract_ids = {kBenchContractId};
  generator_options.reference_year = 2026;
  MemberGenerator generator(options.seed, generator_options);
  const int64_t sample = std::min(options.members, kSampleMax);
  std::vector<tpp::v1::Beneficiary> beneficiaries;
  beneficiaries.reserve(static_cast<size_t>(sample));
  for (int64_t i = 0; i < sample; ++i) {
    absl::StatusOr<tpp::v1::MemberRecord> record =
        MemberRecordFromCsv(generator.Next());
    if (!record.ok()) return record.status();
    tpp::v1::Beneficiary beneficiary;
    beneficiary.set_nir(record->nir());
    beneficiary.set_birth_date(record->birth_date());
    beneficiary.set_birth_rank(record->birth_rank());
    beneficiaries.push_back(std::move(beneficiary));
  }
  return beneficiaries;
}

}  // namespace tpp::bench
