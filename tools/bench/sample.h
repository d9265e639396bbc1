// The beneficiaries a look-up scenario asks about: the first members the
// `import` scenario loads with the same --seed (contract BENCH-2026,
// reference year 2026), at most kSampleMax of them.
#ifndef TPP_TOOLS_BENCH_SAMPLE_H_
#define TPP_TOOLS_BENCH_SAMPLE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/claims.pb.h"
#include "tpp/v1/common.pb.h"

namespace tpp::bench {

inline constexpr int64_t kSampleMax = 200000;
inline constexpr char kBenchContractId[] = "BENCH-2026";
inline constexpr char kBenchInsurerId[] = "100000001";

absl::StatusOr<std::vector<tpp::v1::Beneficiary>> SampleBeneficiaries(
    const BenchOptions& options);

// A one-line pharmacy claim of `beneficiary` (a bench insurer's member) on
// `care_date`, amounts in cents: what the claim scenarios submit.
struct BenchClaimAmounts {
  int64_t fee_cents;
  int64_t base_cents;
  int64_t amo_cents;
};
void FillBenchClaim(const tpp::v1::Beneficiary& beneficiary,
                    std::string invoice_number, std::string act_code,
                    const std::string& care_date, BenchClaimAmounts amounts,
                    tpp::v1::SubmitClaimRequest* request);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_SAMPLE_H_
