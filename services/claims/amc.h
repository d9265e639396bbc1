// The AMC share of one claim line: the one place where the complementary
// insurer's amount is computed (see DOMAIN.md, "How the AMC share is
// computed"). All amounts are in euro cents, the guarantee in basis points of
// the base (BR): 20000 bp = 200 % BR.
//
//   guarantee = round_half_up(rate_bp * base / 10000)
//   AMC       = max(0, min(fee - AMO, guarantee - AMO, ceiling remaining))
//   patient   = fee - AMO - AMC
//
// Thread-safety: pure functions; safe from any thread.
#ifndef TPP_SERVICES_CLAIMS_AMC_H_
#define TPP_SERVICES_CLAIMS_AMC_H_

#include <cstdint>
#include <optional>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/common/amounts.h"

namespace tpp {

// Largest fee, base or AMO amount of one line: 1 M€.
inline constexpr int64_t kFeeCentsMax = 100'000'000;

struct AmcLineInput {
  int64_t fee_cents = 0;   // what the provider charges
  int64_t base_cents = 0;  // BR, the social security base
  int64_t amo_cents = 0;   // what the statutory insurer pays
  int64_t rate_bp = 0;     // AMC guarantee, basis points of BR
  // What is left of the beneficiary's annual ceiling for the line's
  // category; nullopt when the guarantee has no ceiling.
  std::optional<int64_t> ceiling_remaining_cents;
};

struct AmcShare {
  int64_t amc_cents = 0;
  int64_t patient_cents = 0;
};

// OK, or INVALID_ARGUMENT naming the first bad field (also as a field
// violation, see services/common/errors.h): negative amounts, amounts above
// kFeeCentsMax, AMO above the fee, a rate above kRateBpMax, a negative
// ceiling.
absl::Status ValidateLine(const AmcLineInput& line);

// Validates `line`, then computes its AMC and patient shares. The result
// always satisfies amo + amc + patient == fee, amc >= 0, patient >= 0 and
// amc <= ceiling remaining; INTERNAL if it somehow would not.
absl::StatusOr<AmcShare> ComputeAmcShare(const AmcLineInput& line);

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_AMC_H_
