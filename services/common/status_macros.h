// Early-return helpers for absl::Status (abseil 20220623 has none public).
#ifndef TPP_SERVICES_COMMON_STATUS_MACROS_H_
#define TPP_SERVICES_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TPP_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::absl::Status tpp_status_ = (expr);       \
    if (!tpp_status_.ok()) return tpp_status_; \
  } while (0)

#define TPP_STATUS_CONCAT_INNER(a, b) a##b
#define TPP_STATUS_CONCAT(a, b) TPP_STATUS_CONCAT_INNER(a, b)

// TPP_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());
#define TPP_ASSIGN_OR_RETURN(lhs, expr)                                      \
  TPP_ASSIGN_OR_RETURN_IMPL(TPP_STATUS_CONCAT(tpp_statusor_, __LINE__), lhs, \
                            expr)
#define TPP_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()

#endif  // TPP_SERVICES_COMMON_STATUS_MACROS_H_
