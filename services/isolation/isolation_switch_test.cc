#include "services/isolation/isolation_switch.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp::isolation {
namespace {

constexpr char kAlice[] = "spiffe://tpp.local/operator/alice";
constexpr char kBob[] = "spiffe://tpp.local/operator/bob";
constexpr char kCarol[] = "spiffe://tpp.local/operator/carol";

// Completes every write at once, or fails them all.
class FakeStore final : public IsolationStore {
 public:
  absl::StatusOr<LoadedState> Load() override { return LoadedState(); }
  void Save(const IsolationState& state, std::vector<ControlEvent> events,
            std::vector<AuditEvent> audit_events, Done done) override {
    if (fail) return done(absl::UnavailableError("disk"));
    saved = std::make_shared<IsolationState>(state);
    log.insert(log.end(), events.begin(), events.end());
    audit.insert(audit.end(), audit_events.begin(), audit_events.end());
    done(absl::OkStatus());
  }
  void Append(std::vector<ControlEvent> events,
              std::vector<AuditEvent> audit_events, Done done) override {
    if (fail) return done(absl::UnavailableError("disk"));
    log.insert(log.end(), events.begin(), events.end());
    audit.insert(audit.end(), audit_events.begin(), audit_events.end());
    done(absl::OkStatus());
  }
  bool fail = false;
  std::shared_ptr<IsolationState> saved;
  std::vector<ControlEvent> log;
  std::vector<AuditEvent> audit;  // written with the state and events
};

class IsolationSwitchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(ring_.AddMasterKey(1, master_.Clone().value()).ok());
    IsolationSwitch::Hooks hooks;
    hooks.publish = [this](StatePtr s) { published_ = std::move(s); };
    hooks.cancel_refused_streams = [this] { ++cancels_; };
    hooks.now = [this] { return now_; };
    switch_ = std::make_unique<IsolationSwitch>(
        &store_, &ring_, SwitchOptions(), IsolationState(), std::move(hooks));
  }

  template <class T>
  absl::StatusOr<T> Wait(std::function<void(IsolationSwitch::Done<T>)> call) {
    absl::StatusOr<T> out = absl::UnknownError("not called");
    call([&](absl::StatusOr<T> r) { out = std::move(r); });
    return out;
  }
  absl::StatusOr<StatePtr> Isolate(const Scope& scope, bool seal,
                                   const char* by = kAlice) {
    return Wait<StatePtr>([&](auto done) {
      switch_->Isolate(scope, "incident", seal, by, done);
    });
  }

  absl::Time now_ = absl::FromUnixSeconds(1800000000);
  crypto::SecureBytes master_ = crypto::SecureBytes::Random(32).value();
  crypto::KeyRing ring_;
  FakeStore store_;
  StatePtr published_;
  int cancels_ = 0;
  std::unique_ptr<IsolationSwitch> switch_;
};

TEST_F(IsolationSwitchTest, IsolatePublishesCancelsAndPersists) {
  ASSERT_EQ(published_->generation(), 0u);
  ASSERT_TRUE(Isolate(Scope{}, false).ok());
  EXPECT_EQ(published_->Get(Scope{}).state, State::kIsolated);
  EXPECT_EQ(cancels_, 1);
  ASSERT_NE(store_.saved, nullptr);
  EXPECT_EQ(store_.saved->generation(), published_->generation());
  ASSERT_FALSE(store_.log.empty());
  EXPECT_EQ(store_.log.back().kind, "isolate");
}

