#include "storage/member_store_rocks.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"
#include "storage/audit_log_rocks.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/blind_index.h"
#include "storage/crypto/field_crypto.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

constexpr size_t kMemberIdBytes = 16;

// The field names bound into each ciphertext's associated data.
constexpr char kAdherentNumber[] = "adherent_number";
constexpr char kNir[] = "nir";
constexpr char kBirthDate[] = "birth_date";
constexpr char kBirthRank[] = "birth_rank";
constexpr char kLastName[] = "last_name";
constexpr char kFirstName[] = "first_name";
constexpr char kRelationship[] = "relationship";
constexpr char kMaritalStatus[] = "marital_status";
constexpr char kContractId[] = "contract_id";
constexpr char kCoverageFrom[] = "coverage_from";
constexpr char kCoverageTo[] = "coverage_to";

// The values of a member's sealed record, in the order of kMemberFields.
constexpr size_t kMemberFieldCount = 11;
enum MemberField {
  kAdherentNumberAt,
  kNirAt,
  kBirthDateAt,
  kBirthRankAt,
  kLastNameAt,
  kFirstNameAt,
  kRelationshipAt,
  kMaritalStatusAt,
  kContractIdAt,
  kCoverageFromAt,
  kCoverageToAt,
};

// A member's personal fields in the order of kMemberFields, from either
// format of StoredMember. DATA_LOSS if any fails its integrity check.
absl::StatusOr<std::vector<std::string>> OpenMemberFields(
    const crypto::SecureBytes& dek, absl::string_view insurer_id,
    absl::string_view member_id, const StoredMember& stored) {
  if (!stored.sealed().empty()) {
    TPP_ASSIGN_OR_RETURN(std::vector<std::string> fields,
                         crypto::DecryptRecord(dek, insurer_id, member_id,
                                               RocksMemberStore::kMemberFields,
                                               stored.sealed()));
    if (fields.size() != kMemberFieldCount) {
      return absl::DataLossError("a sealed member has the wrong field count");
    }
    return fields;
  }
  // Written before sealed records: one envelope per field.
  const std::pair<const char*, const std::string*> legacy[] = {
      {kAdherentNumber, &stored.adherent_number()},
      {kNir, &stored.nir()},
      {kBirthDate, &stored.birth_date()},
      {kBirthRank, &stored.birth_rank()},
      {kLastName, &stored.last_name()},
      {kFirstName, &stored.first_name()},
      {kRelationship, &stored.relationship()},
      {kMaritalStatus, &stored.marital_status()},
      {kContractId, &stored.contract_id()},
      {kCoverageFrom, &stored.coverage_from()},
      {kCoverageTo, &stored.coverage_to()},
  };
  std::vector<std::string> fields;
  fields.reserve(kMemberFieldCount);
  for (const auto& [name, ciphertext] : legacy) {
    TPP_ASSIGN_OR_RETURN(
        std::string plain,
        crypto::DecryptField(dek, insurer_id, member_id, name, *ciphertext));
    fields.push_back(std::move(plain));
  }
  return fields;
}

// A pseudonymous member id: 8 bytes of a per-process increasing counter
// seeded from the clock (so ids keep growing across restarts, and new rows
// land at the end of the members family instead of all over it), then 8
// random bytes drawn once per process. Nothing in it derives from the member.
absl::StatusOr<std::string> NewMemberId() {
  static std::atomic<uint64_t> last{0};
  static const std::string* suffix = [] {
    unsigned char bytes[kMemberIdBytes / 2] = {};
    if (RAND_bytes(bytes, sizeof(bytes)) != 1) return (std::string*)nullptr;
    return new std::string(absl::BytesToHexString(absl::string_view(
        reinterpret_cast<const char*>(bytes), sizeof(bytes))));
  }();
  if (suffix == nullptr) {
    return absl::UnavailableError("random generator failed");
  }
  const uint64_t now = static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()));
  uint64_t seen = last.load();
  uint64_t next;
  do {
    next = std::max(seen + 1, now);
  } while (!last.compare_exchange_weak(seen, next));
  char prefix[17];
  std::snprintf(prefix, sizeof(prefix), "%016llx",
                static_cast<unsigned long long>(next));
  return absl::StrCat(prefix, *suffix);
}

}  // namespace

