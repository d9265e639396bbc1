#include "storage/isolation_store_rocks.h"

#include <memory>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "storage/audit_log_rocks.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

using isolation::ControlEvent;
using isolation::IsolationRecord;
using isolation::IsolationState;
using isolation::LoadedState;

// Column families whose content means the node has served before.
constexpr Cf kDataFamilies[] = {Cf::kMembers, Cf::kMemberKeys, Cf::kContracts,
                                Cf::kClaims, Cf::kLedger};

int64_t Micros(absl::Time t) { return absl::ToUnixMicros(t); }
absl::Time FromMicros(int64_t us) { return absl::FromUnixMicros(us); }

std::string LogKey(uint64_t seq) {
  return absl::StrFormat("%s%016x", RocksIsolationStore::kLogPrefix, seq);
}

StoredIsolation ToStored(const IsolationRecord& record) {
  StoredIsolation out;
  out.set_format(RocksIsolationStore::kIsolationFormat);
  out.set_generation(record.generation);
  out.set_next_proposal(record.next_proposal);
  for (const isolation::ScopeState& s : record.scopes) {
    StoredScope* scope = out.add_scopes();
    scope->set_kind(static_cast<int>(s.scope.kind));
    scope->set_id(s.scope.id);
    scope->set_state(static_cast<int>(s.state));
    scope->set_reason(s.reason);
    scope->set_changed_by(s.changed_by);
    scope->set_changed_at_us(Micros(s.changed_at));
    for (const std::string& id : s.allowlist) scope->add_allowlist(id);
  }
  for (const isolation::Proposal& p : record.proposals) {
    StoredProposal* proposal = out.add_proposals();
    proposal->set_id(p.id);
    proposal->set_scope_kind(static_cast<int>(p.scope.kind));
    proposal->set_scope_id(p.scope.id);
    proposal->set_target(static_cast<int>(p.target));
    for (const std::string& id : p.allowlist) proposal->add_allowlist(id);
    proposal->set_reason(p.reason);
    proposal->set_proposed_by(p.proposed_by);
    for (const std::string& op : p.approved_by) proposal->add_approved_by(op);
    proposal->set_created_at_us(Micros(p.created_at));
    proposal->set_expires_at_us(Micros(p.expires_at));
  }
  out.set_sealed(record.sealed);
  out.set_sealed_master_version(record.sealed_master_version);
  out.set_sealed_key_check(record.sealed_key_check);
  return out;
}

bool ValidKind(int kind) { return kind >= 1 && kind <= 4; }
bool ValidState(int state) { return state >= 1 && state <= 3; }

absl::StatusOr<IsolationState> FromStored(const std::string& bytes) {
  StoredIsolation in;
  if (!in.ParseFromString(bytes) ||
      in.format() != RocksIsolationStore::kIsolationFormat) {
    return absl::DataLossError("isolation state unreadable");
  }
  IsolationRecord record;
  record.generation = in.generation();
  record.next_proposal = in.next_proposal();
  for (const StoredScope& s : in.scopes()) {
    if (!ValidKind(s.kind()) || !ValidState(s.state())) {
      return absl::DataLossError("isolation scope unreadable");
    }
    isolation::ScopeState scope;
    scope.scope = {static_cast<isolation::ScopeKind>(s.kind()), s.id()};
    scope.state = static_cast<isolation::State>(s.state());
    scope.reason = s.reason();
    scope.changed_by = s.changed_by();
    scope.changed_at = FromMicros(s.changed_at_us());
    scope.allowlist.assign(s.allowlist().begin(), s.allowlist().end());
    record.scopes.push_back(std::move(scope));
  }
  for (const StoredProposal& p : in.proposals()) {
    if (!ValidKind(p.scope_kind()) || !ValidState(p.target())) {
      return absl::DataLossError("isolation proposal unreadable");
    }
    isolation::Proposal proposal;
    proposal.id = p.id();
    proposal.scope = {static_cast<isolation::ScopeKind>(p.scope_kind()),
                      p.scope_id()};
    proposal.target = static_cast<isolation::State>(p.target());
    proposal.allowlist.assign(p.allowlist().begin(), p.allowlist().end());
    proposal.reason = p.reason();
    proposal.proposed_by = p.proposed_by();
    proposal.approved_by.assign(p.approved_by().begin(), p.approved_by().end());
    proposal.created_at = FromMicros(p.created_at_us());
    proposal.expires_at = FromMicros(p.expires_at_us());
    record.proposals.push_back(std::move(proposal));
  }
  record.sealed = in.sealed();
  record.sealed_master_version = in.sealed_master_version();
  record.sealed_key_check = in.sealed_key_check();
  return IsolationState::FromRecord(std::move(record));
}

}  // namespace

RocksIsolationStore::RocksIsolationStore(Db* db, CommitQueue* commits)
    : db_(db), commits_(commits) {}

absl::StatusOr<bool> RocksIsolationStore::HoldsData() const {
  for (Cf cf : kDataFamilies) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(cf));
    it->SeekToFirst();
    if (it->Valid()) return true;
    TPP_RETURN_IF_ERROR(FromRocks(it->status(), "scan"));
  }
  return false;
}

