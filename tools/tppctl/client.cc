#include "tools/tppctl/client.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "services/common/code_names.h"

namespace tpp::ctl {
namespace {

std::string ReadOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tppctl: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

}  // namespace

std::shared_ptr<grpc::Channel> Connect(const ClientOptions& options,
                                       const std::string& address) {
  std::string file = options.identity;
  std::replace(file.begin(), file.end(), '/', '-');
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadOrDie(options.tls_dir + "/ca.pem");
  tls.pem_cert_chain = ReadOrDie(options.tls_dir + "/" + file + ".pem");
  tls.pem_private_key = ReadOrDie(options.tls_dir + "/" + file + ".key");
  grpc::ChannelArguments args;
  // Dev certificates name localhost; production ones name the node.
  args.SetSslTargetNameOverride(options.tls_server_name);
  return grpc::CreateCustomChannel(address, grpc::SslCredentials(tls), args);
}

std::unique_ptr<grpc::ClientContext> NewContext(const ClientOptions& options) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(options.timeout_ms));
  // Behind a cells edge router, an insurer's calls go to its cell
  // (k8s/README.md); a node reached directly ignores the header.
  constexpr char kInsurerPrefix[] = "insurer/";
  if (options.identity.rfind(kInsurerPrefix, 0) == 0) {
    ctx->AddMetadata("x-tpp-insurer",
                     options.identity.substr(sizeof(kInsurerPrefix) - 1));
  }
  return ctx;
}

std::string Describe(const grpc::Status& status) {
  std::string out(StatusCodeName(static_cast<int>(status.error_code())));
  if (!status.error_message().empty()) out += ": " + status.error_message();
  google::rpc::Status details;
  if (!status.error_details().empty() &&
      details.ParseFromString(status.error_details())) {
    for (const auto& any : details.details()) {
      google::rpc::ErrorInfo info;
      if (any.UnpackTo(&info)) out += " (" + info.reason() + ")";
    }
  }
  return out;
}

}  // namespace tpp::ctl
