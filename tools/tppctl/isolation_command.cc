#include "tools/tppctl/isolation_command.h"

#include <cstdio>

#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp::ctl {
namespace {

std::unique_ptr<tpp::v1::IsolationService::Stub> Stub(
    const ClientOptions& options) {
  return tpp::v1::IsolationService::NewStub(Connect(options, options.admin));
}

int Refused(const grpc::Status& status) {
  std::fprintf(stderr, "tppctl: %s\n", Describe(status).c_str());
  return 1;
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ",") + id;
  return out;
}

void PrintProposal(const tpp::v1::ReopenProposal& p) {
  std::printf(
      "  proposal %s: %s %s -> %s%s%s by %s, approved by [%s], "
      "expires %s\n",
      p.proposal_id().c_str(),
      tpp::v1::ScopeKind_Name(p.scope().kind()).c_str(), p.scope().id().c_str(),
      tpp::v1::IsolationState_Name(p.target_state()).c_str(),
      p.allowlist().empty() ? "" : " allow ", Join(p.allowlist()).c_str(),
      p.proposed_by().c_str(), Join(p.approved_by()).c_str(),
      p.expires_at().c_str());
}

}  // namespace

absl::StatusOr<tpp::v1::Scope> ParseScope(const std::string& text) {
  tpp::v1::Scope scope;
  if (text == "platform") {
    scope.set_kind(tpp::v1::PLATFORM);
    return scope;
  }
  std::pair<std::string, std::string> parts =
      absl::StrSplit(text, absl::MaxSplits(':', 1));
  if (parts.first == "insurer") {
    scope.set_kind(tpp::v1::INSURER);
  } else if (parts.first == "provider") {
    scope.set_kind(tpp::v1::PROVIDER);
  } else if (parts.first == "credential") {
    scope.set_kind(tpp::v1::CREDENTIAL);
  } else {
    return absl::InvalidArgumentError(
        "--scope must be platform, insurer:ID, provider:ID or "
        "credential:SPIFFE-ID");
  }
  if (parts.second.empty()) {
    return absl::InvalidArgumentError("--scope needs an id after the colon");
  }
  scope.set_id(parts.second);
  return scope;
}

void PrintIsolation(const tpp::v1::IsolationStatus& status) {
  std::printf("isolation: generation %llu, keys %s, reopen quorum %d\n",
              static_cast<unsigned long long>(status.generation()),
              status.sealed() ? "SEALED" : "unsealed", status.quorum());
  if (status.sealed()) {
    std::printf("  unseal shares received: %d\n",
                status.unseal_shares_received());
  }
  std::printf("  %-11s %-24s %-10s %-24s %s\n", "SCOPE", "ID", "STATE", "SINCE",
              "REASON");
  for (const auto& s : status.scopes()) {
    std::printf("  %-11s %-24s %-10s %-24s %s%s%s\n",
                tpp::v1::ScopeKind_Name(s.scope().kind()).c_str(),
                s.scope().id().empty() ? "-" : s.scope().id().c_str(),
                tpp::v1::IsolationState_Name(s.state()).c_str(),
                s.changed_at().empty() ? "-" : s.changed_at().c_str(),
                s.reason().c_str(), s.allowlist().empty() ? "" : "; allow ",
                Join(s.allowlist()).c_str());
  }
  for (const auto& p : status.pending_proposals()) PrintProposal(p);
}

int RunIsolate(const ClientOptions& options, const std::string& scope_text,
               const std::string& reason, bool seal) {
  absl::StatusOr<tpp::v1::Scope> scope = ParseScope(scope_text);
  if (!scope.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", scope.status().message().data());
    return 2;
  }
  tpp::v1::IsolateRequest request;
  *request.mutable_scope() = *scope;
  request.set_reason(reason);
  request.set_seal(seal);
  tpp::v1::IsolationStatus status;
  auto ctx = NewContext(options);
  grpc::Status rpc = Stub(options)->Isolate(ctx.get(), request, &status);
  if (!rpc.ok()) return Refused(rpc);
  std::printf("isolated %s%s\n", scope_text.c_str(),
              seal ? "; keys sealed" : "");
  PrintIsolation(status);
  return 0;
}

int RunReopenPropose(const ClientOptions& options,
                     const std::string& scope_text, const std::string& to,
                     const std::string& allow, const std::string& reason) {
  absl::StatusOr<tpp::v1::Scope> scope = ParseScope(scope_text);
  if (!scope.ok()) {
    std::fprintf(stderr, "tppctl: %s\n", scope.status().message().data());
    return 2;
  }
  tpp::v1::ProposeReopenRequest request;
  *request.mutable_scope() = *scope;
  if (to == "reopening") {
    request.set_target_state(tpp::v1::REOPENING);
  } else if (to == "open") {
    request.set_target_state(tpp::v1::OPEN);
  } else {
    std::fprintf(stderr, "tppctl: --to must be reopening or open\n");
    return 2;
  }
  for (absl::string_view id : absl::StrSplit(allow, ',', absl::SkipEmpty())) {
    request.add_allowlist(std::string(absl::StripAsciiWhitespace(id)));
  }
  request.set_reason(reason);
  tpp::v1::ReopenProposal proposal;
  auto ctx = NewContext(options);
  grpc::Status rpc =
      Stub(options)->ProposeReopen(ctx.get(), request, &proposal);
  if (!rpc.ok()) return Refused(rpc);
  std::printf(
      "proposed %s: another operator runs `tppctl reopen approve "
      "--proposal %s`\n",
      proposal.proposal_id().c_str(), proposal.proposal_id().c_str());
  PrintProposal(proposal);
  return 0;
}

int RunReopenApprove(const ClientOptions& options,
                     const std::string& proposal_id) {
  tpp::v1::ApproveReopenRequest request;
  request.set_proposal_id(proposal_id);
  tpp::v1::ApproveReopenResponse response;
  auto ctx = NewContext(options);
  grpc::Status rpc =
      Stub(options)->ApproveReopen(ctx.get(), request, &response);
  if (!rpc.ok()) return Refused(rpc);
  std::printf("%s %s\n", response.applied() ? "applied" : "approved",
              proposal_id.c_str());
  PrintIsolation(response.status());
  return 0;
}

int RunIsolationStatus(const ClientOptions& options) {
  tpp::v1::IsolationStatus status;
  auto ctx = NewContext(options);
  grpc::Status rpc = Stub(options)->GetIsolation(ctx.get(), {}, &status);
  if (!rpc.ok()) return Refused(rpc);
  PrintIsolation(status);
  return 0;
}

}  // namespace tpp::ctl
