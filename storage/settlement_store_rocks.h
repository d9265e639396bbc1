// The settlement store on RocksDB (settlements CF; see records.proto and
// storage/ledger_rows.h for the rows). A run writes in synced chunks of
// kSettlementChunkClaims claims, each chunk one batch holding its claims'
// new state, their statement and remittance lines, the removal from the
// open window and the ledger postings: the ledger balances at every
// instant, and a crash leaves a settlement open that the next run of the
// same settlement finishes.
//
// Thread-safe; runs of one insurer must not overlap (ClaimsCore's
// BeginSettlement sees to it).
#ifndef TPP_STORAGE_SETTLEMENT_STORE_ROCKS_H_
#define TPP_STORAGE_SETTLEMENT_STORE_ROCKS_H_

#include "absl/synchronization/mutex.h"
#include "services/settlement/settlement_store.h"
#include "storage/commit_queue.h"
#include "storage/db.h"

namespace tpp::storage {

class RocksSettlementStore final : public SettlementStore {
 public:
  // `db` and `commits` outlive the store.
  RocksSettlementStore(Db* db, CommitQueue* commits)
      : db_(db), commits_(commits) {}

  absl::StatusOr<Settlement> Get(
      absl::string_view settlement_id) const override;
  absl::StatusOr<std::vector<Settlement>> List(absl::string_view insurer_id,
                                               absl::string_view after,
                                               size_t max) const override;
  absl::StatusOr<Settlement> Latest(
      absl::string_view insurer_id) const override;
  absl::StatusOr<Settlement> Run(const Settlement& opening,
                                 const AdherentOf& adherent_of,
                                 InBatchAudit* audit) override;
  absl::StatusOr<std::vector<StatementLine>> Lines(
      absl::string_view settlement_id, uint64_t after, size_t max,
      uint64_t* last) const override;
  absl::StatusOr<std::vector<Remittance>> Remittances(
      absl::string_view provider_id, absl::Time since) const override;
  absl::Status AddAcknowledgement(absl::string_view settlement_id,
                                  const Acknowledgement& ack,
                                  InBatchAudit* audit) override;
  absl::Status VerifyLedger() const override;

 private:
  // Writes the settlement record, with `audit`'s record when given (marked
  // recorded once durable).
  absl::Status Put(const Settlement& settlement, InBatchAudit* audit);

  Db* const db_;
  CommitQueue* const commits_;
  absl::Mutex ack_mu_;  // acknowledgements: read-modify-write of a record
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_SETTLEMENT_STORE_ROCKS_H_
