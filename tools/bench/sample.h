// The beneficiaries a look-up scenario asks about: the first members the
// `import` scenario loads with the same --seed (contract BENCH-2026,
// reference year 2026), at most kSampleMax of them.
#ifndef TPP_TOOLS_BENCH_SAMPLE_H_
#define TPP_TOOLS_BENCH_SAMPLE_H_

#include <cstdint>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/scenario.h"
#include "tpp/v1/common.pb.h"

namespace tpp::bench {

inline constexpr int64_t kSampleMax = 200000;
inline constexpr char kBenchContractId[] = "BENCH-2026";
inline constexpr char kBenchInsurerId[] = "100000001";

absl::StatusOr<std::vector<tpp::v1::Beneficiary>> SampleBeneficiaries(
    const BenchOptions& options);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_SAMPLE_H_
