// Test support: the google.rpc details of a gRPC error.
#ifndef TPP_TESTS_SUPPORT_RPC_DETAILS_H_
#define TPP_TESTS_SUPPORT_RPC_DETAILS_H_

#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"

namespace tpp::testing {

// ErrorInfo's reason; empty when none.
std::string ErrorReason(const grpc::Status& status);
// BadRequest's field violations, in order.
std::vector<std::string> ViolatedFields(const grpc::Status& status);

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_RPC_DETAILS_H_