std::string RocksMemberStore::RowKey(absl::string_view insurer_id,
                                     absl::string_view suffix) {
  std::string key;
  key.reserve(insurer_id.size() + 1 + suffix.size());
  key.append(insurer_id.data(), insurer_id.size());
  key.push_back('\0');
  key.append(suffix.data(), suffix.size());
  return key;
}

RocksMemberStore::RocksMemberStore(Db* db, CommitQueue* commits,
                                   const crypto::KeyRing* keys,
                                   std::function<void()> on_data_loss)
    : db_(db),
      commits_(commits),
      keys_(keys),
      on_data_loss_(std::move(on_data_loss)) {}

absl::Status RocksMemberStore::KeysSealed() {
  return WithReason(absl::FailedPreconditionError(
                        "the keys are sealed: member data cannot be read or "
                        "written until operators unseal them"),
                    "KEYS_SEALED");
}

absl::Status RocksMemberStore::SealedAware(absl::Status status) const {
  if (absl::IsFailedPrecondition(status) && keys_->IsSealed()) {
    return KeysSealed();
  }
  return status;
}

void RocksMemberStore::DropKeyCaches() {
  {
    absl::MutexLock lock(&mu_);
    blind_keys_.clear();  // SecureBytes wipe themselves as they go
  }
  read_cache_.Clear();  // wrapped keys, useless sealed: freed too
}

absl::Status RocksMemberStore::DataLoss() const {
  data_loss_count_.fetch_add(1);
  if (on_data_loss_) on_data_loss_();
  return absl::DataLossError(
      "a stored member record failed its integrity check");
}

// ---------------------------------------------------------------- contracts

void RocksMemberStore::PutContract(
    const std::string& insurer_id, const Contract& contract,
    std::vector<AuditEvent> audit,
    std::function<void(absl::StatusOr<bool>)> done) {
  std::string key = RowKey(insurer_id, contract.contract_id);
  absl::StatusOr<std::string> existing = db_->Get(Cf::kContracts, key);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    done(existing.status());
    return;
  }
  const bool created = !existing.ok();
  StoredContract stored;
  stored.set_contract_id(contract.contract_id);
  for (const Guarantee& g : contract.guarantees) {
    StoredGuarantee* out = stored.add_guarantees();
    out->set_category(static_cast<int>(g.category));
    out->set_rate_bp(g.rate_bp);
    out->set_annual_ceiling_cents(g.annual_ceiling_cents);
  }
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kContracts), key, stored.SerializeAsString());
  commits_->Commit(std::move(batch), AuditPayloadsOf(audit),
                   [this, key = std::move(key), created,
                    done = std::move(done)](absl::Status s) {
                     ContractWritten(key);
                     if (!s.ok()) {
                       done(s);
                     } else {
                       done(created);
                     }
                   });
}

void RocksMemberStore::ContractWritten(const std::string& key) {
  absl::MutexLock lock(&contracts_mu_);
  ++contracts_generation_;
  contracts_.erase(key);
}

