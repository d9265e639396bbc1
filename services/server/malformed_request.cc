#include "services/server/malformed_request.h"

#include "absl/status/status.h"
#include "services/common/errors.h"
#include "services/server/grpc_status.h"

namespace tpp {
namespace {

using grpc::experimental::InterceptionHookPoints;

class MalformedRequestInterceptor final
    : public grpc::experimental::Interceptor {
 public:
  explicit MalformedRequestInterceptor(bool expects_one_request)
      : expects_one_request_(expects_one_request) {}

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    // A request gRPC could not deserialize (or never got) reaches this hook
    // as a null message.
    if (methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::POST_RECV_MESSAGE) &&
        methods->GetRecvMessage() != nullptr) {
      request_parsed_ = true;
    }
    if (expects_one_request_ && !request_parsed_ &&
        methods->QueryInterceptionHookPoint(
            InterceptionHookPoints::PRE_SEND_STATUS) &&
        methods->GetSendStatus().error_code() ==
            grpc::StatusCode::UNIMPLEMENTED) {
      methods->ModifySendStatus(ToGrpcStatus(WithReason(
          absl::InvalidArgumentError("the request is not a valid message"),
          "MALFORMED_REQUEST")));
    }
    methods->Proceed();
  }

 private:
  const bool expects_one_request_;
  bool request_parsed_ = false;
};

class MalformedRequestFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    using Type = grpc::experimental::ServerRpcInfo::Type;
    // Unknown methods reach the server as generic bidi calls: their
    // UNIMPLEMENTED stays.
    return new MalformedRequestInterceptor(
        info->type() == Type::UNARY || info->type() == Type::SERVER_STREAMING);
  }
};

}  // namespace

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MalformedRequestInterceptorFactory() {
  return std::make_unique<MalformedRequestFactory>();
}

}  // namespace tpp
