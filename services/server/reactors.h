// Reactors that finish a call at once with a status: for calls refused at
// the gate and for methods whose implementation has not landed yet.
#ifndef TPP_SERVICES_SERVER_REACTORS_H_
#define TPP_SERVICES_SERVER_REACTORS_H_

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "services/server/grpc_status.h"

namespace tpp {

inline grpc::ServerUnaryReactor* FinishUnary(grpc::CallbackServerContext* ctx,
                                             const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

template <class Response>
class FinishedWriter final : public grpc::ServerWriteReactor<Response> {
 public:
  explicit FinishedWriter(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

template <class Request>
class FinishedReader final : public grpc::ServerReadReactor<Request> {
 public:
  explicit FinishedReader(const absl::Status& status) {
    this->Finish(ToGrpcStatus(status));
  }
  void OnDone() override { delete this; }
};

// The status of a declared method whose implementation lands with `issue`.
inline absl::Status NotYetImplemented(const char* issue) {
  return absl::UnimplementedError(std::string("not implemented yet (issue ") +
                                  issue + ")");
}

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_REACTORS_H_