absl::StatusOr<Contract> RocksMemberStore::GetContract(
    absl::string_view insurer_id, absl::string_view contract_id) const {
  std::string key = RowKey(insurer_id, contract_id);
  uint64_t generation;
  {
    absl::ReaderMutexLock lock(&contracts_mu_);
    auto it = contracts_.find(key);
    if (it != contracts_.end()) return it->second;
    generation = contracts_generation_;
  }
  absl::StatusOr<std::string> value = db_->Get(Cf::kContracts, key);
  if (absl::IsNotFound(value.status())) {
    return absl::NotFoundError("no such contract");
  }
  if (!value.ok()) return value.status();
  StoredContract stored;
  if (!stored.ParseFromString(*value)) {
    return absl::DataLossError("a stored contract does not parse");
  }
  Contract contract;
  contract.contract_id = stored.contract_id();
  for (const StoredGuarantee& g : stored.guarantees()) {
    absl::StatusOr<Category> category = CategoryFromNumber(g.category());
    if (!category.ok()) {
      return absl::DataLossError("a stored contract has an unknown category");
    }
    contract.guarantees.push_back(
        {*category, g.rate_bp(), g.annual_ceiling_cents()});
  }
  absl::MutexLock lock(&contracts_mu_);
  if (generation == contracts_generation_ &&
      contracts_.size() < kContractsCachedMax) {
    contracts_.emplace(std::move(key), contract);
  }
  return contract;
}

// ------------------------------------------------------------------ members

class RocksMemberStore::Batch final : public MemberBatch {
 public:
  // Reserves what the last batch needed, so that staging never regrows
  // (and copies) a batch of megabytes.
  Batch(RocksMemberStore* store, std::string insurer_id,
        std::vector<AuditEvent> audit)
      : store_(store),
        insurer_id_(std::move(insurer_id)),
        audit_(std::move(audit)),
        batch_(store->batch_bytes_hint_.load(std::memory_order_relaxed)) {}

  ~Batch() override { Release(); }

  absl::Status Stage(Member member) override {
    if (store_->keys_->IsSealed()) return KeysSealed();
    return store_->SealedAware(StageUnsealed(std::move(member)));
  }

  absl::Status StageUnsealed(Member member) {
    const crypto::KeyRing& keys = *store_->keys_;
    bool durable = true;
    TPP_ASSIGN_OR_RETURN(
        std::shared_ptr<const BlindKey> blind,
        store_->GetBlindKey(insurer_id_, /*create=*/true, &durable));
    TPP_ASSIGN_OR_RETURN(std::string index,
                         crypto::BlindIndex(blind->key, member.key.nir.digits(),
                                            member.key.birth_date.ToString(),
                                            member.key.birth_rank));
    std::string index_key = RowKey(insurer_id_, index);
    // Staged by this batch or another one not yet durable, or stored.
    TPP_ASSIGN_OR_RETURN(member.member_id, store_->MemberIdOf(index_key));
    if (member.member_id.empty()) {
      TPP_ASSIGN_OR_RETURN(member.member_id, NewMemberId());
    }
    // Everything fallible happens before the batch changes.
    TPP_ASSIGN_OR_RETURN(crypto::SecureBytes dek, keys.NewDataKey());
    TPP_ASSIGN_OR_RETURN(std::string wrapped,
                         keys.WrapDataKey(insurer_id_, member.member_id, dek));
    TPP_ASSIGN_OR_RETURN(uint32_t version, crypto::EnvelopeKeyVersion(wrapped));
    StoredMember stored;
    stored.set_member_id(member.member_id);
    stored.set_blind_index(index);
    const std::string& nir = member.key.nir.digits();
    const std::string birth_date = member.key.birth_date.ToString();
    const std::string birth_rank = absl::StrCat(member.key.birth_rank);
    const std::string relationship =
        absl::StrCat(static_cast<int>(member.relationship));
    const std::string marital =
        absl::StrCat(static_cast<int>(member.marital_status));
    const std::string from = member.coverage_from.ToString();
    const std::string to = member.coverage_to.ToString();
    // The order of kMemberFields.
    TPP_ASSIGN_OR_RETURN(
        *stored.mutable_sealed(),
        crypto::EncryptRecord(
            dek, insurer_id_, member.member_id, kMemberFields,
            {member.adherent_number, nir, birth_date, birth_rank,
             member.last_name, member.first_name, relationship, marital,
             member.contract_id, from, to}));

    Db* db = store_->db_;
    std::string row = RowKey(insurer_id_, member.member_id);
    batch_.Put(db->cf(Cf::kMembers), row, stored.SerializeAsString());
    batch_.Put(db->cf(Cf::kMemberKeys), row, wrapped);
    // The index rows go in last, sorted (TakeWrites).
    store_->Hold(index_key, member.member_id);
    index_rows_.emplace_back(std::move(index_key), member.member_id);
    if (!audit_.empty()) {
      audit_members_.push_back(
          {std::move(member.member_id), std::move(member.adherent_number)});
    }
    if (!durable && !carries_blind_key_) {
      // The insurer's first members: its blind-index key lands with them.
      batch_.Put(db->cf(Cf::kMemberKeys),
                 RowKey(insurer_id_, kBlindIndexRecord), blind->wrapped);
      carries_blind_key_ = true;
    }
    if (versions_.insert(version).second) store_->CountBatch(version, +1);
    ++size_;
    return absl::OkStatus();
  }

