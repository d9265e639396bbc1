#include "services/isolation/isolation_service.h"

#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "services/audit/audited.h"
#include "services/common/errors.h"
#include "services/common/validation.h"
#include "services/isolation/isolation_proto.h"
#include "services/isolation/scope_input.h"
#include "services/server/reactors.h"

namespace tpp {
namespace {

// The call's record goes into the switch's own write, unless there is no
// audit trail (tests).
template <class T>
isolation::Audited<T> InBatchIf(AuditTrail* trail,
                                const isolation::Audited<T>& audited) {
  return trail != nullptr ? audited : nullptr;
}

// The audit object of a call on `scope`: its label when the scope is
// well-formed (ids of organisations and credentials only), else nothing.
std::string ScopeObject(const isolation::Scope& scope) {
  Violations violations;
  isolation::CheckScope(scope, &violations);
  if (!violations.empty()) return "";
  return isolation::ScopeLabel(scope);
}

// A proposal id as the client sent it, when it looks like one.
std::string ProposalObject(const std::string& proposal_id) {
  if (!IsIdentifier(proposal_id, isolation::kPrincipalIdBytesMax)) return "";
  return absl::StrCat("proposal ", proposal_id);
}

}  // namespace

void IsolationServiceImpl::Describe(const isolation::IsolationState& state,
                                    tpp::v1::IsolationStatus* out) const {
  StatusToProto(state, switch_->quorum(), switch_->unseal_shares_received(),
                out);
}

grpc::ServerUnaryReactor* IsolationServiceImpl::GetIsolation(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::GetIsolationRequest* request,
    tpp::v1::IsolationStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetIsolation, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kGetIsolation);
  event.categories = kAuditPlatform;
  isolation::IsolationSwitch::View view = switch_->Status();
  StatusToProto(*view.state, view.quorum, view.unseal_shares_received,
                response);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishAuditedKeepingStatus(trail_, reactor, std::move(event),
                             absl::OkStatus());
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::Isolate(
    grpc::CallbackServerContext* ctx, const tpp::v1::IsolateRequest* request,
    tpp::v1::IsolationStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kIsolate, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kIsolate);
  event.categories = kAuditPlatform;
  const isolation::Scope scope = ScopeFromProto(request->scope());
  event.object = ScopeObject(scope);
  if (!event.object.empty() && request->seal()) event.object += " sealed";
  if (scope.kind == isolation::ScopeKind::kInsurer && !event.object.empty()) {
    event.insurer_id = scope.id;
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto audited =
      std::make_shared<isolation::AuditedCall<isolation::StatePtr>>();
  audited->audit.event = std::move(event);
  switch_->Isolate(
      scope, request->reason(), request->seal(), caller->identity.spiffe_id,
      [this, reactor, response,
       audited](absl::StatusOr<isolation::StatePtr> state) {
        if (state.ok()) Describe(**state, response);
        FinishAuditedKeepingStatusUnlessRecorded(
            trail_, reactor, audited->audit, state.status());
      },
      InBatchIf(trail_, audited));
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ProposeReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ProposeReopenRequest* request,
    tpp::v1::ReopenProposal* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kProposeReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kProposeReopen);
  event.categories = kAuditPlatform;
  const isolation::Scope scope = ScopeFromProto(request->scope());
  event.object = ScopeObject(scope);
  if (static_cast<size_t>(request->allowlist_size()) >
      isolation::kAllowlistMax) {
    Violations v;
    v.Add("allowlist", "at most 256 ids");
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    FinishAuditedKeepingStatus(trail_, reactor, std::move(event),
                               v.ToStatus("invalid reopen proposal"));
    return reactor;
  }
  std::vector<std::string> allowlist(request->allowlist().begin(),
                                     request->allowlist().end());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  auto audited =
      std::make_shared<isolation::AuditedCall<isolation::Proposal>>();
  audited->audit.event = std::move(event);
  audited->describe = [](const absl::StatusOr<isolation::Proposal>& proposal,
                         AuditEvent* e) {
    if (proposal.ok()) absl::StrAppend(&e->object, " proposal ", proposal->id);
  };
  switch_->Propose(
      scope, StateFromProto(request->target_state()), std::move(allowlist),
      request->reason(), caller->identity.spiffe_id,
      [this, reactor, response,
       audited](absl::StatusOr<isolation::Proposal> proposal) {
        if (proposal.ok()) ProposalToProto(*proposal, response);
        FinishAuditedKeepingStatusUnlessRecorded(
            trail_, reactor, audited->audit, proposal.status());
      },
      InBatchIf(trail_, audited));
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ApproveReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ApproveReopenRequest* request,
    tpp::v1::ApproveReopenResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kApproveReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kApproveReopen);
  event.categories = kAuditPlatform;
  event.object = ProposalObject(request->proposal_id());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  using Result = isolation::IsolationSwitch::ApproveResult;
  auto audited = std::make_shared<isolation::AuditedCall<Result>>();
  audited->audit.event = std::move(event);
  audited->describe = [](const absl::StatusOr<Result>& result, AuditEvent* e) {
    if (!result.ok()) return;
    const isolation::Proposal& proposal = result->first.proposal;
    e->object = absl::StrCat(isolation::ScopeLabel(proposal.scope),
                             " proposal ", proposal.id,
                             result->first.applied ? " applied" : " approved");
  };
  switch_->Approve(
      request->proposal_id(), caller->identity.spiffe_id,
      [this, reactor, response, audited](absl::StatusOr<Result> result) {
        if (result.ok()) {
          ProposalToProto(result->first.proposal, response->mutable_proposal());
          response->set_applied(result->first.applied);
          Describe(*result->second, response->mutable_status());
        }
        FinishAuditedKeepingStatusUnlessRecorded(
            trail_, reactor, audited->audit, result.status());
      },
      InBatchIf(trail_, audited));
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::Unseal(
    grpc::CallbackServerContext* ctx, const tpp::v1::UnsealRequest* request,
    tpp::v1::UnsealResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kUnseal, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  // Never the share itself: how many the node holds, and whether that
  // unsealed it.
  AuditEvent event = AuditEventFor(*caller, method::kUnseal);
  event.categories = kAuditPlatform;
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  using Result = isolation::IsolationSwitch::UnsealResult;
  auto audited = std::make_shared<isolation::AuditedCall<Result>>();
  audited->audit.event = std::move(event);
  audited->describe = [](const absl::StatusOr<Result>& r, AuditEvent* e) {
    if (!r.ok()) return;
    e->count = r->received;
    e->object = r->unsealed ? "platform unsealed" : "share received";
  };
  switch_->Unseal(
      request->share(), caller->identity.spiffe_id,
      [this, reactor, response, audited](absl::StatusOr<Result> r) {
        if (r.ok()) {
          response->set_shares_received(r->received);
          response->set_threshold(r->threshold);
          response->set_unsealed(r->unsealed);
          Describe(*r->state, response->mutable_status());
        }
        FinishAuditedKeepingStatusUnlessRecorded(trail_, reactor,
                                                 audited->audit, r.status());
      },
      InBatchIf(trail_, audited));
  return reactor;
}

}  // namespace tpp
