// The isolation store on the control column family:
//   "isolation/state"        StoredIsolation, replaced whole on each change
//   "isolation/unreadable"   the last state that failed to parse, kept for
//                            investigation when the node failed closed
//   "log/<16 hex seq>"       StoredControlEvent, append-only
// Every write is one synced WriteBatch through the commit queue.
//
// Thread-safe. Save and Append must be called in the order the writes are
// meant to reach disk (the isolation switch serializes them).
#ifndef TPP_STORAGE_ISOLATION_STORE_ROCKS_H_
#define TPP_STORAGE_ISOLATION_STORE_ROCKS_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "services/isolation/isolation_store.h"
#include "storage/commit_queue.h"
#include "storage/db.h"

namespace tpp::storage {

class RocksIsolationStore final : public isolation::IsolationStore {
 public:
  static constexpr uint32_t kIsolationFormat = 1;
  static constexpr char kStateKey[] = "isolation/state";
  static constexpr char kUnreadableKey[] = "isolation/unreadable";
  static constexpr char kLogPrefix[] = "log/";

  // `db` and `commits` outlive the store.
  RocksIsolationStore(Db* db, CommitQueue* commits);

  absl::StatusOr<isolation::LoadedState> Load() override;
  void Save(const isolation::IsolationState& state,
            std::vector<isolation::ControlEvent> events,
            std::vector<AuditEvent> audit, Done done) override;
  void Append(std::vector<isolation::ControlEvent> events,
              std::vector<AuditEvent> audit, Done done) override;

  // The control log, oldest first, at most `limit` events (tests, tools).
  absl::StatusOr<std::vector<isolation::ControlEvent>> ReadLog(
      size_t limit) const;

 private:
  // Whether the node holds data: then a missing state is not a fresh node.
  absl::StatusOr<bool> HoldsData() const;
  void AddEvents(const std::vector<isolation::ControlEvent>& events,
                 rocksdb::WriteBatch* batch);
  absl::Status AddState(const isolation::IsolationState& state,
                        rocksdb::WriteBatch* batch);

  Db* const db_;
  CommitQueue* const commits_;
  std::atomic<uint64_t> next_seq_{1};
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_ISOLATION_STORE_ROCKS_H_