  size_t size() const override { return size_; }

  // The staged writes. The index keys are HMACs, random: written in key
  // order, each memtable insert resumes where the previous one landed
  // (WriteOptions::memtable_insert_hint_per_batch) instead of searching
  // the whole skip list.
  // `audit_bytes`: what the committer will add to the batch (its audit
  // rows), counted in what the next batch reserves.
  rocksdb::WriteBatch TakeWrites(size_t audit_bytes) {
    std::sort(index_rows_.begin(), index_rows_.end());
    rocksdb::ColumnFamilyHandle* index = store_->db_->cf(Cf::kMemberIndex);
    for (const auto& [key, id] : index_rows_) batch_.Put(index, key, id);
    store_->RememberBatchBytes(batch_.GetDataSize() + audit_bytes);
    return std::move(batch_);
  }
  // The batch's audit records, completed with the members staged, in
  // order (one staged twice appears twice).
  std::vector<AuditPayload> TakeAudit() {
    std::vector<AuditPayload> payloads;
    payloads.reserve(audit_.size());
    for (size_t i = 0; i < audit_.size(); ++i) {
      AuditEvent& event = audit_[i];
      event.count = static_cast<int64_t>(size_);
      payloads.push_back(AuditPayloadOf(event));
      AppendAuditMembers(audit_members_, &payloads.back().body);
    }
    audit_.clear();
    return payloads;
  }
  bool carries_blind_key() const { return carries_blind_key_; }
  const std::string& insurer_id() const { return insurer_id_; }

  // Forgets this batch's staged indexes and versions (once durable, or
  // abandoned).
  void Release() {
    store_->Unhold(index_rows_);
    index_rows_.clear();
    for (uint32_t version : versions_) store_->CountBatch(version, -1);
    versions_.clear();
  }

 private:
  RocksMemberStore* const store_;
  const std::string insurer_id_;
  std::vector<AuditEvent> audit_;
  rocksdb::WriteBatch batch_;
  // (index key, member id) rows, appended to batch_ by TakeWrites; each
  // holds its index key in store_->staged_ until Release.
  std::vector<std::pair<std::string, std::string>> index_rows_;
  std::vector<AuditMember> audit_members_;
  absl::flat_hash_set<uint32_t> versions_;  // master versions wrapped under
  size_t size_ = 0;
  bool carries_blind_key_ = false;
};

void RocksMemberStore::Hold(const std::string& index_key,
                            const std::string& member_id) {
  absl::MutexLock lock(&mu_);
  auto [it, inserted] = staged_.try_emplace(index_key, member_id, 0);
  ++it->second.second;
}

void RocksMemberStore::CountBatch(uint32_t version, int delta) {
  absl::MutexLock lock(&mu_);
  int& count = uncommitted_by_version_[version];
  count += delta;
  if (count == 0) uncommitted_by_version_.erase(version);
}

int RocksMemberStore::UncommittedBatchesNotUnder(uint32_t version) const {
  absl::MutexLock lock(&mu_);
  int count = 0;
  for (const auto& [v, n] : uncommitted_by_version_) {
    if (v != version) count += n;
  }
  return count;
}

