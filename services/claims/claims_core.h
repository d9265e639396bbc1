// ClaimsCore: submits, cancels, reads and lists claims, keeping every rule
// that spans claims: idempotency on (provider, invoice number), duplicate
// services, and annual ceilings consumed atomically with the claim.
//
// Concurrency: the checks and the reservation of a claim happen under one
// mutex, against what is durable (the store) plus what is in flight (kept
// here: invoices, services and ceiling usage of claims queued for their
// synced write). So concurrent claims never consume more than a ceiling,
// and two submissions of one invoice never make two claims. The synced
// write itself happens outside the mutex, through the store's group commit;
// an in-flight reservation is given back if its write fails.
//
// Thread-safe. Submit, Cancel, Get and List read the store (which may touch
// the disk) and decrypt: call them from a worker thread, not a reactor.
// The `done` callbacks run on the store's committer thread or the caller's,
// and must not block.
#ifndef TPP_SERVICES_CLAIMS_CLAIMS_CORE_H_
#define TPP_SERVICES_CLAIMS_CLAIMS_CORE_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/random/random.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "services/audit/audit_trail.h"
#include "services/claims/claim.h"
#include "services/claims/claim_store.h"
#include "services/claims/coverage.h"
#include "services/common/clock.h"
#include "services/members/member_store.h"

namespace tpp {

// Who is asking: a provider sees its own claims, an insurer the claims on
// its members; anyone else's claim is NOT_FOUND.
struct ClaimViewer {
  ClaimOwner kind = ClaimOwner::kProvider;
  std::string id;
};

struct ClaimFilter {
  std::optional<ClaimStatus> status;
  std::optional<Date> care_date_from;  // inclusive
  std::optional<Date> care_date_to;    // inclusive
};

struct ClaimPage {
  std::vector<Claim> claims;
  std::string next_cursor;  // resume after this claim_id
  bool end = false;         // nothing after next_cursor
};

// SHA-256 over a canonical encoding of what the provider submitted, with the
// beneficiary as its pseudonymous member_id (empty when unknown): no
// personal data goes into it.
std::string ClaimFingerprint(const ClaimRequest& request,
                             absl::string_view member_id);

class ClaimsCore {
 public:
  struct Options {
    // Claims waiting for their synced write; past it, RESOURCE_EXHAUSTED.
    size_t pending_claims_max = 8192;
    // Ceiling usages kept in memory; the idle ones are dropped past it.
    size_t usage_cache_entries_max = size_t{1} << 18;
    // Claims a listing page examines at most (filters may skip them).
    size_t list_scan_max = 1024;
  };

  using ClaimDone = std::function<void(absl::StatusOr<Claim>)>;

  // `members`, `store`, `clock` and `trail` (may be null: no audit) outlive
  // the core.
  ClaimsCore(const MemberStore* members, ClaimStore* store, const Clock* clock,
             const Options& options, AuditTrail* trail = nullptr);

  // Adjudicates `request` for `provider_id` and records it durably; `done`
  // gets the claim once it is on disk. The same (provider, invoice) with the
  // same content gets the original claim; with other content,
  // ALREADY_EXISTS (reason IDEMPOTENCY_KEY_REUSED).
  // REQUIRES: `request` validated (ClaimRequestFromProto).
  void Submit(const std::string& provider_id, ClaimRequest request,
              ClaimDone done);
  // The same, audited: `event` (the caller's) is completed with the member,
  // the claim and the outcome, and written in the claim's own batch, or on
  // its own before `done` when nothing is written (a replay, a refusal).
  // The exfiltration breaker counts the member before anything is decided.
  void Submit(const std::string& provider_id, ClaimRequest request,
              AuditEvent event, ClaimDone done);

  // Cancels `provider_id`'s claim and gives back what it consumed of its
  // ceilings. Cancelling a cancelled claim returns it unchanged. NOT_FOUND
  // for an unknown claim or another provider's; FAILED_PRECONDITION for a
  // rejected or settled claim.
  void Cancel(const std::string& provider_id, const std::string& claim_id,
              std::string reason, ClaimDone done);
  void Cancel(const std::string& provider_id, const std::string& claim_id,
              std::string reason, AuditEvent event, ClaimDone done);

