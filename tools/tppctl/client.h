// How tppctl reaches a node: mTLS channels from a TLS folder and an identity
// (the certificate chooses the role), and the printing of errors.
#ifndef TPP_TOOLS_TPPCTL_CLIENT_H_
#define TPP_TOOLS_TPPCTL_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>

#include "grpcpp/grpcpp.h"

namespace tpp::ctl {

struct ClientOptions {
  std::string target = "127.0.0.1:7443";  // external listener
  std::string admin = "127.0.0.1:7444";   // admin listener
  std::string tls_dir = "./var/tls";
  std::string identity = "operator/alice";  // <role>/<id>: files in tls_dir
  // The name the node's server certificate must hold (dev certificates:
  // localhost; a cell's comes from the cell map).
  std::string tls_server_name = "localhost";
  int timeout_ms = 10000;
};

// A channel to `address` presenting the identity's certificate. Exits with a
// clear message when the files are missing.
std::shared_ptr<grpc::Channel> Connect(const ClientOptions& options,
                                       const std::string& address);

// A context with the options' deadline; for an insurer identity, the
// x-tpp-insurer header the cells' edge router routes on.
std::unique_ptr<grpc::ClientContext> NewContext(const ClientOptions& options);

// "CODE: message (reason)" from a status and its ErrorInfo.
std::string Describe(const grpc::Status& status);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_CLIENT_H_