void RocksMemberStore::Unhold(
    const std::vector<std::pair<std::string, std::string>>& rows) {
  if (rows.empty()) return;
  absl::MutexLock lock(&mu_);  // once per batch, not per member
  for (const auto& [index_key, id] : rows) {
    auto it = staged_.find(index_key);
    if (it != staged_.end() && --it->second.second == 0) staged_.erase(it);
  }
}

void RocksMemberStore::RememberBatchBytes(size_t bytes) {
  bytes = std::min(bytes, kBatchBytesHintMax);
  size_t seen = batch_bytes_hint_.load(std::memory_order_relaxed);
  while (seen < bytes && !batch_bytes_hint_.compare_exchange_weak(
                             seen, bytes, std::memory_order_relaxed)) {
  }
}

absl::StatusOr<std::string> RocksMemberStore::MemberIdOf(
    const std::string& index_key) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = staged_.find(index_key);
    if (it != staged_.end()) return it->second.first;
  }
  absl::StatusOr<std::string> id = db_->Get(Cf::kMemberIndex, index_key);
  if (absl::IsNotFound(id.status())) return std::string();
  return id;
}

std::unique_ptr<MemberBatch> RocksMemberStore::NewBatch(
    const std::string& insurer_id, std::vector<AuditEvent> audit) {
  return std::make_unique<Batch>(this, insurer_id, std::move(audit));
}

void RocksMemberStore::Commit(std::unique_ptr<MemberBatch> batch, Done done) {
  // The batch (and so its held indexes) lives until its write is durable.
  std::shared_ptr<Batch> owned(static_cast<Batch*>(batch.release()));
  std::vector<AuditPayload> audit = owned->TakeAudit();
  // What the chain will add: counted in what the next batch reserves.
  size_t audit_bytes = audit.empty() ? 0 : kSealedGroupBytesMax;
  for (const AuditPayload& record : audit)
    audit_bytes += SealedBytesMax(record);
  commits_->Commit(owned->TakeWrites(audit_bytes), std::move(audit),
                   [this, owned, done = std::move(done)](absl::Status s) {
                     read_cache_.Written();
                     if (s.ok() && owned->carries_blind_key()) {
                       MarkBlindKeyDurable(owned->insurer_id());
                     }
                     owned->Release();
                     done(std::move(s));
                   });
}

void RocksMemberStore::ImportEnded() {
  db_->FlushLarge({Cf::kMemberIndex, Cf::kMemberKeys, Cf::kMembers},
                  kImportFlushRowsMin);
}

absl::Status RocksMemberStore::ReadRows(absl::string_view insurer_id,
                                        absl::string_view member_id,
                                        Lookup lookup, MemberRows* rows) const {
  if (member_id.empty() || member_id.size() > 2 * kMemberIdBytes) {
    return lookup == Lookup::kById ? absl::NotFoundError("no such member")
                                   : DataLoss();
  }
  std::string row = RowKey(insurer_id, member_id);
  absl::StatusOr<std::string> wrapped = db_->Get(Cf::kMemberKeys, row);
  if (absl::IsNotFound(wrapped.status())) {
    // Asked by id, a member without a data key is erased (or never was);
    // reached through an index entry, it is damage.
    return lookup == Lookup::kById ? absl::NotFoundError("no such member")
                                   : DataLoss();
  }
  if (!wrapped.ok()) return wrapped.status();
  absl::StatusOr<std::string> value = db_->Get(Cf::kMembers, row);
  // A data key without its record is damage, not absence.
  if (absl::IsNotFound(value.status())) return DataLoss();
  if (!value.ok()) return value.status();
  rows->wrapped = *std::move(wrapped);
  rows->record = *std::move(value);
  return absl::OkStatus();
}

absl::StatusOr<crypto::SecureBytes> RocksMemberStore::OpenRows(
    absl::string_view insurer_id, absl::string_view member_id,
    const MemberRows& rows, StoredMember* stored) const {
  if (!stored->ParseFromString(rows.record) ||
      stored->member_id() != member_id) {
    return DataLoss();
  }
  absl::StatusOr<crypto::SecureBytes> dek =
      keys_->UnwrapDataKey(insurer_id, member_id, rows.wrapped);
  if (absl::IsDataLoss(dek.status())) return DataLoss();
  return dek;
}

