#include "tools/bench/sample.h"

#include <algorithm>
#include <utility>

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

void FillBenchClaim(const tpp::v1::Beneficiary& beneficiary,
                    std::string invoice_number, std::string act_code,
                    const std::string& care_date, BenchClaimAmounts amounts,
                    tpp::v1::SubmitClaimRequest* request) {
  request->set_invoice_number(std::move(invoice_number));
  *request->mutable_beneficiary() = beneficiary;
  request->set_insurer_id(kBenchInsurerId);
  request->set_care_date(care_date);
  tpp::v1::ClaimLine* line = request->add_lines();
  line->set_act_code(std::move(act_code));
  line->set_category(tpp::v1::PHARMACY);
  line->set_quantity(1);
  line->set_fee_cents(amounts.fee_cents);
  line->set_base_cents(amounts.base_cents);
  line->set_amo_cents(amounts.amo_cents);
}

}  // namespace tpp::bench
