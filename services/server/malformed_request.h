// A request that cannot be parsed is the client's mistake: INVALID_ARGUMENT
// with reason MALFORMED_REQUEST, not the UNIMPLEMENTED (and no message) that
// gRPC 1.51's callback API answers when it fails to deserialize the request
// of a unary or server-streaming method (server_callback_handlers.h) or gets
// none (a truncated message, an empty body). Found by tests/e2e/wire_test.cc.
//
// It runs as a server interceptor, first in the chain, so that the metrics
// and the log see the corrected status. Thread-safety: the factory is
// stateless; each interceptor belongs to one call.
#ifndef TPP_SERVICES_SERVER_MALFORMED_REQUEST_H_
#define TPP_SERVICES_SERVER_MALFORMED_REQUEST_H_

#include <memory>

#include "grpcpp/support/server_interceptor.h"

namespace tpp {

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
MalformedRequestInterceptorFactory();

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_MALFORMED_REQUEST_H_
