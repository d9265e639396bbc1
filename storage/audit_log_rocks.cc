#include "storage/audit_log_rocks.h"

#include <openssl/evp.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "storage/audit_keys.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

// Records fetched per MultiGet by a credential scan.
constexpr size_t kScanChunk = 1024;

uint64_t ReadBigEndian64(absl::string_view bytes) {
  uint64_t value = 0;
  for (size_t i = 0; i < 8; ++i) {
    value = (value << 8) | static_cast<unsigned char>(bytes[i]);
  }
  return value;
}

std::string Sha256(absl::string_view bytes) {
  std::string digest(kAuditHashBytes, '\0');
  unsigned int size = 0;
  EVP_Digest(bytes.data(), bytes.size(),
             reinterpret_cast<unsigned char*>(digest.data()), &size,
             EVP_sha256(), nullptr);
  return digest;
}

// The sequence of an 'r' or 'k' key; 0 when it is not one.
uint64_t SequenceOfKey(absl::string_view key, char prefix) {
  if (key.size() != 9 || key[0] != prefix) return 0;
  return ReadBigEndian64(key.substr(1));
}

// Fills `record` from `stored`, reusing its strings' memory: scans decode
// up to millions of records into one AuditRecord.
void RecordOf(const StoredAuditRecord& stored, AuditRecord* record) {
  record->sequence = stored.sequence();
  record->time = absl::FromUnixMicros(stored.time_us());
  AuditEvent& event = record->event;
  event.caller.assign(stored.caller());
  event.caller_role.assign(stored.caller_role());
  event.caller_id.assign(stored.caller_id());
  event.method.assign(stored.method());
  event.insurer_id.assign(stored.insurer_id());
  event.members.resize(static_cast<size_t>(stored.members_size()));
  for (int i = 0; i < stored.members_size(); ++i) {
    AuditMember& member = event.members[static_cast<size_t>(i)];
    member.member_id.assign(stored.members(i).member_id());
    member.adherent_number.assign(stored.members(i).adherent_number());
  }
  event.categories = stored.categories();
  event.outcome = static_cast<absl::StatusCode>(stored.outcome());
  event.reason.assign(stored.reason());
  event.object.assign(stored.object());
  event.count = stored.count();
}

AuditCheckpoint CheckpointOf(const StoredAuditCheckpoint& stored) {
  return AuditCheckpoint{stored.sequence(), stored.head_hash(),
                         absl::FromUnixMicros(stored.time_us()),
                         stored.public_key(), stored.signature()};
}

absl::Status DataLoss(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("audit chain: ", what));
}

}  // namespace

std::string AuditRecordKey(uint64_t sequence) {
  std::string key(1, kAuditRecordPrefix);
  AppendBigEndian64(sequence, &key);
  return key;
}

std::string AuditCheckpointKey(uint64_t sequence) {
  std::string key(1, kAuditCheckpointPrefix);
  AppendBigEndian64(sequence, &key);
  return key;
}

std::string AuditCredentialKey(absl::string_view credential, int64_t time_us,
                               uint64_t sequence) {
  std::string key;
  key.reserve(1 + credential.size() + 1 + kAuditCredentialSuffixBytes);
  key.push_back(kAuditCredentialPrefix);
  key.append(credential.data(), credential.size());
  key.push_back('\0');
  AppendBigEndian64(static_cast<uint64_t>(std::max<int64_t>(time_us, 0)), &key);
  AppendBigEndian64(sequence, &key);
  return key;
}

AuditPayload AuditPayloadOf(const AuditEvent& event) {
  StoredAuditRecord body;
  body.set_caller(event.caller);
  body.set_caller_role(event.caller_role);
  body.set_caller_id(event.caller_id);
  body.set_method(event.method);
  body.set_insurer_id(event.insurer_id);
  for (const AuditMember& member : event.members) {
    StoredAuditMember* stored = body.add_members();
    stored->set_member_id(member.member_id);
    stored->set_adherent_number(member.adherent_number);
  }
  body.set_categories(event.categories);
  body.set_outcome(static_cast<int32_t>(event.outcome));
  body.set_reason(event.reason);
  body.set_object(event.object);
  body.set_count(event.count);
  return AuditPayload{event.caller, body.SerializeAsString()};
}

