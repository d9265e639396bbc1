#include "services/isolation/isolation_switch.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "services/common/errors.h"
#include "services/common/log.h"

namespace tpp::isolation {
namespace {

constexpr char kFailClosedReason[] = "the isolation state could not be written";

}  // namespace

IsolationSwitch::IsolationSwitch(IsolationStore* store, crypto::KeyRing* ring,
                                 const SwitchOptions& options,
                                 IsolationState loaded, Hooks hooks)
    : store_(store),
      ring_(ring),
      options_(options),
      hooks_(std::move(hooks)),
      head_(std::make_shared<const IsolationState>(std::move(loaded))) {
  absl::MutexLock lock(&publish_mu_);
  published_ = head_;
  hooks_.publish(published_);
}

IsolationSwitch::View IsolationSwitch::Status() const {
  View view;
  view.quorum = options_.quorum;
  absl::MutexLock lock(&mu_);
  view.unseal_shares_received = shares_.received();
  // Expiry is recorded by the next command; a view just leaves them out.
  IsolationState copy = *head_;
  std::vector<ControlEvent> ignored;
  if (copy.ExpireProposals(Now(), &ignored) > 0) {
    view.state = std::make_shared<const IsolationState>(std::move(copy));
  } else {
    view.state = head_;
  }
  return view;
}

void IsolationSwitch::Publish(StatePtr state) {
  absl::MutexLock lock(&publish_mu_);
  if (state->generation() <= published_->generation()) return;
  if (failed_closed_.load()) {
    // Never publish anything more open than platform isolated.
    IsolationState closed = *state;
    std::vector<ControlEvent> ignored;
    if (closed.Get(Scope{}).state != State::kIsolated) {
      closed.Isolate(Scope{}, kFailClosedReason, "tppd", Now(), &ignored)
          .IgnoreError();
    }
    state = std::make_shared<const IsolationState>(std::move(closed));
  }
  published_ = state;
  hooks_.publish(published_);
}

void IsolationSwitch::FailClosed(const absl::Status& why) {
  Log(LogLevel::kError, "isolation_write_failed",
      {{"error", why.ToString()}, {"action", "platform isolated"}});
  failed_closed_.store(true);
  StatePtr closed;
  {
    absl::MutexLock lock(&publish_mu_);
    IsolationState copy = *published_;
    std::vector<ControlEvent> ignored;
    copy.Isolate(Scope{}, kFailClosedReason, "tppd", Now(), &ignored)
        .IgnoreError();
    published_ = std::make_shared<const IsolationState>(std::move(copy));
    hooks_.publish(published_);
  }
  if (hooks_.cancel_refused_streams) hooks_.cancel_refused_streams();
}

IsolationState IsolationSwitch::NextLocked(absl::Time now) {
  IsolationState next = *head_;
  if (failed_closed_.load() && next.Get(Scope{}).state != State::kIsolated) {
    std::vector<ControlEvent> events;
    next.Isolate(Scope{}, kFailClosedReason, "tppd", now, &events)
        .IgnoreError();
  }
  return next;
}

void IsolationSwitch::CommitLocked(
    StatePtr next, std::vector<ControlEvent> events,
    std::vector<AuditEvent> audit, bool tightening,
    std::function<void(absl::Status, bool wrote)> after) {
  if (next == nullptr) {
    if (events.empty()) {
      after(absl::OkStatus(), /*wrote=*/false);
      return;
    }
    store_->Append(std::move(events), std::move(audit),
                   [this, after](absl::Status s) {
                     if (!s.ok()) FailClosed(s);
                     after(s, s.ok());
                   });
    return;
  }
  head_ = next;
  if (tightening) {
    Publish(next);
    if (hooks_.cancel_refused_streams) hooks_.cancel_refused_streams();
  }
  store_->Save(*next, std::move(events), std::move(audit),
               [this, next, after](absl::Status s) {
                 if (s.ok()) {
                   Publish(next);
                 } else {
                   FailClosed(s);
                 }
                 after(s, s.ok());
               });
}

void IsolationSwitch::Isolate(const Scope& scope, std::string reason, bool seal,
                              std::string actor, Done<StatePtr> done,
                              Audited<StatePtr> audited) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  IsolationState next = NextLocked(now);
  std::vector<ControlEvent> events;
  absl::Status isolated = next.Isolate(scope, reason, actor, now, &events);
  if (!isolated.ok()) {
    done(isolated);
    return;
  }
  const bool sealing = seal && !ring_->IsSealed();
  if (sealing) {
    absl::StatusOr<crypto::KeyRing::KeyCheck> check = ring_->PrimaryKeyCheck();
    if (check.ok()) {
      next.SetSealed(true, check->version, check->value, actor, now, &events);
    }
  }
  auto state = std::make_shared<const IsolationState>(std::move(next));
  if (sealing) {
    // Before anything else, and before the write: nothing may decrypt from
    // here on, even if the write then fails.
    ring_->Seal();
    shares_.Clear();
    shares_received_.store(0);
    if (hooks_.on_seal) hooks_.on_seal();
    Log(LogLevel::kWarning, "keys_sealed", {{"by", actor}});
  }
  Log(LogLevel::kWarning, "isolated",
      {{"scope", ScopeLabel(scope)}, {"by", actor}, {"seal", seal}});
  CommitLocked(state, std::move(events),
               AuditOf(audited, absl::StatusOr<StatePtr>(state)),
               /*tightening=*/true,
               [state, done, audited](absl::Status s, bool wrote) {
                 if (audited != nullptr) audited->audit.recorded = wrote;
                 if (!s.ok()) {
                   done(s);
                 } else {
                   done(state);
                 }
               });
}

