// Machine-readable error details carried inside absl::Status, so that domain
// cores stay free of gRPC and protobuf: a reason (becomes google.rpc.ErrorInfo
// with domain "tpp.v1"), field violations (google.rpc.BadRequest) and a retry
// delay (google.rpc.RetryInfo). services/server converts them at the boundary.
//
// Messages and details never hold personal data: name the field, not its
// value.
#ifndef TPP_SERVICES_COMMON_ERRORS_H_
#define TPP_SERVICES_COMMON_ERRORS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace tpp {

inline constexpr char kErrorDomain[] = "tpp.v1";

// Returns `status` with its ErrorInfo reason set (e.g. "PLATFORM_ISOLATED").
absl::Status WithReason(absl::Status status, absl::string_view reason);
std::optional<std::string> ReasonOf(const absl::Status& status);

// Returns `status` with a RetryInfo delay.
absl::Status WithRetryDelay(absl::Status status, absl::Duration delay);
std::optional<absl::Duration> RetryDelayOf(const absl::Status& status);

struct FieldViolation {
  std::string field;
  std::string description;
};

// Collects one violation per bad field of a request, then becomes a single
// INVALID_ARGUMENT status. Not thread-safe.
class Violations {
 public:
  void Add(absl::string_view field, absl::string_view description);
  bool empty() const { return violations_.empty(); }
  size_t size() const { return violations_.size(); }
  // OK when empty; otherwise INVALID_ARGUMENT, reason "INVALID_ARGUMENT".
  absl::Status ToStatus(absl::string_view message = "invalid request") const;

 private:
  std::vector<FieldViolation> violations_;
};

std::vector<FieldViolation> ViolationsOf(const absl::Status& status);

// INVALID_ARGUMENT with one field violation.
absl::Status InvalidField(absl::string_view field,
                          absl::string_view description);

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_ERRORS_H_