std::vector<AuditPayload> AuditPayloadsOf(
    const std::vector<AuditEvent>& events) {
  std::vector<AuditPayload> payloads;
  payloads.reserve(events.size());
  for (const AuditEvent& event : events) {
    payloads.push_back(AuditPayloadOf(event));
  }
  return payloads;
}

void AppendAuditMembers(const std::vector<AuditMember>& members,
                        std::string* body) {
  // Wire format: a tag byte (field number << 3 | 2, length-delimited),
  // then a varint length, then the bytes.
  auto append_varint = [](uint64_t value, std::string* out) {
    while (value >= 0x80) {
      out->push_back(static_cast<char>((value & 0x7f) | 0x80));
      value >>= 7;
    }
    out->push_back(static_cast<char>(value));
  };
  auto varint_bytes = [](uint64_t value) {
    size_t n = 1;
    for (; value >= 0x80; value >>= 7) ++n;
    return n;
  };
  auto field_bytes = [&](absl::string_view value) -> size_t {
    return value.empty() ? 0 : 1 + varint_bytes(value.size()) + value.size();
  };
  constexpr char kMembersTag = (9 << 3) | 2;  // StoredAuditRecord.members
  constexpr char kMemberIdTag = (1 << 3) | 2;
  constexpr char kAdherentNumberTag = (2 << 3) | 2;
  size_t bytes = 0;
  for (const AuditMember& member : members) {
    const size_t inner =
        field_bytes(member.member_id) + field_bytes(member.adherent_number);
    bytes += 1 + varint_bytes(inner) + inner;
  }
  body->reserve(body->size() + bytes);
  for (const AuditMember& member : members) {
    body->push_back(kMembersTag);
    append_varint(
        field_bytes(member.member_id) + field_bytes(member.adherent_number),
        body);
    for (const auto& [tag, value] :
         {std::pair<char, absl::string_view>{kMemberIdTag, member.member_id},
          {kAdherentNumberTag, member.adherent_number}}) {
      if (value.empty()) continue;  // proto3: an empty string is absent
      body->push_back(tag);
      append_varint(value.size(), body);
      body->append(value.data(), value.size());
    }
  }
}

RocksAuditLog::RocksAuditLog(Db* db, CommitQueue* commits,
                             const Options& options, Head head,
                             uint64_t checkpointed)
    : db_(db), commits_(commits), options_(options) {
  head_ = head;
  sealing_ = head;
  checkpointed_ = checkpointed;
  checkpoint_sealing_ = checkpointed;
  last_checkpoint_us_ = NowMicros();
}

int64_t RocksAuditLog::NowMicros() const {
  return absl::ToUnixMicros(options_.now ? options_.now() : absl::Now());
}

absl::StatusOr<std::unique_ptr<RocksAuditLog>> RocksAuditLog::Open(
    Db* db, CommitQueue* commits, const Options& options) {
  Head head;
  uint64_t checkpointed = 0;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(Cf::kAudit));
  // The last record: the greatest 'r' key.
  it->SeekForPrev(AuditRecordKey(~uint64_t{0}));
  if (it->Valid()) {
    const absl::string_view key(it->key().data(), it->key().size());
    if (const uint64_t sequence = SequenceOfKey(key, kAuditRecordPrefix);
        sequence != 0) {
      StoredAuditRecord stored;
      const absl::string_view value(it->value().data(), it->value().size());
      if (!stored.ParseFromArray(value.data(),
                                 static_cast<int>(value.size()))) {
        return DataLoss("the last record does not decode");
      }
      head.sequence = sequence;
      head.hash = Sha256(value);
      head.time_us = stored.time_us();
    }
  }
  it->SeekForPrev(AuditCheckpointKey(~uint64_t{0}));
  if (it->Valid()) {
    const absl::string_view key(it->key().data(), it->key().size());
    checkpointed = SequenceOfKey(key, kAuditCheckpointPrefix);
  }
  if (!it->status().ok()) return FromRocks(it->status(), "reading the audit");
  if (checkpointed > head.sequence) {
    // Records a signed checkpoint covered are gone: say it loudly; Verify
    // names the first missing one.
    Log(LogLevel::kError, "audit_chain_truncated",
        {{"head", static_cast<int64_t>(head.sequence)},
         {"checkpoint", static_cast<int64_t>(checkpointed)}});
  }
  auto log = std::unique_ptr<RocksAuditLog>(
      new RocksAuditLog(db, commits, options, head, checkpointed));
  commits->SetAuditSealer(log.get());
  return log;
}

