// Early-return and invariant helpers private to storage/crypto (abseil
// 20220623 has no public ones; a local copy keeps tpp_crypto free of other
// tpp libraries).
#ifndef TPP_STORAGE_CRYPTO_MACROS_H_
#define TPP_STORAGE_CRYPTO_MACROS_H_

#include <cstdio>
#include <cstdlib>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define TPP_CRYPTO_RETURN_IF_ERROR(expr)        \
  do {                                          \
    ::absl::Status tpp_crypto_status_ = (expr); \
    if (!tpp_crypto_status_.ok()) {             \
      return tpp_crypto_status_;                \
    }                                           \
  } while (0)

#define TPP_CRYPTO_CONCAT_INNER(a, b) a##b
#define TPP_CRYPTO_CONCAT(a, b) TPP_CRYPTO_CONCAT_INNER(a, b)

// TPP_CRYPTO_ASSIGN_OR_RETURN(auto x, FunctionReturningStatusOr());
#define TPP_CRYPTO_ASSIGN_OR_RETURN(lhs, expr) \
  TPP_CRYPTO_ASSIGN_OR_RETURN_IMPL(            \
      TPP_CRYPTO_CONCAT(tpp_crypto_statusor_, __LINE__), lhs, expr)
#define TPP_CRYPTO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                     \
  if (!tmp.ok()) return tmp.status();                    \
  lhs = std::move(tmp).value()

// Aborts on a broken invariant of this library. Bad input is never a CHECK:
// it is a Status. The message names the condition, never a value.
#define TPP_CRYPTO_CHECK(cond)                                              \
  do {                                                                      \
    if (!(cond)) {                                                          \
      std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, \
                   #cond);                                                  \
      std::abort();                                                         \
    }                                                                       \
  } while (0)

#endif  // TPP_STORAGE_CRYPTO_MACROS_H_