absl::StatusOr<std::string> RocksMemberStore::AdherentNumberOf(
    absl::string_view insurer_id, absl::string_view member_id) const {
  MemberRows rows;
  if (absl::Status read = ReadRows(insurer_id, member_id, Lookup::kById, &rows);
      !read.ok()) {
    return SealedAware(read);
  }
  StoredMember stored;
  absl::StatusOr<crypto::SecureBytes> dek =
      OpenRows(insurer_id, member_id, rows, &stored);
  if (!dek.ok()) return SealedAware(dek.status());
  absl::StatusOr<std::vector<std::string>> fields =
      OpenMemberFields(*dek, insurer_id, member_id, stored);
  if (absl::IsDataLoss(fields.status())) return DataLoss();
  if (!fields.ok()) return SealedAware(fields.status());
  return std::move((*fields)[kAdherentNumberAt]);
}

absl::StatusOr<Member> RocksMemberStore::Decode(absl::string_view insurer_id,
                                                absl::string_view member_id,
                                                Lookup lookup) const {
  MemberRows rows;
  TPP_RETURN_IF_ERROR(ReadRows(insurer_id, member_id, lookup, &rows));
  return DecodeRows(insurer_id, member_id, rows);
}

absl::StatusOr<Member> RocksMemberStore::DecodeRows(
    absl::string_view insurer_id, absl::string_view member_id,
    const MemberRows& rows) const {
  StoredMember stored;
  absl::StatusOr<crypto::SecureBytes> dek =
      OpenRows(insurer_id, member_id, rows, &stored);
  if (!dek.ok()) return dek.status();

  absl::StatusOr<std::vector<std::string>> fields =
      OpenMemberFields(*dek, insurer_id, member_id, stored);
  if (!fields.ok()) {
    return absl::IsDataLoss(fields.status()) ? DataLoss() : fields.status();
  }
  std::vector<std::string>& f = *fields;
  Member member;
  member.member_id = std::string(member_id);
  member.adherent_number = std::move(f[kAdherentNumberAt]);
  const std::string& nir = f[kNirAt];
  const std::string& birth_date = f[kBirthDateAt];
  const std::string& birth_rank = f[kBirthRankAt];
  member.last_name = std::move(f[kLastNameAt]);
  member.first_name = std::move(f[kFirstNameAt]);
  const std::string& relationship = f[kRelationshipAt];
  const std::string& marital = f[kMaritalStatusAt];
  member.contract_id = std::move(f[kContractIdAt]);
  const std::string& from = f[kCoverageFromAt];
  const std::string& to = f[kCoverageToAt];

  // What decrypted was written by Stage(): anything else is damage.
  absl::StatusOr<Nir> parsed_nir = Nir::Parse(nir);
  absl::StatusOr<Date> parsed_birth = Date::Parse(birth_date);
  absl::StatusOr<Date> parsed_from = Date::Parse(from);
  absl::StatusOr<Date> parsed_to = Date::Parse(to);
  int rank = 0, rel = 0, mar = 0;
  if (!parsed_nir.ok() || !parsed_birth.ok() || !parsed_from.ok() ||
      !parsed_to.ok() || !absl::SimpleAtoi(birth_rank, &rank) ||
      !absl::SimpleAtoi(relationship, &rel) ||
      !absl::SimpleAtoi(marital, &mar) || rel < 1 || rel > 4 || mar < 0 ||
      mar > 6) {
    return DataLoss();
  }
  member.key = {*parsed_nir, *parsed_birth, rank};
  member.relationship = static_cast<Relationship>(rel);
  member.marital_status = static_cast<MaritalStatus>(mar);
  member.coverage_from = *parsed_from;
  member.coverage_to = *parsed_to;
  return member;
}

