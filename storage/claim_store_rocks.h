// The claim store on RocksDB (DESIGN.md, "Data at rest"):
//   claims              claim_id                          -> StoredClaim
//   claim_idempotency   'i' provider 0 invoice_number     -> claim_id
//                       's' provider 0 member_id 0 act 0 care_date -> claim_id
//   claims_by_provider  provider 0 claim_id               -> ""
//   claims_by_insurer   insurer 0 claim_id                -> ""
//   usage               insurer 0 member_id 0 category 0 year -> int64 sum,
//                       written as deltas (storage/int64_add.h)
// Every ClaimWrite is one WriteBatch through the group commit. No personal
// data: members appear as their pseudonymous member_id.
//
// Thread-safe.
#ifndef TPP_STORAGE_CLAIM_STORE_ROCKS_H_
#define TPP_STORAGE_CLAIM_STORE_ROCKS_H_

#include <functional>
#include <string>
#include <vector>

#include "services/claims/claim_store.h"
#include "storage/commit_queue.h"
#include "storage/db.h"

namespace tpp::storage {

class RocksClaimStore final : public ClaimStore {
 public:
  // `db` and `commits` outlive the store. `on_data_loss` (may be empty)
  // runs each time a stored claim fails to decode or breaks its invariants.
  RocksClaimStore(Db* db, CommitQueue* commits,
                  std::function<void()> on_data_loss = {});

  absl::StatusOr<std::string> FindInvoice(
      absl::string_view provider_id,
      absl::string_view invoice_number) const override;
  absl::StatusOr<bool> HasService(const ServiceKey& key) const override;
  absl::StatusOr<int64_t> Usage(const UsageKey& key) const override;
  absl::StatusOr<Claim> Get(absl::string_view claim_id) const override;
  absl::StatusOr<std::vector<Claim>> List(ClaimOwner owner,
                                          absl::string_view owner_id,
                                          absl::string_view cursor,
                                          size_t max) const override;
  void Write(ClaimWrite write, Done done) override;

  // Key codecs, public for tests and tools.
  static std::string InvoiceKey(absl::string_view provider_id,
                                absl::string_view invoice_number);
  static std::string ServiceRowKey(const ServiceKey& key);
  static std::string UsageRowKey(const UsageKey& key);
  static std::string OwnerKey(absl::string_view owner_id,
                              absl::string_view claim_id);

  // Claim <-> stored bytes. Decode fails with DATA_LOSS on bytes that do
  // not parse or a claim that breaks CheckClaim().
  static std::string Encode(const Claim& claim);
  static absl::StatusOr<Claim> Decode(absl::string_view bytes);

 private:
  absl::Status DataLoss() const;

  Db* const db_;
  CommitQueue* const commits_;
  const std::function<void()> on_data_loss_;
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_CLAIM_STORE_ROCKS_H_