void IsolationSwitch::Propose(const Scope& scope, State target,
                              std::vector<std::string> allowlist,
                              std::string reason, std::string actor,
                              Done<Proposal> done, Audited<Proposal> audited) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  IsolationState next = NextLocked(now);
  std::vector<ControlEvent> events;
  absl::StatusOr<Proposal> proposal =
      next.Propose(scope, target, std::move(allowlist), reason, actor, options_,
                   now, &events);
  StatePtr changed;
  if (next.generation() != head_->generation()) {
    changed = std::make_shared<const IsolationState>(std::move(next));
  }
  CommitLocked(changed, std::move(events), AuditOf(audited, proposal),
               /*tightening=*/false,
               [proposal, done, audited](absl::Status s, bool wrote) {
                 if (audited != nullptr) audited->audit.recorded = wrote;
                 if (!s.ok()) {
                   done(s);
                 } else {
                   done(proposal);
                 }
               });
}

void IsolationSwitch::Approve(std::string proposal_id, std::string actor,
                              Done<ApproveResult> done,
                              Audited<ApproveResult> audited) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  IsolationState next = NextLocked(now);
  std::vector<ControlEvent> events;
  absl::StatusOr<IsolationState::Approval> approval =
      next.Approve(proposal_id, actor, options_, now, &events);
  StatePtr changed;
  if (next.generation() != head_->generation()) {
    changed = std::make_shared<const IsolationState>(std::move(next));
  }
  if (approval.ok() && approval->applied) {
    Log(LogLevel::kWarning, "reopened",
        {{"scope", ScopeLabel(approval->proposal.scope)},
         {"to", StateName(approval->proposal.target)},
         {"by", actor}});
  }
  StatePtr answer = changed != nullptr ? changed : head_;
  const absl::StatusOr<ApproveResult> result =
      approval.ok()
          ? absl::StatusOr<ApproveResult>(std::make_pair(*approval, answer))
          : absl::StatusOr<ApproveResult>(approval.status());
  CommitLocked(changed, std::move(events), AuditOf(audited, result),
               /*tightening=*/false,
               [result, done, audited](absl::Status s, bool wrote) {
                 if (audited != nullptr) audited->audit.recorded = wrote;
                 if (!s.ok()) {
                   done(s);
                 } else {
                   done(result);
                 }
               });
}

void IsolationSwitch::Unseal(std::string share_line, std::string actor,
                             Done<UnsealResult> done,
                             Audited<UnsealResult> audited) {
  absl::MutexLock lock(&mu_);
  const absl::Time now = Now();
  if (!head_->sealed() || !ring_->IsSealed()) {
    done(WithReason(absl::FailedPreconditionError("the keys are not sealed"),
                    "NOT_SEALED"));
    return;
  }
  std::vector<ControlEvent> events;
  absl::StatusOr<UnsealShares::Progress> progress = shares_.Add(
      share_line, actor, head_->sealed_key_check(), now, options_.proposal_ttl);
  // Wipe our copy of the share at once (the request's copy goes with it).
  std::fill(share_line.begin(), share_line.end(), '\0');
  UnsealResult result;
  StatePtr changed;
  absl::Status failure;
  if (!progress.ok()) {
    failure = progress.status();
    events.push_back({now, "unseal_share_refused", actor,
                      absl::StrCat("why=", ReasonOf(failure).value_or("?"))});
  } else {
    result.received = progress->received;
    result.threshold = progress->threshold;
    events.push_back({now, "unseal_share", actor,
                      absl::StrCat("shares=", progress->received, "/",
                                   progress->threshold)});
    if (progress->master_key.has_value()) {
      const uint32_t version = head_->sealed_master_version();
      failure = ring_->AddMasterKey(version, *std::move(progress->master_key));
      if (failure.ok()) failure = ring_->SetPrimary(version);
      if (failure.ok()) {
        IsolationState next = NextLocked(now);
        next.SetSealed(false, version, "", actor, now, &events);
        changed = std::make_shared<const IsolationState>(std::move(next));
        result.unsealed = true;
        if (hooks_.on_unseal) hooks_.on_unseal();
        Log(LogLevel::kWarning, "keys_unsealed",
            {{"by", actor}, {"master_version", version}});
      }
    }
  }
  shares_received_.store(shares_.received());
  result.state = changed != nullptr ? changed : head_;
  const absl::StatusOr<UnsealResult> outcome =
      failure.ok() ? absl::StatusOr<UnsealResult>(result)
                   : absl::StatusOr<UnsealResult>(failure);
  CommitLocked(changed, std::move(events), AuditOf(audited, outcome),
               /*tightening=*/false,
               [outcome, done, audited](absl::Status s, bool wrote) {
                 if (audited != nullptr) audited->audit.recorded = wrote;
                 if (!s.ok()) {
                   done(s);
                 } else {
                   done(outcome);
                 }
               });
}

}  // namespace tpp::isolation
