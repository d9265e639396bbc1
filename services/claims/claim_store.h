// ClaimStore: where claims, their idempotency keys, their services and the
// usage of annual ceilings live. The claims core reaches storage only
// through this interface; storage/ implements it on RocksDB, tests may
// implement it in memory.
//
// Reads see what is durable; ClaimsCore keeps what is in flight itself.
// Implementations are thread-safe.
#ifndef TPP_SERVICES_CLAIMS_CLAIM_STORE_H_
#define TPP_SERVICES_CLAIMS_CLAIM_STORE_H_

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_event.h"
#include "services/claims/claim.h"

namespace tpp {

// Everything one claim operation changes, written as one atomic, synced
// batch: no claim without its usage, no usage without its claim.
struct ClaimWrite {
  Claim claim;   // the claim as it is after the operation
  bool created;  // a new claim: also its idempotency key and owner indexes
  // The claim's status before the operation (unset when created): the
  // store derives the ledger postings and the settlement window from it.
  std::optional<ClaimStatus> before;
  std::vector<ServiceKey> services_added;
  std::vector<ServiceKey> services_removed;
  // Added to the stored usage (negative when a claim is cancelled).
  std::vector<std::pair<UsageKey, int64_t>> usage_deltas;
  // The audit records of the call, written in the same batch.
  std::vector<AuditEvent> audit;
};

// Whose claims a listing walks.
enum class ClaimOwner : uint8_t { kProvider = 1, kInsurer = 2 };

class ClaimStore {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~ClaimStore() = default;

  // The claim_id recorded for (provider, invoice number); NOT_FOUND when
  // none.
  virtual absl::StatusOr<std::string> FindInvoice(
      absl::string_view provider_id,
      absl::string_view invoice_number) const = 0;
  // Whether the service has been claimed (and not cancelled).
  virtual absl::StatusOr<bool> HasService(const ServiceKey& key) const = 0;
  // What is used of one annual ceiling; 0 when nothing.
  virtual absl::StatusOr<int64_t> Usage(const UsageKey& key) const = 0;
  // NOT_FOUND when unknown; DATA_LOSS when the record does not decode.
  virtual absl::StatusOr<Claim> Get(absl::string_view claim_id) const = 0;
  // Up to `max` claims of `owner_id`, in claim_id order, after `cursor`
  // (empty: from the first).
  virtual absl::StatusOr<std::vector<Claim>> List(ClaimOwner owner,
                                                  absl::string_view owner_id,
                                                  absl::string_view cursor,
                                                  size_t max) const = 0;

  // Writes `write` atomically with sync; `done` runs once it is durable or
  // has failed, possibly on the calling thread. Must not block.
  virtual void Write(ClaimWrite write, Done done) = 0;
};

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIM_STORE_H_
