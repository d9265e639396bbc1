// The member store on RocksDB (DESIGN.md, "Data at rest"):
//   members       insurer 0x00 member_id   -> StoredMember, its personal
//                                              fields in one AES-256-GCM
//                                              envelope under the member's
//                                              data key, bound to insurer,
//                                              member id and kMemberFields
//                                              (older rows: one envelope per
//                                              field, still read)
//   member_keys   insurer 0x00 member_id   -> the data key, wrapped by the
//                                              insurer's key (master version
//                                              inside the envelope)
//   member_index  insurer 0x00 blind index -> member_id
//   contracts     insurer 0x00 contract_id -> StoredContract
// Erasing a member deletes its data key and index entry: whatever copy of
// its ciphertext survives (old SST files, backups) cannot be decrypted.
//
// Thread-safe.
#ifndef TPP_STORAGE_MEMBER_STORE_ROCKS_H_
#define TPP_STORAGE_MEMBER_STORE_ROCKS_H_

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/members/member_store.h"
#include "storage/commit_queue.h"
#include "storage/crypto/keyring.h"
#include "storage/db.h"
#include "storage/member_read_cache.h"

namespace tpp::storage {

class StoredMember;

class RocksMemberStore final : public MemberStore {
 public:
  // All three outlive the store. `on_data_loss` (may be empty) runs each
  // time a stored record fails its integrity check: the node counts it.
  RocksMemberStore(Db* db, CommitQueue* commits, const crypto::KeyRing* keys,
                   std::function<void()> on_data_loss = {});

  void PutContract(const std::string& insurer_id, const Contract& contract,
                   std::vector<AuditEvent> audit,
                   std::function<void(absl::StatusOr<bool>)> done) override;
  absl::StatusOr<Contract> GetContract(
      absl::string_view insurer_id,
      absl::string_view contract_id) const override;
  std::unique_ptr<MemberBatch> NewBatch(const std::string& insurer_id,
                                        std::vector<AuditEvent> audit) override;
  void Commit(std::unique_ptr<MemberBatch> batch, Done done) override;
  // Flushes the member families' memtables once they hold
  // kImportFlushRowsMin: look-ups then read sorted files (Db::Open).
  void ImportEnded() override;
  absl::StatusOr<Member> Find(absl::string_view insurer_id,
                              const BeneficiaryKey& key) const override;
  absl::StatusOr<Member> FindById(absl::string_view insurer_id,
                                  absl::string_view member_id) const override;
  absl::StatusOr<bool> KnowsInsurer(
      absl::string_view insurer_id) const override;
  absl::StatusOr<std::string> AdherentNumberOf(
      absl::string_view insurer_id, absl::string_view member_id) const override;
  void Erase(const std::string& insurer_id, const BeneficiaryKey& key,
             std::vector<AuditEvent> audit, Done done) override;

  // Batches staged but not yet committed that wrapped a key under a master
  // version other than `version`: a key rotation waits for them to land
  // before its final pass.
  int UncommittedBatchesNotUnder(uint32_t version) const;

  // A key rotation rewrote member_keys rows: look-ups read them again.
  void MemberKeysRewritten();

  // Drops the cached blind-index keys (sealing: they are wiped anyway; this
  // also frees them) and the rows look-ups kept. While the key ring is sealed,
  // every member call fails with FAILED_PRECONDITION, reason KEYS_SEALED, and
  // no data.
  void DropKeyCaches();

  // Stored ciphertexts that failed to decrypt (tampering, corruption).
  uint64_t data_loss_count() const { return data_loss_count_.load(); }

  // The key of a member's rows in the members and member_keys families.
  static std::string RowKey(absl::string_view insurer_id,
                            absl::string_view suffix);

  // The record key, in member_keys, of the insurer's blind-index key.
  static constexpr char kBlindIndexRecord[] = "~blind-index";
  // The field list of a member's sealed record (StoredMember.sealed), in the
  // order of its values: bound into the envelope's associated data.
  static constexpr char kMemberFields[] =
      "adherent_number,nir,birth_date,birth_rank,last_name,first_name,"
      "relationship,marital_status,contract_id,coverage_from,coverage_to";
  // The rows a member family's memtable holds before ImportEnded flushes
  // it: below, a skip-list walk is short, and a small import makes no small
  // file.
  static constexpr uint64_t kImportFlushRowsMin = 4096;

 private:
  class Batch;

