#include "services/isolation/isolation_proto.h"

#include "absl/time/time.h"

namespace tpp {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

void ScopeToProto(const isolation::Scope& scope, tpp::v1::Scope* out) {
  out->set_kind(static_cast<tpp::v1::ScopeKind>(scope.kind));
  out->set_id(scope.id);
}

}  // namespace

isolation::Scope ScopeFromProto(const tpp::v1::Scope& proto) {
  return isolation::Scope{static_cast<isolation::ScopeKind>(proto.kind()),
                          proto.id()};
}

isolation::State StateFromProto(tpp::v1::IsolationState proto) {
  return static_cast<isolation::State>(proto);
}

void ProposalToProto(const isolation::Proposal& p,
                     tpp::v1::ReopenProposal* out) {
  out->set_proposal_id(p.id);
  ScopeToProto(p.scope, out->mutable_scope());
  out->set_target_state(static_cast<tpp::v1::IsolationState>(p.target));
  for (const std::string& id : p.allowlist) out->add_allowlist(id);
  out->set_reason(p.reason);
  out->set_proposed_by(p.proposed_by);
  for (const std::string& op : p.approved_by) out->add_approved_by(op);
  out->set_created_at(Rfc3339(p.created_at));
  out->set_expires_at(Rfc3339(p.expires_at));
}

void StatusToProto(const isolation::IsolationState& state, int quorum,
                   int unseal_shares_received, tpp::v1::IsolationStatus* out) {
  for (const isolation::ScopeState& s : state.Scopes()) {
    tpp::v1::ScopeState* scope = out->add_scopes();
    ScopeToProto(s.scope, scope->mutable_scope());
    scope->set_state(static_cast<tpp::v1::IsolationState>(s.state));
    scope->set_reason(s.reason);
    scope->set_changed_by(s.changed_by);
    if (s.changed_at != absl::UnixEpoch()) {
      scope->set_changed_at(Rfc3339(s.changed_at));
    }
    for (const std::string& id : s.allowlist) scope->add_allowlist(id);
  }
  for (const isolation::Proposal& p : state.Proposals()) {
    ProposalToProto(p, out->add_pending_proposals());
  }
  out->set_generation(state.generation());
  out->set_sealed(state.sealed());
  out->set_quorum(quorum);
  out->set_unseal_shares_received(unseal_shares_received);
}

}  // namespace tpp