absl::StatusOr<std::shared_ptr<const RocksMemberStore::BlindKey>>
RocksMemberStore::GetBlindKey(const std::string& insurer_id, bool create,
                              bool* durable) const {
  absl::MutexLock lock(&mu_);
  auto it = blind_keys_.find(insurer_id);
  if (it != blind_keys_.end() && !it->second.key->key.wiped()) {
    if (durable != nullptr) *durable = it->second.durable;
    return it->second.key;
  }
  // Not cached (or wiped by sealing): from disk, or a new one. Under mu_ so
  // that two imports never make two keys for one insurer.
  const std::string row = RowKey(insurer_id, kBlindIndexRecord);
  auto stored = std::make_shared<BlindKey>();
  bool on_disk = false;
  absl::StatusOr<std::string> wrapped = db_->Get(Cf::kMemberKeys, row);
  if (wrapped.ok()) {
    absl::StatusOr<crypto::SecureBytes> key =
        keys_->UnwrapDataKey(insurer_id, kBlindIndexRecord, *wrapped);
    if (absl::IsDataLoss(key.status())) return DataLoss();
    if (!key.ok()) return key.status();
    stored->key = *std::move(key);
    stored->wrapped = *std::move(wrapped);
    on_disk = true;
  } else if (!absl::IsNotFound(wrapped.status())) {
    return wrapped.status();
  } else if (!create) {
    return absl::NotFoundError("no such member");
  } else {
    TPP_ASSIGN_OR_RETURN(stored->key, keys_->NewDataKey());
    TPP_ASSIGN_OR_RETURN(
        stored->wrapped,
        keys_->WrapDataKey(insurer_id, kBlindIndexRecord, stored->key));
  }
  blind_keys_[insurer_id] = BlindKeyEntry{stored, on_disk};
  if (durable != nullptr) *durable = on_disk;
  return std::shared_ptr<const BlindKey>(stored);
}

void RocksMemberStore::MarkBlindKeyDurable(const std::string& insurer_id) {
  absl::MutexLock lock(&mu_);
  auto it = blind_keys_.find(insurer_id);
  if (it != blind_keys_.end()) it->second.durable = true;
}

absl::StatusOr<std::string> RocksMemberStore::IndexOf(
    const std::string& insurer_id, const BeneficiaryKey& key) const {
  TPP_ASSIGN_OR_RETURN(std::shared_ptr<const BlindKey> blind,
                       GetBlindKey(insurer_id, /*create=*/false, nullptr));
  return crypto::BlindIndex(blind->key, key.nir.digits(),
                            key.birth_date.ToString(), key.birth_rank);
}

absl::StatusOr<Member> RocksMemberStore::Find(absl::string_view insurer_id,
                                              const BeneficiaryKey& key) const {
  if (keys_->IsSealed()) return KeysSealed();
  absl::StatusOr<Member> member = FindUnsealed(insurer_id, key);
  if (!member.ok()) return SealedAware(member.status());
  return member;
}

absl::StatusOr<Member> RocksMemberStore::FindUnsealed(
    absl::string_view insurer_id, const BeneficiaryKey& key) const {
  TPP_ASSIGN_OR_RETURN(std::string index,
                       IndexOf(std::string(insurer_id), key));
  const std::string index_row = RowKey(insurer_id, index);
  MemberRows rows;
  const bool cached = read_cache_.Get(index_row, &rows);
  // Before the Gets: a write landing meanwhile keeps them out of the cache.
  const uint64_t generation = read_cache_.generation();
  if (!cached) {
    absl::StatusOr<std::string> id = db_->Get(Cf::kMemberIndex, index_row);
    if (absl::IsNotFound(id.status())) {
      SpendDecoyWork();
      return absl::NotFoundError("no such member");
    }
    if (!id.ok()) return id.status();
    rows.member_id = *std::move(id);
    TPP_RETURN_IF_ERROR(
        ReadRows(insurer_id, rows.member_id, Lookup::kByIndex, &rows));
  }
  TPP_ASSIGN_OR_RETURN(Member member,
                       DecodeRows(insurer_id, rows.member_id, rows));
  // The index entry must lead to the beneficiary it was computed from.
  if (member.key.nir != key.nir || member.key.birth_date != key.birth_date ||
      member.key.birth_rank != key.birth_rank) {
    return DataLoss();
  }
  // Only rows that opened whole are kept.
  if (!cached) read_cache_.Put(index_row, std::move(rows), generation);
  return member;
}