void RocksAuditLog::SetSigner(std::unique_ptr<crypto::AuditSigner> signer) {
  absl::MutexLock lock(&mu_);
  signer_ = std::move(signer);
}

void RocksAuditLog::Record(std::vector<AuditEvent> events, Done done) {
  commits_->Commit(rocksdb::WriteBatch(), AuditPayloadsOf(events),
                   std::move(done));
}

uint64_t RocksAuditLog::HeadSequence() const {
  absl::MutexLock lock(&mu_);
  return head_.sequence;
}

absl::StatusOr<std::string> RocksAuditLog::RecordHash(uint64_t sequence) const {
  TPP_ASSIGN_OR_RETURN(std::string value,
                       db_->Get(Cf::kAudit, AuditRecordKey(sequence)));
  return Sha256(value);
}

std::string RocksAuditLog::PublicKey() const {
  absl::MutexLock lock(&mu_);
  return signer_ == nullptr ? std::string() : signer_->public_key();
}

void RocksAuditLog::Seal(const std::vector<const AuditPayload*>& records,
                         rocksdb::WriteBatch* batch) {
  absl::MutexLock lock(&mu_);
  sealing_ = head_;
  checkpoint_sealing_ = checkpointed_;
  const int64_t now = NowMicros();
  rocksdb::ColumnFamilyHandle* const cf = db_->cf(Cf::kAudit);
  StoredAuditRecord chain;
  std::string value;
  for (const AuditPayload* record : records) {
    const uint64_t sequence = sealing_.sequence + 1;
    const int64_t time_us = std::max(now, sealing_.time_us);
    chain.set_sequence(sequence);
    chain.set_prev_hash(sealing_.hash);
    chain.set_time_us(time_us);
    value.clear();
    chain.AppendToString(&value);
    value += record->body;
    std::string hash = Sha256(value);
    batch->Put(cf, AuditRecordKey(sequence), value);
    batch->Put(cf, AuditCredentialKey(record->credential, time_us, sequence),
               rocksdb::Slice());
    sealing_ = Head{sequence, std::move(hash), time_us};
  }
  const bool due =
      sealing_.sequence > checkpointed_ &&
      (force_checkpoint_ ||
       sealing_.sequence - checkpointed_ >= options_.checkpoint_records ||
       now - last_checkpoint_us_ >=
           absl::ToInt64Microseconds(options_.checkpoint_interval));
  if (!due || signer_ == nullptr) return;
  const absl::Time at = absl::FromUnixMicros(sealing_.time_us);
  absl::StatusOr<std::string> signature =
      signer_->Sign(CheckpointMessage(sealing_.sequence, sealing_.hash, at));
  if (!signature.ok()) {
    Log(LogLevel::kError, "audit_checkpoint_unsigned",
        {{"sequence", static_cast<int64_t>(sealing_.sequence)}});
    return;
  }
  StoredAuditCheckpoint checkpoint;
  checkpoint.set_sequence(sealing_.sequence);
  checkpoint.set_head_hash(sealing_.hash);
  checkpoint.set_time_us(sealing_.time_us);
  checkpoint.set_public_key(signer_->public_key());
  checkpoint.set_signature(*signature);
  batch->Put(cf, AuditCheckpointKey(sealing_.sequence),
             checkpoint.SerializeAsString());
  checkpoint_sealing_ = sealing_.sequence;
}

