#include "services/isolation/isolation_service.h"

#include <string>
#include <utility>
#include <vector>

#include "services/common/errors.h"
#include "services/isolation/isolation_proto.h"
#include "services/server/reactors.h"

namespace tpp {

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
  isolation::IsolationSwitch::View view = switch_->Status();
  StatusToProto(*view.state, view.quorum, view.unseal_shares_received,
                response);
  return FinishUnary(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* IsolationServiceImpl::Isolate(
    grpc::CallbackServerContext* ctx, const tpp::v1::IsolateRequest* request,
    tpp::v1::IsolationStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kIsolate, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  switch_->Isolate(
      ScopeFromProto(request->scope()), request->reason(), request->seal(),
      caller->identity.spiffe_id,
      [this, reactor, response](absl::StatusOr<isolation::StatePtr> state) {
        if (state.ok()) Describe(**state, response);
        reactor->Finish(ToGrpcStatus(state.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ProposeReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ProposeReopenRequest* request,
    tpp::v1::ReopenProposal* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kProposeReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  if (static_cast<size_t>(request->allowlist_size()) >
      isolation::kAllowlistMax) {
    Violations v;
    v.Add("allowlist", "at most 256 ids");
    return FinishUnary(ctx, v.ToStatus("invalid reopen proposal"));
  }
  std::vector<std::string> allowlist(request->allowlist().begin(),
                                     request->allowlist().end());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  switch_->Propose(
      ScopeFromProto(request->scope()), StateFromProto(request->target_state()),
      std::move(allowlist), request->reason(), caller->identity.spiffe_id,
      [reactor, response](absl::StatusOr<isolation::Proposal> proposal) {
        if (proposal.ok()) ProposalToProto(*proposal, response);
        reactor->Finish(ToGrpcStatus(proposal.status()));
      });
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::ApproveReopen(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ApproveReopenRequest* request,
    tpp::v1::ApproveReopenResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kApproveReopen, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  using Result =
      std::pair<isolation::IsolationState::Approval, isolation::StatePtr>;
  switch_->Approve(request->proposal_id(), caller->identity.spiffe_id,
                   [this, reactor, response](absl::StatusOr<Result> result) {
                     if (result.ok()) {
                       ProposalToProto(result->first.proposal,
                                       response->mutable_proposal());
                       response->set_applied(result->first.applied);
                       Describe(*result->second, response->mutable_status());
                     }
                     reactor->Finish(ToGrpcStatus(result.status()));
                   });
  return reactor;
}

grpc::ServerUnaryReactor* IsolationServiceImpl::Unseal(
    grpc::CallbackServerContext* ctx, const tpp::v1::UnsealRequest* request,
    tpp::v1::UnsealResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kUnseal, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  switch_->Unseal(
      request->share(), caller->identity.spiffe_id,
      [this, reactor,
       response](absl::StatusOr<isolation::IsolationSwitch::UnsealResult> r) {
        if (r.ok()) {
          response->set_shares_received(r->received);
          response->set_threshold(r->threshold);
          response->set_unsealed(r->unsealed);
          Describe(*r->state, response->mutable_status());
        }
        reactor->Finish(ToGrpcStatus(r.status()));
      });
  return reactor;
}

}  // namespace tpp
