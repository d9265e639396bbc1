// IsolationSwitch: the kill switch's core. Applies operators' commands to the
// state machine (isolation_state.h), persists each change (state + control
// log, synced) through IsolationStore, and publishes the state the gate
// enforces:
//   - a tightening (Isolate) is published, its streams cancelled and, with
//     `seal`, every key wiped, at once; the caller is answered once it is
//     durable. If the write fails the node fails closed (platform isolated).
//   - a loosening (an approved reopening, unsealing) is published only once
//     durable.
// Unsealing collects key shares from distinct operators (unseal_shares.h)
// and loads the rebuilt master key into the key ring.
//
// Thread-safe. Commands are serialized (one lock), so that the writes reach
// disk in the order the state changed; `done` callbacks run on the store's
// thread or the caller's (possibly with the switch's lock held), so they
// must not block nor call back into the switch but for quorum() and
// unseal_shares_received().
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_SWITCH_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_SWITCH_H_

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/isolation/isolation_state.h"
#include "services/isolation/isolation_store.h"
#include "services/isolation/unseal_shares.h"
#include "storage/crypto/keyring.h"

namespace tpp::isolation {

using StatePtr = std::shared_ptr<const IsolationState>;

// The audit record of an operator's call, written in the same synced batch
// as the state or control events the call writes (so that no crash leaves
// a change without its record). `describe` (may be empty) completes the
// event from the call's result before it is written; the switch sets the
// outcome, and `audit.recorded` once the batch is durable. A call that
// writes nothing leaves `recorded` false: its caller records it.
template <class T>
struct AuditedCall {
  InBatchAudit audit;
  std::function<void(const absl::StatusOr<T>&, AuditEvent*)> describe;
};
template <class T>
using Audited = std::shared_ptr<AuditedCall<T>>;

class IsolationSwitch {
 public:
  struct Hooks {
    // The gate's state (required). Called with increasing generations.
    std::function<void(StatePtr)> publish;
    // After a tightening is published: cancel the open streams it refuses.
    std::function<void()> cancel_refused_streams;
    // After the key ring is sealed: drop key caches kept elsewhere.
    std::function<void()> on_seal;
    // After operators' shares put the master key back in the ring: what
    // derives keys from it (the audit signer) gets them again.
    std::function<void()> on_unseal;
    std::function<absl::Time()> now;  // absl::Now when empty
  };

  struct View {
    StatePtr state;  // expired proposals already left out
    int quorum = 0;
    int unseal_shares_received = 0;
  };

  struct UnsealResult {
    int received = 0;
    int threshold = 0;
    bool unsealed = false;
    StatePtr state;
  };

  template <class T>
  using Done = std::function<void(absl::StatusOr<T>)>;

  // `store` and `ring` outlive the switch. Publishes `loaded` at once.
  // REQUIRES: ValidateOptions(options).ok().
  IsolationSwitch(IsolationStore* store, crypto::KeyRing* ring,
                  const SwitchOptions& options, IsolationState loaded,
                  Hooks hooks);

  View Status() const;
  // Lock-free, for `done` callbacks (which must not call Status()).
  int quorum() const { return options_.quorum; }
  int unseal_shares_received() const { return shares_received_.load(); }

  // `audited` (may be null): the call's audit record, written with the
  // call's own write (AuditedCall). It lives at least until `done` runs.
  using ApproveResult = std::pair<IsolationState::Approval, StatePtr>;
  void Isolate(const Scope& scope, std::string reason, bool seal,
               std::string actor, Done<StatePtr> done,
               Audited<StatePtr> audited = nullptr);
  void Propose(const Scope& scope, State target,
               std::vector<std::string> allowlist, std::string reason,
               std::string actor, Done<Proposal> done,
               Audited<Proposal> audited = nullptr);
  void Approve(std::string proposal_id, std::string actor,
               Done<ApproveResult> done,
               Audited<ApproveResult> audited = nullptr);
  // `share_line` is a SecureBytes-worthy secret: it is never logged.
  void Unseal(std::string share_line, std::string actor,
              Done<UnsealResult> done, Audited<UnsealResult> audited = nullptr);

 private:
  absl::Time Now() const { return hooks_.now ? hooks_.now() : absl::Now(); }
  // Makes `next` the head (when set) and writes it with `events` and
  // `audit`; `after` gets the write's status and whether anything was
  // written. With `tightening`, publishes first.
  void CommitLocked(StatePtr next, std::vector<ControlEvent> events,
                    std::vector<AuditEvent> audit, bool tightening,
                    std::function<void(absl::Status, bool wrote)> after)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The record of `audited`'s call with `result`, or none.
  template <class T>
  static std::vector<AuditEvent> AuditOf(const Audited<T>& audited,
                                         const absl::StatusOr<T>& result) {
    if (audited == nullptr) return {};
    AuditEvent& event = audited->audit.event;
    if (audited->describe) audited->describe(result, &event);
    event.SetOutcome(result.status());
    return {event};
  }
  void Publish(StatePtr state);
  // A control write failed: the platform is isolated in memory from now on.
  void FailClosed(const absl::Status& why);
  // A copy of the head to change, failed-closed if the node is.
  IsolationState NextLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  IsolationStore* const store_;
  crypto::KeyRing* const ring_;
  const SwitchOptions options_;
  const Hooks hooks_;

  mutable absl::Mutex mu_;
  StatePtr head_ ABSL_GUARDED_BY(mu_);
  UnsealShares shares_ ABSL_GUARDED_BY(mu_);

  absl::Mutex publish_mu_ ABSL_ACQUIRED_AFTER(mu_);
  StatePtr published_ ABSL_GUARDED_BY(publish_mu_);
  std::atomic<bool> failed_closed_{false};
  std::atomic<int> shares_received_{0};
};

}  // namespace tpp::isolation

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_SWITCH_H_
