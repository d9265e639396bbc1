// The exfiltration breaker (issue #7): per credential, the number of
// distinct members it was answered about in a sliding window. Past the
// role's limit the credential trips: the call that would have touched one
// member too many is refused, and the owner of the breaker suspends the
// credential (credential-scope isolation) so that only two operators can
// reopen it.
//
// The window is exact: each credential keeps its members ordered by their
// last touch; a touch moves a member to the back, expiry pops the front.
// Memory is bounded by the limits: a credential holds at most `limit`
// members, and idle credentials are dropped once their window is empty.
// A restart rebuilds the windows from the audit (RestoreOlder; see
// breaker_restore.h).
//
// Thread-safe (one mutex; touches are a few hash operations).
#ifndef TPP_SERVICES_AUDIT_BREAKER_H_
#define TPP_SERVICES_AUDIT_BREAKER_H_

#include <cstdint>
#include <functional>
#include <list>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace tpp {

// The method of the audit record a trip writes (audit_trail.cc).
inline constexpr char kBreakerTripMethod[] = "ExfiltrationBreaker";
// The records of an import batch name the members an insurer wrote into its
// own register (thousands per record): nothing was answered about them, the
// live breaker never counts them, and neither does a restart.
inline constexpr char kImportMembersMethod[] = "ImportMembers";

class ExfiltrationBreaker {
 public:
  struct Options {
    absl::Duration window = absl::Hours(1);
    // Distinct members per window, per role name; 0 or absent: no limit.
    int provider_limit = 300;
    int insurer_limit = 5000;
  };

  enum class Verdict {
    kAllowed,
    kTripped,    // this touch went past the limit: suspend the credential
    kSuspended,  // tripped earlier and not reset
  };

  explicit ExfiltrationBreaker(const Options& options) : options_(options) {}

  // Records that `credential` (of `role`) is about to be answered about
  // `member_ids` at `now`. kAllowed: go on (the members are counted). Else
  // nothing is counted and the answer must not leave.
  Verdict Touch(const std::string& credential, const std::string& role,
                const std::vector<std::string>& member_ids, absl::Time now);

  // Start-up (the windows are in memory: a restart must not empty them):
  // puts back a past touch of `credential` at `when`, read from the audit.
  // Never trips; a credential already over its limit trips at its next
  // Touch. Members already restored keep their later touch.
  // REQUIRES: calls for one credential come newest first (`when` never
  // after an earlier call's), all before the first Touch of it.
  void RestoreOlder(const std::string& credential, const std::string& role,
                    const std::vector<std::string>& member_ids,
                    absl::Time when);

  // Whether `credential` is tripped (and not reset).
  bool Tripped(const std::string& credential) const;
  // The suspension of a tripped `credential` is in force (published to the
  // gate): from now on ResetIfReopened may look at the gate.
  void MarkSuspended(const std::string& credential);
  // Resets a tripped credential whose suspension was published and that
  // `still_refused` (the gate) no longer refuses: operators reopened it.
  bool ResetIfReopened(const std::string& credential,
                       const std::function<bool()>& still_refused);
  // Forgets `credential`'s window and trip: operators reopened it.
  void Reset(const std::string& credential);

  // Distinct members of `credential` in the window at `now`.
  int Distinct(const std::string& credential, absl::Time now);
  int LimitFor(const std::string& role) const;
  absl::Duration window() const { return options_.window; }

 private:
  struct Window {
    // Oldest touch first.
    std::list<std::pair<absl::Time, std::string>> order;
    absl::flat_hash_map<std::string,
                        std::list<std::pair<absl::Time, std::string>>::iterator>
        members;
    bool tripped = false;
    bool suspended = false;  // the trip's suspension is published
  };

  void ExpireLocked(Window* window, absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Drops idle credentials now and then, so memory follows the active ones.
  void SweepLocked(absl::Time now) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const Options options_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Window> windows_ ABSL_GUARDED_BY(mu_);
  absl::Time last_sweep_ ABSL_GUARDED_BY(mu_) = absl::InfinitePast();
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_BREAKER_H_
