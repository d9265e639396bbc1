#include "tools/tppctl/audit_command.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "google/protobuf/util/json_util.h"
#include "tpp/v1/audit.grpc.pb.h"

namespace tpp::ctl {
namespace {

void SetDeadline(const ClientOptions& options, grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(std::max<int64_t>(
                        options.timeout_ms, kAuditDeadlineMinMs)));
}

}  // namespace

int RunAuditVerify(const ClientOptions& options, const AuditVerify& verify) {
  auto stub = tpp::v1::AuditService::NewStub(Connect(options, options.admin));
  tpp::v1::VerifyChainRequest request;
  request.set_from(verify.from);
  request.set_to(verify.to);
  if (!verify.checkpoints_file.empty()) {
    std::ifstream in(verify.checkpoints_file, std::ios::binary);
    std::stringstream bytes;
    bytes << in.rdbuf();
    tpp::v1::ExportCheckpointsResponse kept;
    if (!in || !kept.ParseFromString(bytes.str())) {
      std::fprintf(stderr, "tppctl: cannot read the checkpoints file\n");
      return 2;
    }
    for (const auto& checkpoint : kept.checkpoints()) {
      *request.add_known_checkpoints() = checkpoint;
    }
  }
  grpc::ClientContext ctx;
  SetDeadline(options, &ctx);
  tpp::v1::VerifyChainResponse response;
  grpc::Status rpc = stub->VerifyChain(&ctx, request, &response);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
    return 2;
  }
  if (response.ok()) {
    std::printf("audit chain ok: %s; head %s\n", response.detail().c_str(),
                response.head_hash().c_str());
    return 0;
  }
  std::printf("audit chain broken at sequence %llu: %s\n",
              static_cast<unsigned long long>(response.first_broken_sequence()),
              response.detail().c_str());
  return 1;
}

int RunAuditCheckpoints(const ClientOptions& options, const std::string& out) {
  auto stub = tpp::v1::AuditService::NewStub(Connect(options, options.admin));
  tpp::v1::ExportCheckpointsResponse all;
  uint64_t from = 0;
  for (;;) {
    grpc::ClientContext ctx;
    SetDeadline(options, &ctx);
    tpp::v1::ExportCheckpointsRequest request;
    request.set_from(from);
    request.set_max(10000);
    tpp::v1::ExportCheckpointsResponse page;
    grpc::Status rpc = stub->ExportCheckpoints(&ctx, request, &page);
    if (!rpc.ok()) {
      std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
      return 2;
    }
    for (const auto& checkpoint : page.checkpoints()) {
      *all.add_checkpoints() = checkpoint;
    }
    all.set_head_sequence(page.head_sequence());
    if (!page.public_key().empty()) all.set_public_key(page.public_key());
    if (page.checkpoints_size() < 10000) break;
    from = page.checkpoints(page.checkpoints_size() - 1).sequence() + 1;
  }
  if (!out.empty()) {
    std::ofstream file(out, std::ios::binary | std::ios::trunc);
    if (!all.SerializeToOstream(&file) || !file.flush()) {
      std::fprintf(stderr, "tppctl: cannot write %s\n", out.c_str());
      return 2;
    }
  }
  std::printf("%d signed checkpoints, head sequence %llu, audit key %s\n",
              all.checkpoints_size(),
              static_cast<unsigned long long>(all.head_sequence()),
              all.public_key().c_str());
  return 0;
}

int RunBreachReport(const ClientOptions& options,
                    const BreachReportArgs& args) {
  auto stub = tpp::v1::AuditService::NewStub(Connect(options, options.admin));
  tpp::v1::BreachReportRequest request;
  request.set_credential(args.credential);
  request.set_provider_id(args.provider_id);
  request.set_from(args.from);
  request.set_to(args.to);
  grpc::ClientContext ctx;
  SetDeadline(options, &ctx);
  tpp::v1::BreachReportResponse response;
  grpc::Status rpc = stub->BreachReport(&ctx, request, &response);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", Describe(rpc).c_str());
    return 2;
  }
  if (args.format == "json") {
    std::string json;
    google::protobuf::util::JsonPrintOptions print;
    print.add_whitespace = true;
    print.preserve_proto_field_names = true;
    (void)google::protobuf::util::MessageToJsonString(response, &json, print);
    std::fwrite(json.data(), 1, json.size(), stdout);
    std::printf("\n");
  } else {
    std::fwrite(response.text().data(), 1, response.text().size(), stdout);
  }
  return 0;
}

}  // namespace tpp::ctl
