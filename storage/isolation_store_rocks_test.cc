#include "storage/isolation_store_rocks.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/rocks_test_fixture.h"

namespace tpp::storage {
namespace {

using isolation::ControlEvent;
using isolation::IsolationState;
using isolation::LoadedState;
using isolation::Scope;
using isolation::ScopeKind;
using isolation::State;

constexpr char kAlice[] = "spiffe://tpp.local/operator/alice";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

class IsolationStoreTest : public RocksTest {
 protected:
  void OpenStores() override {
    store_ = std::make_unique<RocksIsolationStore>(db_.get(), commits_.get());
  }
  void CloseStores() override { store_.reset(); }
  absl::Status Save(const IsolationState& state,
                    std::vector<ControlEvent> events) {
    absl::Notification done;
    absl::Status status;
    store_->Save(state, std::move(events), {}, [&](absl::Status s) {
      status = s;
      done.Notify();
    });
    done.WaitForNotification();
    return status;
  }

  std::unique_ptr<RocksIsolationStore> store_;
};

TEST_F(IsolationStoreTest, FreshNodeStartsOpenAndRecordsIt) {
  absl::StatusOr<LoadedState> loaded = store_->Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kFresh);
  EXPECT_EQ(loaded->state.Get(Scope{}).state, State::kOpen);
  // The state is on disk from now on: the next start reads it back.
  Close();
  Open();
  loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kStored);
}

TEST_F(IsolationStoreTest, RestartLoadsTheSavedState) {
  ASSERT_TRUE(store_->Load().ok());
  IsolationState state;
  std::vector<ControlEvent> events;
  ASSERT_TRUE(state
                  .Isolate(Scope{ScopeKind::kInsurer, "100000001"}, "leak",
                           kAlice, kT0, &events)
                  .ok());
  state.SetSealed(true, 2, "0011223344556677", kAlice, kT0, &events);
  ASSERT_TRUE(Save(state, events).ok());
  Close();
  Open();
  absl::StatusOr<LoadedState> loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kStored);
  EXPECT_EQ(loaded->state.generation(), state.generation());
  {
    isolation::ScopeState s =
        loaded->state.Get(Scope{ScopeKind::kInsurer, "100000001"});
    EXPECT_EQ(s.state, State::kIsolated);
    EXPECT_EQ(s.reason, "leak");
    EXPECT_EQ(s.changed_by, kAlice);
    EXPECT_EQ(s.changed_at, kT0);
  }
  EXPECT_TRUE(loaded->state.sealed());
  EXPECT_EQ(loaded->state.sealed_master_version(), 2u);
  EXPECT_EQ(loaded->state.sealed_key_check(), "0011223344556677");

  absl::StatusOr<std::vector<ControlEvent>> log = store_->ReadLog(100);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 3u);  // initialized, isolate, seal
  EXPECT_EQ((*log)[0].kind, "initialized");
  EXPECT_EQ((*log)[1].kind, "isolate");
  EXPECT_EQ((*log)[2].kind, "seal");
  // Sequence numbers carry on after a restart.
  ASSERT_TRUE(
      Save(loaded->state, {{kT0, "note", kAlice, "after restart"}}).ok());
  log = store_->ReadLog(100);
  ASSERT_EQ(log->size(), 4u);
  EXPECT_EQ(log->back().kind, "note");
}

TEST_F(IsolationStoreTest, UnreadableStateMeansPlatformIsolated) {
  ASSERT_TRUE(store_->Load().ok());
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kControl), RocksIsolationStore::kStateKey,
            "\xff\xfe not a state");
  ASSERT_TRUE(db_->WriteSync(&batch).ok());
  Close();
  Open();
  absl::StatusOr<LoadedState> loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kFailClosed);
  EXPECT_EQ(loaded->state.Get(Scope{}).state, State::kIsolated);
  EXPECT_EQ(loaded->state.Get(Scope{}).changed_by, "tppd");
  // The bad bytes are kept aside, and the fail-closed state is durable.
  EXPECT_TRUE(db_->Get(Cf::kControl, RocksIsolationStore::kUnreadableKey).ok());
  Close();
  Open();
  loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kStored);
  EXPECT_EQ(loaded->state.Get(Scope{}).state, State::kIsolated);
}

TEST_F(IsolationStoreTest, UnknownFormatMeansPlatformIsolated) {
  {
    // A state written by a newer format is not guessed at.
    rocksdb::WriteBatch batch;
    std::string bytes;
    bytes.push_back(0x08);  // field 1 (format), varint
    bytes.push_back(0x07);  // format 7
    batch.Put(db_->cf(Cf::kControl), RocksIsolationStore::kStateKey, bytes);
    ASSERT_TRUE(db_->WriteSync(&batch).ok());
  }
  absl::StatusOr<LoadedState> loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kFailClosed);
  EXPECT_EQ(loaded->state.Get(Scope{}).state, State::kIsolated);
}

TEST_F(IsolationStoreTest, MissingStateOnANodeWithDataMeansIsolated) {
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kMembers), "100000001\x00m", "ciphertext");
  ASSERT_TRUE(db_->WriteSync(&batch).ok());
  absl::StatusOr<LoadedState> loaded = store_->Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->origin, LoadedState::Origin::kFailClosed);
  EXPECT_EQ(loaded->state.Get(Scope{}).state, State::kIsolated);
}

}  // namespace
}  // namespace tpp::storage