absl::StatusOr<LoadedState> RocksIsolationStore::Load() {
  // The next log sequence number follows the last stored one.
  {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Cf::kControl));
    it->SeekForPrev(std::string(kLogPrefix) + "\xff");
    TPP_RETURN_IF_ERROR(FromRocks(it->status(), "control log"));
    uint64_t last = 0;
    if (it->Valid() && it->key().starts_with(kLogPrefix)) {
      std::string hex = it->key().ToString().substr(sizeof(kLogPrefix) - 1);
      if (!absl::SimpleHexAtoi(hex, &last)) last = 0;
    }
    next_seq_.store(last + 1);
  }
  const absl::Time now = absl::Now();
  LoadedState loaded;
  rocksdb::WriteBatch batch;
  absl::StatusOr<std::string> bytes = db_->Get(Cf::kControl, kStateKey);
  if (bytes.ok()) {
    absl::StatusOr<IsolationState> state = FromStored(*bytes);
    if (state.ok()) {
      loaded.origin = LoadedState::Origin::kStored;
      loaded.state = *std::move(state);
      return loaded;
    }
    batch.Put(db_->cf(Cf::kControl), kUnreadableKey, *bytes);
    loaded.origin = LoadedState::Origin::kFailClosed;
  } else if (absl::IsNotFound(bytes.status())) {
    TPP_ASSIGN_OR_RETURN(bool holds_data, HoldsData());
    bool logged = next_seq_.load() > 1;
    loaded.origin = holds_data || logged ? LoadedState::Origin::kFailClosed
                                         : LoadedState::Origin::kFresh;
  } else {
    return bytes.status();
  }
  std::vector<ControlEvent> events;
  if (loaded.origin == LoadedState::Origin::kFailClosed) {
    loaded.state = IsolationState::PlatformIsolated(
        "isolation state unreadable or missing at start-up", now);
    events.push_back({now, "state_unreadable", "tppd",
                      "platform isolated: the stored state could not be read"});
    Log(LogLevel::kError, "isolation_state_unreadable",
        {{"action", "platform isolated"}});
  } else {
    events.push_back({now, "initialized", "tppd", "a new node: platform OPEN"});
  }
  TPP_RETURN_IF_ERROR(AddState(loaded.state, &batch));
  AddEvents(events, &batch);
  TPP_RETURN_IF_ERROR(db_->WriteSync(&batch));
  return loaded;
}

absl::Status RocksIsolationStore::AddState(const IsolationState& state,
                                           rocksdb::WriteBatch* batch) {
  std::string bytes;
  if (!ToStored(state.ToRecord()).SerializeToString(&bytes)) {
    return absl::InternalError("cannot encode the isolation state");
  }
  // Checked right before it is written: what is stored must read back.
  if (!FromStored(bytes).ok()) {
    return absl::InternalError("the isolation state does not read back");
  }
  batch->Put(db_->cf(Cf::kControl), kStateKey, bytes);
  return absl::OkStatus();
}

void RocksIsolationStore::AddEvents(const std::vector<ControlEvent>& events,
                                    rocksdb::WriteBatch* batch) {
  for (const ControlEvent& e : events) {
    StoredControlEvent stored;
    const uint64_t seq = next_seq_.fetch_add(1);
    stored.set_seq(seq);
    stored.set_at_us(Micros(e.at));
    stored.set_kind(e.kind);
    stored.set_actor(e.actor);
    stored.set_detail(e.detail);
    batch->Put(db_->cf(Cf::kControl), LogKey(seq), stored.SerializeAsString());
  }
}

void RocksIsolationStore::Save(const IsolationState& state,
                               std::vector<ControlEvent> events,
                               std::vector<AuditEvent> audit, Done done) {
  rocksdb::WriteBatch batch;
  absl::Status encoded = AddState(state, &batch);
  if (!encoded.ok()) {
    done(encoded);
    return;
  }
  AddEvents(events, &batch);
  commits_->Commit(std::move(batch), AuditPayloadsOf(audit), std::move(done));
}

void RocksIsolationStore::Append(std::vector<ControlEvent> events,
                                 std::vector<AuditEvent> audit, Done done) {
  rocksdb::WriteBatch batch;
  AddEvents(events, &batch);
  commits_->Commit(std::move(batch), AuditPayloadsOf(audit), std::move(done));
}

absl::StatusOr<std::vector<ControlEvent>> RocksIsolationStore::ReadLog(
    size_t limit) const {
  std::vector<ControlEvent> out;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Cf::kControl));
  for (it->Seek(kLogPrefix);
       it->Valid() && it->key().starts_with(kLogPrefix) && out.size() < limit;
       it->Next()) {
    StoredControlEvent stored;
    if (!stored.ParseFromArray(it->value().data(),
                               static_cast<int>(it->value().size()))) {
      return absl::DataLossError("control log record unreadable");
    }
    out.push_back({FromMicros(stored.at_us()), stored.kind(), stored.actor(),
                   stored.detail()});
  }
  TPP_RETURN_IF_ERROR(FromRocks(it->status(), "control log"));
  return out;
}

}  // namespace tpp::storage
