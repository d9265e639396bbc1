#include "tools/tppctl/contracts_command.h"

#include <cstdio>
#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/util/json_util.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::ctl {

int RunContractsPut(const ClientOptions& options, const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "tppctl: cannot read %s\n", path.c_str());
    return 2;
  }
  auto stub = tpp::v1::MemberService::NewStub(Connect(options, options.target));
  std::string line;
  int64_t line_number = 0;
  size_t contracts = 0;
  size_t failed = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (absl::StripAsciiWhitespace(line).empty()) continue;
    if (++contracts > kContractsPerFileMax) {
      std::fprintf(stderr, "tppctl: %s: more than %zu contracts\n",
                   path.c_str(), kContractsPerFileMax);
      return 2;
    }
    if (line.size() > kContractLineBytesMax) {
      std::printf("line %lld: longer than %zu bytes\n",
                  static_cast<long long>(line_number), kContractLineBytesMax);
      ++failed;
      continue;
    }
    tpp::v1::Contract contract;
    const auto parsed =
        google::protobuf::util::JsonStringToMessage(line, &contract);
    if (!parsed.ok()) {
      std::printf("line %lld: not a tpp.v1.Contract: %s\n",
                  static_cast<long long>(line_number),
                  parsed.ToString().c_str());
      ++failed;
      continue;
    }
    auto ctx = NewContext(options);
    tpp::v1::UpsertContractResponse response;
    const grpc::Status status =
        stub->UpsertContract(ctx.get(), contract, &response);
    if (!status.ok()) {
      std::printf("line %lld: %s: %s\n", static_cast<long long>(line_number),
                  contract.contract_id().c_str(), Describe(status).c_str());
      ++failed;
      continue;
    }
    std::printf("line %lld: %s %s\n", static_cast<long long>(line_number),
                response.contract_id().c_str(),
                response.created() ? "created" : "replaced");
  }
  if (in.bad()) {
    std::fprintf(stderr, "tppctl: cannot read %s\n", path.c_str());
    return 2;
  }
  if (contracts == 0) {
    std::fprintf(stderr, "tppctl: %s holds no contract\n", path.c_str());
    return 2;
  }
  return failed == 0 ? 0 : 1;
}

}  // namespace tpp::ctl
