// The one place where absl::Status becomes grpc::Status: the code, a message
// without personal data, and google.rpc.Status details (ErrorInfo with
// domain "tpp.v1", BadRequest, RetryInfo) in grpc-status-details-bin.
#ifndef TPP_SERVICES_SERVER_GRPC_STATUS_H_
#define TPP_SERVICES_SERVER_GRPC_STATUS_H_

#include "absl/status/status.h"
#include "grpcpp/support/status.h"

namespace tpp {

grpc::Status ToGrpcStatus(const absl::Status& status);

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_GRPC_STATUS_H_
