// Limits on amounts shared by contracts (members) and the AMC formula
// (claims). Money is int64 cents everywhere; rates are basis points of the
// social security base (BR).
#ifndef TPP_SERVICES_COMMON_AMOUNTS_H_
#define TPP_SERVICES_COMMON_AMOUNTS_H_

#include <cstdint>

namespace tpp {

inline constexpr int64_t kRateBpPerUnit = 10'000;  // 100 %
// Largest guarantee: 1000 % of the base.
inline constexpr int64_t kRateBpMax = 100'000;

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_AMOUNTS_H_