  // The member_id for an index key (RowKey(insurer, blind index)): staged
  // by an import not yet committed, or stored; empty when none.
  absl::StatusOr<std::string> MemberIdOf(const std::string& index_key) const;
  // How a member_id was reached: through the blind index (its rows must
  // exist: missing ones are DATA_LOSS) or asked by id (a missing data key
  // means erased or unknown: NOT_FOUND).
  enum class Lookup { kByIndex, kById };
  absl::StatusOr<Member> Decode(absl::string_view insurer_id,
                                absl::string_view member_id,
                                Lookup lookup) const;
  // Reads the member's wrapped data key and sealed record into `rows`.
  absl::Status ReadRows(absl::string_view insurer_id,
                        absl::string_view member_id, Lookup lookup,
                        MemberRows* rows) const;
  // The stored record of `rows`, parsed, and its unwrapped data key.
  absl::StatusOr<crypto::SecureBytes> OpenRows(absl::string_view insurer_id,
                                               absl::string_view member_id,
                                               const MemberRows& rows,
                                               StoredMember* stored) const;
  absl::StatusOr<Member> DecodeRows(absl::string_view insurer_id,
                                    absl::string_view member_id,
                                    const MemberRows& rows) const;
  absl::Status DataLoss() const;
  // The decryption work of a found member, done for nothing when a member
  // is not found, so that an unknown NIR answers no faster than a known one.
  void SpendDecoyWork() const;
  static absl::Status KeysSealed();
  // KEYS_SEALED for a FAILED_PRECONDITION that sealing caused mid-call.
  absl::Status SealedAware(absl::Status status) const;
  absl::StatusOr<Member> FindUnsealed(absl::string_view insurer_id,
                                      const BeneficiaryKey& key) const;

  // The insurer's blind-index key: random, made at its first import and
  // stored wrapped like a member's data key, so that a master key rotation
  // rewraps it and every index stays valid. NOT_FOUND when the insurer has
  // none and `create` is false.
  struct BlindKey {
    crypto::SecureBytes key;
    std::string wrapped;
  };
  absl::StatusOr<std::shared_ptr<const BlindKey>> GetBlindKey(
      const std::string& insurer_id, bool create, bool* durable) const;
  void MarkBlindKeyDurable(const std::string& insurer_id);
  absl::StatusOr<std::string> IndexOf(const std::string& insurer_id,
                                      const BeneficiaryKey& key) const;
  void Hold(const std::string& index_key, const std::string& member_id);
  // Drops one hold of each row's index key.
  void Unhold(const std::vector<std::pair<std::string, std::string>>& rows);
  // Raises the bytes a new batch reserves to `bytes` (capped).
  void RememberBatchBytes(size_t bytes);

  Db* const db_;
  CommitQueue* const commits_;
  const crypto::KeyRing* const keys_;
  const std::function<void()> on_data_loss_;
  // The largest import batch written so far, in bytes: what a new batch
  // reserves.
  static constexpr size_t kBatchBytesHintMax = size_t{16} << 20;
  std::atomic<size_t> batch_bytes_hint_{0};
  mutable std::atomic<uint64_t> data_loss_count_{0};

  // Blind indexes staged but not yet durable, so that two imports of the
  // same beneficiary agree on one member_id. Key: RowKey(insurer, index).
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::pair<std::string, int>> staged_
      ABSL_GUARDED_BY(mu_);  // -> (member_id, batches holding it)
  struct BlindKeyEntry {
    std::shared_ptr<const BlindKey> key;
    bool durable = false;  // its wrapped form is on disk
  };
  mutable absl::flat_hash_map<std::string, BlindKeyEntry> blind_keys_
      ABSL_GUARDED_BY(mu_);
  // Master version -> batches holding keys wrapped under it, not committed.
  absl::flat_hash_map<uint32_t, int> uncommitted_by_version_
      ABSL_GUARDED_BY(mu_);
  void CountBatch(uint32_t version, int delta);

  // Contracts as read, by row key: every eligibility check and claim reads
  // its member's contract, and contracts change seldom. A contract write
  // drops its entry once durable (before its caller hears back) and moves
  // the generation on, so that a read racing with the write does not cache
  // what it read before.
  static constexpr size_t kContractsCachedMax = 4096;
  mutable absl::Mutex contracts_mu_;
  mutable absl::flat_hash_map<std::string, Contract> contracts_
      ABSL_GUARDED_BY(contracts_mu_);
  mutable uint64_t contracts_generation_ ABSL_GUARDED_BY(contracts_mu_) = 0;
  void ContractWritten(const std::string& key);

  // Look-ups by beneficiary: the rows they read (storage/member_read_cache.h).
  static constexpr size_t kReadCacheBytes = size_t{128} << 20;
  mutable MemberReadCache read_cache_{kReadCacheBytes};
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_MEMBER_STORE_ROCKS_H_