  // The claim, as `viewer` may see it (an insurer also gets the adherent
  // number). NOT_FOUND when unknown or not the viewer's.
  absl::StatusOr<Claim> Get(const ClaimViewer& viewer,
                            absl::string_view claim_id) const;

  // The viewer's claims after `cursor` that pass `filter`, at most `max`.
  absl::StatusOr<ClaimPage> List(const ClaimViewer& viewer,
                                 const ClaimFilter& filter,
                                 absl::string_view cursor, size_t max) const;

  // A settlement of `insurer_id` starts: until EndSettlement, cancelling
  // its claims is refused (UNAVAILABLE, retry). Returns the claim id below
  // which claims belong to the settlement (claims reserved later are
  // above it). ABORTED when one runs already; UNAVAILABLE while one of its
  // claims is being cancelled.
  absl::StatusOr<std::string> BeginSettlement(const std::string& insurer_id);
  void EndSettlement(const std::string& insurer_id);

  // What is used of one annual ceiling, in flight included.
  absl::StatusOr<int64_t> UsedCents(const UsageKey& key) const;

 private:
  struct PendingInvoice {
    std::string fingerprint;
    std::vector<ClaimDone> waiters;  // identical submissions meanwhile
  };
  struct UsageEntry {
    int64_t cents = 0;
    int pending = 0;  // writes in flight that change it
  };

  // The usage entry for `key`, read from the store on a miss.
  absl::StatusOr<UsageEntry*> UsageLocked(const UsageKey& key) const
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void TrimUsageLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Checks idempotency, duplicates and ceilings, builds the claim and its
  // write, and reserves what it consumes. nullopt when there is nothing to
  // write: `*replay` holds the original claim of an idempotent replay, or,
  // when an identical submission is in flight, `*done` has moved to its
  // waiters.
  absl::StatusOr<std::optional<ClaimWrite>> ReserveLocked(
      const std::string& provider_id, const ClaimRequest& request,
      const Coverage& coverage, ClaimDone* done, std::optional<Claim>* replay)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Builds the cancellation of `claim_id`; nullopt with `*unchanged` set
  // when it is cancelled already.
  absl::StatusOr<std::optional<ClaimWrite>> CancelLocked(
      const std::string& provider_id, const std::string& claim_id,
      std::string reason, std::optional<Claim>* unchanged)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Queues `write` and completes `done` (and the waiters of the same
  // invoice) once it is durable.
  void WriteAndFinish(ClaimWrite write, ClaimDone done);
  // Ends the reservation of `write` once its write is durable (`ok`) or
  // failed (then it is given back).
  void ReleaseLocked(const ClaimWrite& write, bool ok)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::string NewClaimIdLocked(absl::Time now)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  bool Visible(const ClaimViewer& viewer, const Claim& claim) const;
  // `done`, after `event` (with the result's outcome) is durable; `done`
  // itself when there is no audit.
  ClaimDone Audited(AuditEvent event, ClaimDone done) const;
  // For answers to the insurer: its member number, from the member store.
  absl::Status AddAdherentNumber(Claim* claim) const;

  const MemberStore* const members_;
  ClaimStore* const store_;
  const Clock* const clock_;
  const Options options_;
  AuditTrail* const trail_;

  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, PendingInvoice> pending_invoices_
      ABSL_GUARDED_BY(mu_);  // key: provider 0x00 invoice number
  absl::flat_hash_set<ServiceKey> pending_services_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> busy_claims_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, int> busy_by_insurer_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_set<std::string> settling_ ABSL_GUARDED_BY(mu_);
  mutable absl::flat_hash_map<UsageKey, UsageEntry> usage_ ABSL_GUARDED_BY(mu_);
  absl::BitGen random_ ABSL_GUARDED_BY(mu_);
  int64_t id_ms_ ABSL_GUARDED_BY(mu_) = 0;  // of the last claim id given
};

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIMS_CORE_H_
