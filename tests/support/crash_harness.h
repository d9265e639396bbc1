// Test support: crash consistency. A CrashHarness owns a tppd, a seed, and
// the record of what the node acknowledged; a test runs its workload
// against server(), has the harness SIGKILL the node at a random moment
// (KillAfterAcks, KillAfter, or KillNow from a callback), restarts it on
// the same data directory, then checks the invariants:
//   - every acknowledged claim is there, as it was answered;
//   - the ledger verifies (VerifyLedger);
//   - every family's ceiling usage equals the sum of its claims on disk;
//   - every acknowledged isolation is still in force, and refuses calls.
//
// The seed is printed ("crash seed N"); TPP_CRASH_SEED=N replays it.
// tools/crash-cycles.sh runs the crash tests for many cycles.
//
// Ack*() and KillNow() may be called from any thread (gRPC callbacks); the
// rest from the test thread.
#ifndef TPP_TESTS_SUPPORT_CRASH_HARNESS_H_
#define TPP_TESTS_SUPPORT_CRASH_HARNESS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/claims.pb.h"
#include "tpp/v1/isolation.pb.h"
#include "tpp/v1/members.pb.h"

namespace tpp::testing {

// TPP_CRASH_SEED when set (decimal), else a random one.
uint64_t CrashSeed();

class CrashHarness {
 public:
  // `tppd_flags` are appended to tppd's command line. Prints the seed.
  explicit CrashHarness(std::vector<std::string> tppd_flags = {});
  ~CrashHarness();
  CrashHarness(const CrashHarness&) = delete;
  CrashHarness& operator=(const CrashHarness&) = delete;

  uint64_t seed() const { return seed_; }
  // Uniform in [lo, hi], from the seed.
  int64_t Uniform(int64_t lo, int64_t hi);
  TppdProcess& server() { return server_; }

  // --- the kill -----------------------------------------------------------
  // One kill per harness. Arm it (KillAfterAcks, KillAfter) once tppd runs.
  // SIGKILL now (once; later calls do nothing). Safe from any thread.
  void KillNow();
  // SIGKILL when the n-th acknowledgement is recorded (from its callback:
  // calls are still in flight).
  void KillAfterAcks(int n);
  // SIGKILL `delay` from now, from a timer thread.
  void KillAfter(absl::Duration delay);
  bool killed() const { return killed_.HasBeenNotified(); }
  // Waits (up to `timeout`) for the kill, reaps tppd, runs `while_down`
  // (when given: to read the dead node's data directory as it was left),
  // then starts tppd again on the same data directory. Acknowledgements
  // stay recorded.
  absl::Status RestartAfterKill(absl::Duration timeout = absl::Seconds(60),
                                const std::function<void()>& while_down = {});

  // --- acknowledged writes (any thread) ------------------------------------
  void AckClaim(const tpp::v1::Claim& claim);
  // An isolation the node acknowledged: it must stay in force.
  void AckIsolation(const tpp::v1::Scope& scope);
  // Another acknowledged write the test checks itself (counts toward
  // KillAfterAcks).
  void Ack();
  int acks() const { return acks_.load(); }
  std::map<std::string, tpp::v1::Claim> acknowledged_claims() const;
  // When `scope` was acknowledged isolated; InfiniteFuture() if it was not.
  absl::Time IsolatedAt(const tpp::v1::Scope& scope) const;

  // --- invariants, once restarted (gtest failures; true if they hold) ------
  // Every acknowledged claim, read by its provider, equals its answer.
  bool CheckAcknowledgedClaims();
  // VerifyLedger answers ok; with `open_settlement_allowed`, a settlement
  // left open by the kill is the one violation accepted.
  bool CheckLedger(bool open_settlement_allowed = false);
  // For each family of `members` (one adherent number), the ceiling used
  // (ceiling_cents minus what eligibility answers as remaining, read by
  // `provider`) equals the sum of its non-cancelled claims on disk, which
  // `insurer` lists.
  bool CheckCeilings(const std::vector<tpp::v1::MemberRecord>& members,
                     int64_t ceiling_cents, const std::string& insurer,
                     const std::string& provider);
  // Every acknowledged isolation is listed ISOLATED by GetIsolation, and a
  // call from the isolated principal is refused with the scope's reason.
  bool CheckIsolation();

 private:
  void CountAck() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  const uint64_t seed_;
  std::mt19937_64 random_;
  TppdProcess server_;
  // The pid KillNow() signals: set once tppd runs, taken by the kill.
  std::atomic<pid_t> live_pid_{-1};
  std::atomic<int> kill_after_acks_{0};
  std::atomic<int> acks_{0};
  absl::Notification killed_;
  std::thread timer_;
  absl::Notification cancel_timer_;

  mutable absl::Mutex mu_;
  std::map<std::string, tpp::v1::Claim> claims_ ABSL_GUARDED_BY(mu_);
  // By ScopeKey(): the scope and when it was acknowledged.
  std::map<std::string, std::pair<tpp::v1::Scope, absl::Time>> isolations_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_CRASH_HARNESS_H_