// An operator's call hands its audit record to the write that carries its
// change (one batch), completed from the result; a call that writes
// nothing, or whose write fails, leaves it to the caller.
TEST_F(IsolationSwitchTest, TheCallsRecordGoesWithItsWrite) {
  auto audited = std::make_shared<AuditedCall<StatePtr>>();
  audited->audit.event.method = "Isolate";
  audited->describe = [](const absl::StatusOr<StatePtr>& state, AuditEvent* e) {
    if (state.ok()) e->count = static_cast<int64_t>((*state)->generation());
  };
  absl::StatusOr<StatePtr> state = absl::UnknownError("not called");
  switch_->Isolate(
      Scope{}, "incident", false, kAlice,
      [&](absl::StatusOr<StatePtr> s) { state = std::move(s); }, audited);
  ASSERT_TRUE(state.ok()) << state.status();
  EXPECT_TRUE(audited->audit.recorded);
  ASSERT_EQ(store_.audit.size(), 1u);
  EXPECT_EQ(store_.audit[0].method, "Isolate");
  EXPECT_EQ(store_.audit[0].outcome, absl::StatusCode::kOk);
  EXPECT_EQ(store_.audit[0].count,
            static_cast<int64_t>((*state)->generation()));

  // A refusal is written (the control log keeps it) with its record.
  auto proposal = Wait<Proposal>([&](auto done) {
    switch_->Propose(Scope{}, State::kReopening, {"750100001"}, "ok", kAlice,
                     done);
  });
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  auto approve =
      std::make_shared<AuditedCall<IsolationSwitch::ApproveResult>>();
  absl::StatusOr<IsolationSwitch::ApproveResult> refused =
      absl::UnknownError("not called");
  switch_->Approve(
      proposal->id, kAlice,
      [&](absl::StatusOr<IsolationSwitch::ApproveResult> r) {
        refused = std::move(r);
      },
      approve);
  EXPECT_EQ(ReasonOf(refused.status()), "SELF_APPROVAL");
  EXPECT_TRUE(approve->audit.recorded);
  ASSERT_EQ(store_.audit.size(), 2u);
  EXPECT_EQ(store_.audit[1].outcome, absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(store_.audit[1].reason, "SELF_APPROVAL");

  // The write fails: nothing recorded with it.
  store_.fail = true;
  auto failed = std::make_shared<AuditedCall<StatePtr>>();
  switch_->Isolate(
      Scope{ScopeKind::kInsurer, "1"}, "incident", false, kAlice,
      [&](absl::StatusOr<StatePtr> s) { state = std::move(s); }, failed);
  EXPECT_FALSE(state.ok());
  EXPECT_FALSE(failed->audit.recorded);
  EXPECT_EQ(store_.audit.size(), 2u);
}

TEST_F(IsolationSwitchTest, RefusedApprovalIsLogged) {
  ASSERT_TRUE(Isolate(Scope{}, false).ok());
  auto proposal = Wait<Proposal>([&](auto done) {
    switch_->Propose(Scope{}, State::kReopening, {"750100001"}, "ok", kAlice,
                     done);
  });
  ASSERT_TRUE(proposal.ok()) << proposal.status();
  using Result = std::pair<IsolationState::Approval, StatePtr>;
  auto self = Wait<Result>(
      [&](auto done) { switch_->Approve(proposal->id, kAlice, done); });
  EXPECT_EQ(ReasonOf(self.status()), "SELF_APPROVAL");
  EXPECT_EQ(store_.log.back().kind, "approval_refused");
  EXPECT_EQ(published_->Get(Scope{}).state, State::kIsolated);
  auto ok = Wait<Result>(
      [&](auto done) { switch_->Approve(proposal->id, kBob, done); });
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(ok->first.applied);
  EXPECT_EQ(published_->Get(Scope{}).state, State::kReopening);
}

TEST_F(IsolationSwitchTest, FailedWriteFailsClosed) {
  store_.fail = true;
  auto isolated =
      Isolate(Scope{ScopeKind::kProvider, "750100001"}, /*seal=*/false);
  EXPECT_TRUE(absl::IsUnavailable(isolated.status()));
  EXPECT_EQ(published_->Get(Scope{}).state, State::kIsolated);
  store_.fail = false;
  // Later changes keep the platform isolated.
  ASSERT_TRUE(Isolate(Scope{ScopeKind::kInsurer, "1"}, false).ok());
  EXPECT_EQ(published_->Get(Scope{}).state, State::kIsolated);
  EXPECT_EQ(store_.saved->Get(Scope{}).state, State::kIsolated);
}

TEST_F(IsolationSwitchTest, SealWipesKeysAndSharesFromThreeOperatorsUnseal) {
  const std::string kcv = crypto::KeyCheckValue(master_).value();
  std::vector<std::string> lines;
  std::vector<crypto::Share> split = crypto::Split(master_, 5, 3).value();
  for (crypto::Share& share : split) {
    crypto::ShareRecord record{std::move(share), 3, kcv};
    lines.push_back(std::string(crypto::FormatShare(record).value().view()));
  }
  ASSERT_TRUE(Isolate(Scope{}, /*seal=*/true).ok());
  EXPECT_TRUE(ring_.IsSealed());
  EXPECT_TRUE(master_.wiped());  // every key in the process
  EXPECT_TRUE(store_.saved->sealed());
  EXPECT_EQ(store_.saved->sealed_key_check(), kcv);

  auto unseal = [&](const std::string& line, const char* by) {
    return Wait<IsolationSwitch::UnsealResult>(
        [&](auto done) { switch_->Unseal(line, by, done); });
  };
  auto first = unseal(lines[0], kAlice);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->received, 1);
  EXPECT_EQ(ReasonOf(unseal(lines[1], kAlice).status()), "SHARE_ALREADY_GIVEN");
  ASSERT_TRUE(unseal(lines[3], kBob).ok());
  EXPECT_TRUE(ring_.IsSealed());
  auto last = unseal(lines[4], kCarol);
  ASSERT_TRUE(last.ok()) << last.status();
  EXPECT_TRUE(last->unsealed);
  EXPECT_FALSE(ring_.IsSealed());
  EXPECT_EQ(ring_.PrimaryKeyCheck()->value, kcv);
  EXPECT_FALSE(store_.saved->sealed());
  // Unsealing does not reopen.
  EXPECT_EQ(published_->Get(Scope{}).state, State::kIsolated);
  int shares_logged = 0;
  for (const ControlEvent& e : store_.log) {
    shares_logged += e.kind == "unseal_share";
    EXPECT_EQ(e.detail.find(lines[0].substr(20)), std::string::npos);
  }
  EXPECT_EQ(shares_logged, 3);
  EXPECT_EQ(ReasonOf(unseal(lines[2], kAlice).status()), "NOT_SEALED");
}

}  // namespace
}  // namespace tpp::isolation
