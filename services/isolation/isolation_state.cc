#include "services/isolation/isolation_state.h"

#include <algorithm>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "services/isolation/scope_input.h"

namespace tpp::isolation {
namespace {

// Whether a scope of `kind` goes through REOPENING (it has an allow-list).
bool Gradual(ScopeKind kind) {
  return kind == ScopeKind::kPlatform || kind == ScopeKind::kInsurer;
}

ControlEvent Event(absl::Time at, absl::string_view kind,
                   absl::string_view actor, std::string detail) {
  return ControlEvent{at, std::string(kind), std::string(actor),
                      std::move(detail)};
}

std::string Describe(const Proposal& p) {
  return absl::StrCat("proposal=", p.id, " scope=", ScopeLabel(p.scope),
                      " to=", StateName(p.target),
                      " allowlist=", absl::StrJoin(p.allowlist, ","),
                      " reason=", p.reason);
}

}  // namespace

IsolationState::IsolationState() {
  ScopeState platform;
  platform.scope.kind = ScopeKind::kPlatform;
  Put(std::move(platform));
}

IsolationState IsolationState::PlatformIsolated(absl::string_view reason,
                                                absl::Time now) {
  IsolationState state;
  ScopeState platform;
  platform.scope.kind = ScopeKind::kPlatform;
  platform.state = State::kIsolated;
  platform.reason = std::string(reason);
  platform.changed_by = "tppd";
  platform.changed_at = now;
  state.Put(std::move(platform));
  return state;
}

absl::StatusOr<IsolationState> IsolationState::FromRecord(
    IsolationRecord record) {
  IsolationState state;
  state.generation_ = record.generation;
  state.next_proposal_ = record.next_proposal;
  for (ScopeState& s : record.scopes) {
    Violations v;
    CheckScope(s.scope, &v);
    if (!v.empty() || s.state < State::kOpen || s.state > State::kReopening ||
        (s.state == State::kReopening && !Gradual(s.scope.kind))) {
      return absl::DataLossError("stored isolation scope is invalid");
    }
    state.Put(std::move(s));
  }
  for (Proposal& p : record.proposals) {
    if (p.id.empty() || state.proposals_.count(p.id) != 0) {
      return absl::DataLossError("stored isolation proposal is invalid");
    }
    std::string id = p.id;
    state.proposals_.emplace(std::move(id), std::move(p));
  }
  state.sealed_ = record.sealed;
  state.sealed_master_version_ = record.sealed_master_version;
  state.sealed_key_check_ = std::move(record.sealed_key_check);
  if (state.NotOpenCount() > kScopesMax ||
      state.proposals_.size() > kProposalsMax) {
    return absl::DataLossError("stored isolation state is too large");
  }
  return state;
}

IsolationRecord IsolationState::ToRecord() const {
  IsolationRecord record;
  record.generation = generation_;
  record.next_proposal = next_proposal_;
  record.scopes = Scopes();
  record.proposals = Proposals();
  record.sealed = sealed_;
  record.sealed_master_version = sealed_master_version_;
  record.sealed_key_check = sealed_key_check_;
  return record;
}

const ScopeState* IsolationState::Find(ScopeKind kind,
                                       absl::string_view id) const {
  const ScopeMap& map = by_kind_[Index(kind)];
  if (map.empty()) return nullptr;
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}

ScopeState IsolationState::Get(const Scope& scope) const {
  const ScopeState* found = Find(scope.kind, scope.id);
  if (found != nullptr) return *found;
  ScopeState open;
  open.scope = scope;
  return open;
}

std::vector<ScopeState> IsolationState::Scopes() const {
  std::vector<ScopeState> out;
  for (const ScopeMap& map : by_kind_) {
    size_t first = out.size();
    for (const auto& [id, s] : map) out.push_back(s);
    std::sort(out.begin() + static_cast<std::ptrdiff_t>(first), out.end(),
              [](const ScopeState& a, const ScopeState& b) {
                return a.scope.id < b.scope.id;
              });
  }
  return out;
}

std::vector<Proposal> IsolationState::Proposals() const {
  std::vector<Proposal> out;
  for (const auto& [id, p] : proposals_) out.push_back(p);
  return out;
}

size_t IsolationState::NotOpenCount() const {
  size_t n = 0;
  for (const ScopeMap& map : by_kind_) n += map.size();
  return n - 1;  // the platform is always listed
}

void IsolationState::Put(ScopeState state) {
  ScopeMap& map = MapOf(state.scope.kind);
  if (state.state == State::kOpen && state.scope.kind != ScopeKind::kPlatform) {
    map.erase(state.scope.id);
  } else {
    std::string id = state.scope.id;
    map[id] = std::move(state);
  }
  RecomputeQuiet();
}

void IsolationState::RecomputeQuiet() {
  const ScopeState* platform = Find(ScopeKind::kPlatform, "");
  quiet_ = platform != nullptr && platform->state == State::kOpen &&
           NotOpenCount() == 0;
}

absl::Status IsolationState::Isolate(const Scope& scope,
                                     absl::string_view reason,
                                     absl::string_view actor, absl::Time now,
                                     std::vector<ControlEvent>* events) {
  Violations violations;
  CheckScope(scope, &violations);
  CheckReason(reason, &violations);
  TPP_RETURN_IF_ERROR(violations.ToStatus("invalid isolation request"));
  if (Find(scope.kind, scope.id) == nullptr && NotOpenCount() >= kScopesMax) {
    return WithReason(absl::ResourceExhaustedError(
                          "too many isolated scopes: isolate the platform"),
                      "SCOPES_MAX");
  }
  ScopeState next;
  next.scope = scope;
  next.state = State::kIsolated;
  next.reason = std::string(reason);
  next.changed_by = std::string(actor);
  next.changed_at = now;
  Put(std::move(next));
  // A reopening under way was decided for the old situation.
  for (auto it = proposals_.begin(); it != proposals_.end();) {
    if (it->second.scope == scope) {
      events->push_back(
          Event(now, "proposal_dropped", actor,
                absl::StrCat("proposal=", it->first, " scope isolated again")));
      it = proposals_.erase(it);
    } else {
      ++it;
    }
  }
  ++generation_;
  events->push_back(
      Event(now, "isolate", actor,
            absl::StrCat("scope=", ScopeLabel(scope), " reason=", reason)));
  return absl::OkStatus();
}

absl::StatusOr<Proposal> IsolationState::Propose(
    const Scope& scope, State target, std::vector<std::string> allowlist,
    absl::string_view reason, absl::string_view actor,
    const SwitchOptions& options, absl::Time now,
    std::vector<ControlEvent>* events) {
  Violations violations;
  CheckScope(scope, &violations);
  CheckReason(reason, &violations);
  CheckAllowlist(&allowlist, &violations);
  if (target != State::kOpen && target != State::kReopening) {
    violations.Add("target_state", "must be REOPENING or OPEN");
  } else if (target == State::kReopening && !Gradual(scope.kind)) {
    violations.Add("target_state",
                   "PROVIDER and CREDENTIAL scopes reopen straight to OPEN");
  } else if (target == State::kReopening && allowlist.empty()) {
    violations.Add("allowlist", "REOPENING needs at least one id");
  } else if (target == State::kOpen && !allowlist.empty()) {
    violations.Add("allowlist", "only for REOPENING");
  }
  TPP_RETURN_IF_ERROR(violations.ToStatus("invalid reopen proposal"));
  ExpireProposals(now, events);
  const ScopeState current = Get(scope);
  if (current.state == State::kOpen) {
    return WithReason(absl::FailedPreconditionError("the scope is open"),
                      "SCOPE_OPEN");
  }
  if (target == State::kOpen && current.state == State::kIsolated &&
      Gradual(scope.kind)) {
    return WithReason(
        absl::FailedPreconditionError(
            "an isolated platform or insurer reopens through REOPENING first"),
        "REOPENING_FIRST");
  }
  if (proposals_.size() >= kProposalsMax) {
    return WithReason(
        absl::ResourceExhaustedError("too many pending proposals"),
        "PROPOSALS_MAX");
  }
  Proposal p;
  p.id = absl::StrCat("rp-", next_proposal_++);
  p.scope = scope;
  p.target = target;
  p.allowlist = std::move(allowlist);
  p.reason = std::string(reason);
  p.proposed_by = std::string(actor);
  p.created_at = now;
  p.expires_at = now + options.proposal_ttl;
  proposals_.emplace(p.id, p);
  ++generation_;
  events->push_back(Event(now, "propose", actor, Describe(p)));
  return p;
}

absl::StatusOr<IsolationState::Approval> IsolationState::Approve(
    absl::string_view proposal_id, absl::string_view actor,
    const SwitchOptions& options, absl::Time now,
    std::vector<ControlEvent>* events) {
  auto refuse = [&](absl::Status status) {
    events->push_back(Event(now, "approval_refused", actor,
                            absl::StrCat("proposal=", proposal_id, " why=",
                                         ReasonOf(status).value_or("?"))));
    return status;
  };
  if (proposal_id.empty() || proposal_id.size() > kPrincipalIdBytesMax) {
    Violations v;
    v.Add("proposal_id", "required, at most 64 bytes");
    return v.ToStatus("invalid approval");
  }
  ExpireProposals(now, events);
  auto it = proposals_.find(std::string(proposal_id));
  if (it == proposals_.end()) {
    return refuse(WithReason(
        absl::NotFoundError("no such pending proposal (it may have expired)"),
        "PROPOSAL_NOT_FOUND"));
  }
  Proposal& p = it->second;
  if (p.proposed_by == actor) {
    return refuse(
        WithReason(absl::PermissionDeniedError(
                       "the proposer cannot approve their own proposal"),
                   "SELF_APPROVAL"));
  }
  if (std::find(p.approved_by.begin(), p.approved_by.end(), actor) !=
      p.approved_by.end()) {
    return refuse(WithReason(
        absl::AlreadyExistsError("already approved by this operator"),
        "ALREADY_APPROVED"));
  }
  // The transition must still make sense from the scope's current state.
  const ScopeState current = Get(p.scope);
  if (current.state == State::kOpen ||
      (p.target == State::kOpen && current.state == State::kIsolated &&
       Gradual(p.scope.kind))) {
    Proposal stale = std::move(p);
    proposals_.erase(it);
    ++generation_;
    return refuse(WithReason(absl::FailedPreconditionError(absl::StrCat(
                                 "the scope is now ", StateName(current.state),
                                 ": the proposal no longer applies")),
                             "PROPOSAL_STALE"));
  }
  p.approved_by.push_back(std::string(actor));
  events->push_back(Event(now, "approve", actor, Describe(p)));
  Approval result;
  const int distinct = 1 + static_cast<int>(p.approved_by.size());
  if (distinct >= options.quorum) {
    ScopeState next;
    next.scope = p.scope;
    next.state = p.target;
    next.reason = p.reason;
    next.changed_by = p.proposed_by;
    next.changed_at = now;
    next.allowlist = p.allowlist;
    Put(std::move(next));
    events->push_back(
        Event(now, "transition", actor,
              absl::StrCat(Describe(p), " from=", StateName(current.state),
                           " approvers=", p.proposed_by, ",",
                           absl::StrJoin(p.approved_by, ","))));
    result.applied = true;
    result.proposal = std::move(p);
    proposals_.erase(it);
  } else {
    result.proposal = p;
  }
  ++generation_;
  return result;
}

int IsolationState::ExpireProposals(absl::Time now,
                                    std::vector<ControlEvent>* events) {
  int expired = 0;
  for (auto it = proposals_.begin(); it != proposals_.end();) {
    if (it->second.expires_at <= now) {
      events->push_back(Event(now, "proposal_expired", "tppd",
                              absl::StrCat("proposal=", it->first)));
      it = proposals_.erase(it);
      ++expired;
    } else {
      ++it;
    }
  }
  if (expired > 0) ++generation_;
  return expired;
}

void IsolationState::SetSealed(bool sealed, uint32_t master_version,
                               absl::string_view key_check,
                               absl::string_view actor, absl::Time now,
                               std::vector<ControlEvent>* events) {
  sealed_ = sealed;
  sealed_master_version_ = master_version;
  sealed_key_check_ = std::string(key_check);
  ++generation_;
  events->push_back(Event(now, sealed ? "seal" : "unseal", actor,
                          absl::StrCat("master_version=", master_version)));
}

}  // namespace tpp::isolation
