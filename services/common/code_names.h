// The canonical names of gRPC / absl status codes ("UNAVAILABLE"), by number:
// for logs, metrics labels and command-line output.
#ifndef TPP_SERVICES_COMMON_CODE_NAMES_H_
#define TPP_SERVICES_COMMON_CODE_NAMES_H_

#include "absl/strings/string_view.h"

namespace tpp {

inline constexpr int kStatusCodeCount = 17;

// "UNKNOWN" for a number outside 0..16.
inline absl::string_view StatusCodeName(int code) {
  static constexpr absl::string_view kNames[kStatusCodeCount] = {
      "OK",
      "CANCELLED",
      "UNKNOWN",
      "INVALID_ARGUMENT",
      "DEADLINE_EXCEEDED",
      "NOT_FOUND",
      "ALREADY_EXISTS",
      "PERMISSION_DENIED",
      "RESOURCE_EXHAUSTED",
      "FAILED_PRECONDITION",
      "ABORTED",
      "OUT_OF_RANGE",
      "UNIMPLEMENTED",
      "INTERNAL",
      "UNAVAILABLE",
      "DATA_LOSS",
      "UNAUTHENTICATED",
  };
  return code >= 0 && code < kStatusCodeCount ? kNames[code] : "UNKNOWN";
}

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_CODE_NAMES_H_