void RocksAuditLog::Written(bool ok) {
  absl::MutexLock lock(&mu_);
  if (ok) {
    head_ = sealing_;
    if (checkpoint_sealing_ > checkpointed_) {
      checkpointed_ = checkpoint_sealing_;
      last_checkpoint_us_ = NowMicros();
      force_checkpoint_ = false;
    }
  } else {
    sealing_ = head_;
    checkpoint_sealing_ = checkpointed_;
  }
}

absl::Status RocksAuditLog::CheckpointNow() {
  {
    absl::MutexLock lock(&mu_);
    if (signer_ == nullptr || head_.sequence <= checkpointed_) {
      return absl::OkStatus();
    }
    force_checkpoint_ = true;
  }
  return commits_->CommitAndWait(rocksdb::WriteBatch());
}

absl::StatusOr<ChainVerification> RocksAuditLog::Verify(uint64_t from,
                                                        uint64_t to) const {
  Head head;
  {
    absl::MutexLock lock(&mu_);
    head = head_;
  }
  if (to == 0 || to > head.sequence) to = head.sequence;
  if (from == 0) from = 1;
  // The earliest break found by either pass (signatures, then the chain):
  // what the caller is told.
  struct Break {
    uint64_t sequence = 0;
    std::string detail;
  };
  std::optional<Break> earliest;
  auto broken = [&](uint64_t sequence, std::string detail) {
    if (!earliest.has_value() || sequence < earliest->sequence) {
      earliest = Break{sequence, std::move(detail)};
    }
  };
  ChainVerification result;
  auto finish = [&](const std::string& prev_hash) {
    result.head_hash = absl::BytesToHexString(prev_hash);
    if (earliest.has_value()) {
      result.ok = false;
      result.first_broken_sequence = earliest->sequence;
      result.detail = std::move(earliest->detail);
    } else {
      result.detail = absl::StrCat(result.records_checked, " records and ",
                                   result.checkpoints_checked,
                                   " signed checkpoints verified");
    }
    return result;
  };

  // The checkpoints of the range, checked against their signatures.
  absl::flat_hash_map<uint64_t, AuditCheckpoint> checkpoints;
  uint64_t last_checkpoint = 0;
  TPP_RETURN_IF_ERROR(db_->Scan(
      Cf::kAudit, std::string(1, kAuditCheckpointPrefix),
      AuditCheckpointKey(from),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        const uint64_t sequence = SequenceOfKey(key, kAuditCheckpointPrefix);
        StoredAuditCheckpoint stored;
        if (sequence == 0 ||
            !stored.ParseFromArray(value.data(),
                                   static_cast<int>(value.size())) ||
            stored.sequence() != sequence) {
          return DataLoss(
              absl::StrCat("checkpoint ", sequence, " does not decode"));
        }
        checkpoints.emplace(sequence, CheckpointOf(stored));
        last_checkpoint = std::max(last_checkpoint, sequence);
        return absl::OkStatus();
      }));
  for (const auto& [sequence, checkpoint] : checkpoints) {
    if (sequence > to && sequence <= head.sequence) continue;
    if (!crypto::VerifyEd25519(
            checkpoint.public_key,
            CheckpointMessage(sequence, checkpoint.head_hash, checkpoint.time),
            checkpoint.signature)) {
      broken(sequence, absl::StrCat("checkpoint ", sequence,
                                    " has an invalid signature"));
    }
  }
  if (last_checkpoint > head.sequence) {
    broken(head.sequence + 1,
           absl::StrCat("records ", head.sequence + 1, "..", last_checkpoint,
                        " are covered by a signed checkpoint but missing"));
  }
  if (from > to) {
    if (!earliest.has_value()) {
      result.detail = "nothing to check";
      return result;
    }
    return finish(std::string());
  }

  std::string prev_hash(kAuditHashBytes, '\0');
  if (from > 1) {
    absl::StatusOr<std::string> before =
        db_->Get(Cf::kAudit, AuditRecordKey(from - 1));
    if (absl::IsNotFound(before.status())) {
      broken(from - 1, absl::StrCat("record ", from - 1, " is missing"));
      return finish(std::string());
    }
    TPP_RETURN_IF_ERROR(before.status());
    prev_hash = Sha256(*before);
  }

  // The chain, in order: the scan stops at its first break. A broken link
  // between k-1 and k means record k-1 changed (then the link k -> k+1
  // holds) or record k did (then it does not either).
  uint64_t suspect = 0;  // k, while waiting for record k+1
  std::string suspect_hash;
  uint64_t expected = from;
  bool stopped = false;
  auto stop = [&](uint64_t sequence, std::string detail) {
    broken(sequence, std::move(detail));
    stopped = true;
    return absl::CancelledError();
  };
  absl::Status scanned = db_->Scan(
      Cf::kAudit, std::string(1, kAuditRecordPrefix), AuditRecordKey(from),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        const uint64_t sequence = SequenceOfKey(key, kAuditRecordPrefix);
        if (sequence > to) return absl::CancelledError();
        StoredAuditRecord stored;
        const bool decodes =
            stored.ParseFromArray(value.data(), static_cast<int>(value.size()));
        std::string hash = Sha256(value);
        if (suspect != 0) {
          const bool next_link_holds = sequence == suspect + 1 && decodes &&
                                       stored.prev_hash() == suspect_hash;
          const uint64_t culprit = next_link_holds ? suspect - 1 : suspect;
          return stop(culprit, absl::StrCat("record ", culprit,
                                            " is not the one the chain holds"));
        }
        if (sequence != expected) {
          return stop(expected,
                      absl::StrCat("record ", expected, " is missing"));
        }
        if (!decodes || stored.sequence() != sequence) {
          return stop(sequence, absl::StrCat("record ", sequence,
                                             " is not at its place"));
        }
        auto checkpoint = checkpoints.find(sequence);
        if (checkpoint != checkpoints.end() &&
            checkpoint->second.head_hash != hash) {
          return stop(sequence, absl::StrCat("record ", sequence,
                                             " differs from its signed "
                                             "checkpoint"));
        }
        ++result.records_checked;
        if (checkpoint != checkpoints.end()) ++result.checkpoints_checked;
        if (stored.prev_hash() != prev_hash) {
          suspect = sequence;
          suspect_hash = hash;
        }
        prev_hash = std::move(hash);
        ++expected;
        return absl::OkStatus();
      });
  TPP_RETURN_IF_ERROR(scanned);
  if (!stopped && suspect != 0) {
    // The suspect is the last record of the range: look one further, or at
    // the head this node holds in memory.
    absl::StatusOr<std::string> next =
        db_->Get(Cf::kAudit, AuditRecordKey(suspect + 1));
    bool next_link_holds;
    if (next.ok()) {
      StoredAuditRecord stored;
      next_link_holds =
          stored.ParseFromString(*next) && stored.prev_hash() == prev_hash;
    } else {
      next_link_holds = suspect == head.sequence && prev_hash == head.hash;
    }
    const uint64_t culprit = next_link_holds ? suspect - 1 : suspect;
    broken(culprit,
           absl::StrCat("record ", culprit, " is not the one the chain holds"));
    stopped = true;
  }
  if (!stopped && expected <= to) {
    broken(expected, absl::StrCat("record ", expected, " is missing"));
    stopped = true;
  }
  if (!stopped && to == head.sequence && prev_hash != head.hash) {
    broken(to, absl::StrCat("record ", to, " differs from the head"));
  }
  return finish(prev_hash);
}

