#include "services/server/grpc_status.h"

#include <string>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

std::string DefaultReason(absl::StatusCode code) {
  std::string name = absl::StatusCodeToString(code);
  for (char& c : name) {
    if (c == ' ') c = '_';
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return name;
}

}  // namespace

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  google::rpc::Status details;
  details.set_code(static_cast<int>(status.code()));
  details.set_message(std::string(status.message()));

  google::rpc::ErrorInfo info;
  info.set_reason(ReasonOf(status).value_or(DefaultReason(status.code())));
  info.set_domain(kErrorDomain);
  details.add_details()->PackFrom(info);

  std::vector<FieldViolation> violations = ViolationsOf(status);
  if (!violations.empty()) {
    google::rpc::BadRequest bad_request;
    for (const FieldViolation& v : violations) {
      auto* out = bad_request.add_field_violations();
      out->set_field(v.field);
      out->set_description(v.description);
    }
    details.add_details()->PackFrom(bad_request);
  }
  if (auto delay = RetryDelayOf(status)) {
    google::rpc::RetryInfo retry;
    int64_t ms = absl::ToInt64Milliseconds(*delay);
    retry.mutable_retry_delay()->set_seconds(ms / 1000);
    retry.mutable_retry_delay()->set_nanos(static_cast<int32_t>(ms % 1000) *
                                           1000000);
    details.add_details()->PackFrom(retry);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()),
                      std::string(status.message()),
                      details.SerializeAsString());
}

}  // namespace tpp