void RocksMemberStore::Erase(const std::string& insurer_id,
                             const BeneficiaryKey& key,
                             std::vector<AuditEvent> audit, Done done) {
  if (keys_->IsSealed()) {
    done(KeysSealed());
    return;
  }
  absl::StatusOr<std::string> index = IndexOf(insurer_id, key);
  if (!index.ok()) {
    done(SealedAware(index.status()));
    return;
  }
  std::string index_key = RowKey(insurer_id, *index);
  absl::StatusOr<std::string> id = db_->Get(Cf::kMemberIndex, index_key);
  if (absl::IsNotFound(id.status())) {
    done(absl::NotFoundError("no such member"));
    return;
  }
  if (!id.ok()) {
    done(id.status());
    return;
  }
  // The last moment the adherent number can be read. A record that no
  // longer decrypts is erased all the same, audited by its id alone.
  absl::StatusOr<std::string> adherent = AdherentNumberOf(insurer_id, *id);
  for (AuditEvent& event : audit) {
    event.members.push_back({*id, adherent.ok() ? *adherent : ""});
  }
  std::string row = RowKey(insurer_id, *id);
  rocksdb::WriteBatch batch;
  batch.Delete(db_->cf(Cf::kMemberKeys), row);
  batch.Delete(db_->cf(Cf::kMemberIndex), index_key);
  batch.Delete(db_->cf(Cf::kMembers), row);
  commits_->Commit(std::move(batch), AuditPayloadsOf(audit),
                   [this, index_key = std::move(index_key),
                    done = std::move(done)](absl::Status s) {
                     read_cache_.Written(index_key);
                     done(std::move(s));
                   });
}

void RocksMemberStore::MemberKeysRewritten() { read_cache_.Written(); }

absl::StatusOr<Member> RocksMemberStore::FindById(
    absl::string_view insurer_id, absl::string_view member_id) const {
  absl::StatusOr<Member> member = Decode(insurer_id, member_id, Lookup::kById);
  if (!member.ok()) return SealedAware(member.status());
  return member;
}

absl::StatusOr<bool> RocksMemberStore::KnowsInsurer(
    absl::string_view insurer_id) const {
  bool known = false;
  absl::Status scanned =
      db_->Scan(Cf::kContracts, RowKey(insurer_id, ""), "",
                [&known](absl::string_view, absl::string_view) {
                  known = true;
                  return absl::CancelledError();  // one contract is enough
                });
  if (!scanned.ok()) return scanned;
  return known;
}

void RocksMemberStore::SpendDecoyWork() const {
  struct Decoy {
    crypto::SecureBytes dek;
    std::string ciphertext;
  };
  // A throwaway key and a field-sized ciphertext, made once.
  static const Decoy* decoy = []() -> const Decoy* {
    absl::StatusOr<crypto::SecureBytes> dek = crypto::SecureBytes::Random(32);
    if (!dek.ok()) return nullptr;
    absl::StatusOr<std::string> ciphertext = crypto::EncryptField(
        *dek, "decoy", "decoy", "decoy", std::string(200, 'x'));
    if (!ciphertext.ok()) return nullptr;
    return new Decoy{*std::move(dek), *std::move(ciphertext)};
  }();
  if (decoy == nullptr) return;
  // Decode() opens the wrapped data key and one sealed record.
  for (int i = 0; i < 2; ++i) {
    absl::StatusOr<std::string> plain = crypto::DecryptField(
        decoy->dek, "decoy", "decoy", "decoy", decoy->ciphertext);
    (void)plain;
  }
}

}  // namespace tpp::storage