absl::Status RocksAuditLog::ScanCredential(const std::string& credential,
                                           absl::Time from, absl::Time to,
                                           const RecordVisitor& visit) const {
  std::string prefix(1, kAuditCredentialPrefix);
  prefix += credential;
  prefix.push_back('\0');
  const int64_t to_us = absl::ToUnixMicros(to);
  // A credential's records are scattered over the whole chain: one block
  // each, read once. Caching them would only evict what requests need.
  rocksdb::ReadOptions read;
  read.fill_cache = false;
  std::vector<uint64_t> sequences;
  auto flush = [&]() -> absl::Status {
    if (sequences.empty()) return absl::OkStatus();
    const size_t n = sequences.size();
    std::vector<std::string> keys;
    keys.reserve(n);
    for (uint64_t sequence : sequences) {
      keys.push_back(AuditRecordKey(sequence));
    }
    std::vector<rocksdb::Slice> slices(keys.begin(), keys.end());
    std::vector<rocksdb::PinnableSlice> values(n);
    std::vector<rocksdb::Status> got(n);
    // The batched MultiGet (one pass per SST file, blocks read once for
    // the keys they hold) on keys in order: the index holds a credential's
    // rows by time, and sequences grow with time.
    db_->raw()->MultiGet(
        read, db_->cf(Cf::kAudit), n, slices.data(), values.data(), got.data(),
        /*sorted_input=*/std::is_sorted(keys.begin(), keys.end()));
    StoredAuditRecord stored;
    AuditRecord record;
    for (size_t i = 0; i < n; ++i) {
      if (got[i].IsNotFound()) {
        return DataLoss(absl::StrCat("record ", sequences[i],
                                     " of the credential index is missing"));
      }
      TPP_RETURN_IF_ERROR(FromRocks(got[i], "reading the audit"));
      if (!stored.ParseFromArray(values[i].data(),
                                 static_cast<int>(values[i].size())) ||
          stored.sequence() != sequences[i] || stored.caller() != credential) {
        return DataLoss(absl::StrCat("record ", sequences[i],
                                     " disagrees with the credential index"));
      }
      RecordOf(stored, &record);
      TPP_RETURN_IF_ERROR(visit(record));
    }
    sequences.clear();
    return absl::OkStatus();
  };
  TPP_RETURN_IF_ERROR(db_->Scan(
      Cf::kAudit, prefix,
      AuditCredentialKey(credential, absl::ToUnixMicros(from), 0),
      [&](absl::string_view key, absl::string_view) -> absl::Status {
        if (key.size() != prefix.size() + kAuditCredentialSuffixBytes) {
          return DataLoss("a credential index key is malformed");
        }
        const int64_t time_us =
            static_cast<int64_t>(ReadBigEndian64(key.substr(prefix.size())));
        if (time_us > to_us) return absl::CancelledError();
        sequences.push_back(ReadBigEndian64(key.substr(prefix.size() + 8)));
        if (sequences.size() >= kScanChunk) return flush();
        return absl::OkStatus();
      }));
  return flush();
}

absl::Status RocksAuditLog::ScanNewestAfter(absl::Time after,
                                            const RecordVisitor& visit) const {
  const int64_t after_us = absl::ToUnixMicros(after);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Cf::kAudit));
  StoredAuditRecord stored;
  AuditRecord record;
  for (it->SeekForPrev(AuditRecordKey(~uint64_t{0})); it->Valid(); it->Prev()) {
    const absl::string_view key(it->key().data(), it->key().size());
    const uint64_t sequence = SequenceOfKey(key, kAuditRecordPrefix);
    if (sequence == 0) break;  // past the first record
    if (!stored.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size())) ||
        stored.sequence() != sequence) {
      return DataLoss(absl::StrCat("record ", sequence, " does not decode"));
    }
    // Times never decrease along the chain.
    if (stored.time_us() <= after_us) break;
    RecordOf(stored, &record);
    absl::Status visited = visit(record);
    if (absl::IsCancelled(visited)) return absl::OkStatus();
    TPP_RETURN_IF_ERROR(visited);
  }
  return FromRocks(it->status(), "reading the audit");
}

absl::StatusOr<std::vector<AuditCheckpoint>> RocksAuditLog::Checkpoints(
    uint64_t from, size_t max) const {
  std::vector<AuditCheckpoint> checkpoints;
  TPP_RETURN_IF_ERROR(db_->Scan(
      Cf::kAudit, std::string(1, kAuditCheckpointPrefix),
      AuditCheckpointKey(from),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (checkpoints.size() >= max) return absl::CancelledError();
        StoredAuditCheckpoint stored;
        if (SequenceOfKey(key, kAuditCheckpointPrefix) == 0 ||
            !stored.ParseFromArray(value.data(),
                                   static_cast<int>(value.size()))) {
          return DataLoss("a checkpoint does not decode");
        }
        checkpoints.push_back(CheckpointOf(stored));
        return absl::OkStatus();
      }));
  return checkpoints;
}

}  // namespace tpp::storage
