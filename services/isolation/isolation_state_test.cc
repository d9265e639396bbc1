#include "services/isolation/isolation_state.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp::isolation {
namespace {

constexpr char kAlice[] = "spiffe://tpp.local/operator/alice";
constexpr char kBob[] = "spiffe://tpp.local/operator/bob";
constexpr char kCarol[] = "spiffe://tpp.local/operator/carol";
const absl::Time kT0 = absl::FromUnixSeconds(1800000000);

Scope Platform() { return Scope{ScopeKind::kPlatform, ""}; }
Scope Insurer(const std::string& id) { return Scope{ScopeKind::kInsurer, id}; }

Principal Provider(absl::string_view id) {
  return Principal{Principal::Kind::kProvider, id, "spiffe://x/provider"};
}
Principal InsurerCaller(absl::string_view id) {
  return Principal{Principal::Kind::kInsurer, id, "spiffe://x/insurer"};
}

std::string Reason(const absl::Status& s) { return ReasonOf(s).value_or(""); }

class IsolationStateTest : public ::testing::Test {
 protected:
  SwitchOptions options_;
  IsolationState state_;
  std::vector<ControlEvent> events_;

  Proposal MustPropose(const Scope& scope, State target,
                       std::vector<std::string> allow, const char* by,
                       absl::Time at = kT0) {
    absl::StatusOr<Proposal> p =
        state_.Propose(scope, target, std::move(allow), "contained", by,
                       options_, at, &events_);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : Proposal();
  }
};

TEST_F(IsolationStateTest, NewStateIsOpenAndAdmitsEveryone) {
  EXPECT_EQ(state_.generation(), 0u);
  EXPECT_EQ(state_.Get(Platform()).state, State::kOpen);
  EXPECT_TRUE(state_.Admit(Provider("750100001")).ok());
  EXPECT_TRUE(state_.AdmitInsurer(Provider("750100001"), "100000001").ok());
}

TEST_F(IsolationStateTest, PlatformIsolationRefusesEveryExternalCaller) {
  ASSERT_TRUE(state_.Isolate(Platform(), "attack", kAlice, kT0, &events_).ok());
  EXPECT_EQ(state_.generation(), 1u);
  absl::Status s = state_.Admit(Provider("750100001"));
  EXPECT_TRUE(absl::IsUnavailable(s));
  EXPECT_EQ(Reason(s), "PLATFORM_ISOLATED");
  EXPECT_EQ(Reason(state_.Admit(InsurerCaller("100000001"))),
            "PLATFORM_ISOLATED");
  ASSERT_EQ(events_.size(), 1u);
  EXPECT_EQ(events_[0].kind, "isolate");
  EXPECT_EQ(events_[0].actor, kAlice);
}

TEST_F(IsolationStateTest, InsurerIsolationIsScopedToThatInsurer) {
  ASSERT_TRUE(
      state_.Isolate(Insurer("100000001"), "leak", kAlice, kT0, &events_).ok());
  EXPECT_EQ(Reason(state_.Admit(InsurerCaller("100000001"))),
            "INSURER_ISOLATED");
  EXPECT_TRUE(state_.Admit(InsurerCaller("100000002")).ok());
  // Whoever touches that insurer's data.
  EXPECT_TRUE(state_.Admit(Provider("750100001")).ok());
  EXPECT_EQ(Reason(state_.AdmitInsurer(Provider("750100001"), "100000001")),
            "INSURER_ISOLATED");
  EXPECT_TRUE(state_.AdmitInsurer(Provider("750100001"), "100000002").ok());
}

TEST_F(IsolationStateTest, ProviderAndCredentialScopes) {
  ASSERT_TRUE(state_
                  .Isolate({ScopeKind::kProvider, "750100001"}, "phished",
                           kAlice, kT0, &events_)
                  .ok());
  EXPECT_EQ(Reason(state_.Admit(Provider("750100001"))), "PROVIDER_ISOLATED");
  EXPECT_TRUE(state_.Admit(Provider("750100002")).ok());
  // An insurer of the same number is another principal.
  EXPECT_TRUE(state_.Admit(InsurerCaller("750100001")).ok());

  const std::string spiffe = "spiffe://tpp.local/provider/750100003";
  ASSERT_TRUE(state_
                  .Isolate({ScopeKind::kCredential, spiffe}, "stolen", kAlice,
                           kT0, &events_)
                  .ok());
  Principal p{Principal::Kind::kProvider, "750100003", spiffe};
  absl::Status s = state_.Admit(p);
  EXPECT_TRUE(absl::IsPermissionDenied(s));
  EXPECT_EQ(Reason(s), "CREDENTIAL_SUSPENDED");
}

TEST_F(IsolationStateTest, InvalidInputIsRefusedWithFieldViolations) {
  absl::Status s =
      state_.Isolate({ScopeKind::kInsurer, ""}, "", kAlice, kT0, &events_);
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_EQ(ViolationsOf(s).size(), 2u);
  EXPECT_TRUE(absl::IsInvalidArgument(
      state_.Isolate({ScopeKind::kCredential, "not-a-spiffe-id"}, "r", kAlice,
                     kT0, &events_)));
  EXPECT_TRUE(absl::IsInvalidArgument(state_.Isolate(
      {static_cast<ScopeKind>(0), ""}, "r", kAlice, kT0, &events_)));
  EXPECT_TRUE(absl::IsInvalidArgument(
      state_.Isolate(Platform(), std::string(kReasonBytesMax + 1, 'x'), kAlice,
                     kT0, &events_)));
  EXPECT_EQ(state_.generation(), 0u);
  EXPECT_TRUE(events_.empty());
}

TEST_F(IsolationStateTest, TwoPersonReopenThroughReopeningWithAllowlist) {
  ASSERT_TRUE(state_.Isolate(Platform(), "attack", kAlice, kT0, &events_).ok());
  // Straight to OPEN is refused for the platform.
  absl::StatusOr<Proposal> direct =
      state_.Propose(Platform(), State::kOpen, {}, "all clear", kAlice,
                     options_, kT0, &events_);
  EXPECT_EQ(Reason(direct.status()), "REOPENING_FIRST");

  Proposal p = MustPropose(Platform(), State::kReopening,
                           {"750100001", "100000001", "750100001"}, kAlice);
  EXPECT_EQ(p.allowlist, (std::vector<std::string>{"100000001", "750100001"}));
  // The proposer cannot approve: never counted twice.
  auto self = state_.Approve(p.id, kAlice, options_, kT0, &events_);
  EXPECT_TRUE(absl::IsPermissionDenied(self.status()));
  EXPECT_EQ(Reason(self.status()), "SELF_APPROVAL");
  EXPECT_EQ(events_.back().kind, "approval_refused");
  EXPECT_EQ(state_.Get(Platform()).state, State::kIsolated);

  auto approved = state_.Approve(p.id, kBob, options_, kT0, &events_);
  ASSERT_TRUE(approved.ok()) << approved.status();
  EXPECT_TRUE(approved->applied);
  EXPECT_EQ(state_.Get(Platform()).state, State::kReopening);
  EXPECT_TRUE(state_.Proposals().empty());

  EXPECT_TRUE(state_.Admit(Provider("750100001")).ok());
  EXPECT_TRUE(state_.Admit(InsurerCaller("100000001")).ok());
  EXPECT_EQ(Reason(state_.Admit(Provider("750100002"))), "PLATFORM_ISOLATED");
  EXPECT_EQ(Reason(state_.Admit(InsurerCaller("100000002"))),
            "PLATFORM_ISOLATED");

  Proposal open = MustPropose(Platform(), State::kOpen, {}, kBob);
  ASSERT_TRUE(state_.Approve(open.id, kCarol, options_, kT0, &events_).ok());
  EXPECT_EQ(state_.Get(Platform()).state, State::kOpen);
  EXPECT_TRUE(state_.Admit(Provider("750100002")).ok());
}

TEST_F(IsolationStateTest, QuorumOfThreeNeedsTwoApproversBesideTheProposer) {
  options_.quorum = 3;
  ASSERT_TRUE(state_
                  .Isolate({ScopeKind::kProvider, "750100001"}, "x", kAlice,
                           kT0, &events_)
                  .ok());
  Proposal p = MustPropose({ScopeKind::kProvider, "750100001"}, State::kOpen,
                           {}, kAlice);
  auto first = state_.Approve(p.id, kBob, options_, kT0, &events_);
  ASSERT_TRUE(first.ok());
  EXPECT_FALSE(first->applied);
  auto again = state_.Approve(p.id, kBob, options_, kT0, &events_);
  EXPECT_EQ(Reason(again.status()), "ALREADY_APPROVED");
  auto self = state_.Approve(p.id, kAlice, options_, kT0, &events_);
  EXPECT_EQ(Reason(self.status()), "SELF_APPROVAL");
  EXPECT_FALSE(state_.Admit(Provider("750100001")).ok());
  auto second = state_.Approve(p.id, kCarol, options_, kT0, &events_);
  ASSERT_TRUE(second.ok());
  EXPECT_TRUE(second->applied);
  EXPECT_TRUE(state_.Admit(Provider("750100001")).ok());
}

TEST_F(IsolationStateTest, ProposalsExpire) {
  ASSERT_TRUE(state_.Isolate(Platform(), "x", kAlice, kT0, &events_).ok());
  Proposal p = MustPropose(Platform(), State::kReopening, {"1"}, kAlice);
  EXPECT_EQ(p.expires_at, kT0 + options_.proposal_ttl);
  const uint64_t before = state_.generation();
  auto late = state_.Approve(p.id, kBob, options_, kT0 + options_.proposal_ttl,
                             &events_);
  EXPECT_EQ(Reason(late.status()), "PROPOSAL_NOT_FOUND");
  EXPECT_GT(state_.generation(), before);  // the expiry is a change
  EXPECT_TRUE(state_.Proposals().empty());
  EXPECT_EQ(state_.Get(Platform()).state, State::kIsolated);
}

TEST_F(IsolationStateTest, IsolatingAgainDropsPendingProposals) {
  ASSERT_TRUE(state_.Isolate(Platform(), "x", kAlice, kT0, &events_).ok());
  Proposal p = MustPropose(Platform(), State::kReopening, {"1"}, kAlice);
  ASSERT_TRUE(state_.Isolate(Platform(), "again", kBob, kT0, &events_).ok());
  EXPECT_TRUE(state_.Proposals().empty());
  EXPECT_FALSE(state_.Approve(p.id, kCarol, options_, kT0, &events_).ok());
}

TEST_F(IsolationStateTest, ProposalRulesPerScopeKind) {
  // Nothing to reopen.
  auto open = state_.Propose(Insurer("1"), State::kReopening, {"2"}, "r",
                             kAlice, options_, kT0, &events_);
  EXPECT_EQ(Reason(open.status()), "SCOPE_OPEN");
  ASSERT_TRUE(state_
                  .Isolate({ScopeKind::kProvider, "750100001"}, "x", kAlice,
                           kT0, &events_)
                  .ok());
  // A provider has no allow-list: straight to OPEN.
  auto gradual =
      state_.Propose({ScopeKind::kProvider, "750100001"}, State::kReopening,
                     {"750100001"}, "r", kAlice, options_, kT0, &events_);
  EXPECT_TRUE(absl::IsInvalidArgument(gradual.status()));
  ASSERT_TRUE(state_.Isolate(Insurer("1"), "x", kAlice, kT0, &events_).ok());
  auto empty = state_.Propose(Insurer("1"), State::kReopening, {}, "r", kAlice,
                              options_, kT0, &events_);
  EXPECT_TRUE(absl::IsInvalidArgument(empty.status()));
}

TEST_F(IsolationStateTest, InsurerReopeningLetsOnlyAllowlistedThrough) {
  ASSERT_TRUE(
      state_.Isolate(Insurer("100000001"), "x", kAlice, kT0, &events_).ok());
  Proposal p = MustPropose(Insurer("100000001"), State::kReopening,
                           {"750100001"}, kAlice);
  ASSERT_TRUE(state_.Approve(p.id, kBob, options_, kT0, &events_).ok());
  EXPECT_TRUE(state_.AdmitInsurer(Provider("750100001"), "100000001").ok());
  EXPECT_FALSE(state_.AdmitInsurer(Provider("750100002"), "100000001").ok());
  // The insurer itself is not listed.
  EXPECT_FALSE(state_.Admit(InsurerCaller("100000001")).ok());
  // Widening the allow-list is another proposal.
  Proposal wider = MustPropose(Insurer("100000001"), State::kReopening,
                               {"750100001", "100000001"}, kBob);
  ASSERT_TRUE(state_.Approve(wider.id, kCarol, options_, kT0, &events_).ok());
  EXPECT_TRUE(state_.Admit(InsurerCaller("100000001")).ok());
}

TEST_F(IsolationStateTest, GenerationIncrementsOnEveryChange) {
  uint64_t g = state_.generation();
  ASSERT_TRUE(state_.Isolate(Platform(), "x", kAlice, kT0, &events_).ok());
  EXPECT_EQ(state_.generation(), ++g);
  Proposal p = MustPropose(Platform(), State::kReopening, {"1"}, kAlice);
  EXPECT_EQ(state_.generation(), ++g);
  ASSERT_TRUE(
      state_.Approve(p.id, kAlice, options_, kT0, &events_).status().code() ==
      absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(state_.generation(), g);  // a refusal changes nothing
  ASSERT_TRUE(state_.Approve(p.id, kBob, options_, kT0, &events_).ok());
  EXPECT_EQ(state_.generation(), ++g);
  state_.SetSealed(true, 1, "kcv", kAlice, kT0, &events_);
  EXPECT_EQ(state_.generation(), ++g);
}

TEST_F(IsolationStateTest, RecordRoundTrip) {
  ASSERT_TRUE(
      state_.Isolate(Insurer("100000001"), "x", kAlice, kT0, &events_).ok());
  MustPropose(Insurer("100000001"), State::kReopening, {"750100001"}, kAlice);
  state_.SetSealed(true, 3, "0123456789abcdef", kAlice, kT0, &events_);
  absl::StatusOr<IsolationState> back =
      IsolationState::FromRecord(state_.ToRecord());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->generation(), state_.generation());
  EXPECT_EQ(back->Get(Insurer("100000001")).state, State::kIsolated);
  EXPECT_EQ(back->Proposals().size(), 1u);
  EXPECT_TRUE(back->sealed());
  EXPECT_EQ(back->sealed_master_version(), 3u);
  EXPECT_FALSE(back->Admit(InsurerCaller("100000001")).ok());
}

TEST(IsolationOptionsTest, QuorumAndTtlBounds) {
  EXPECT_TRUE(ValidateOptions(SwitchOptions()).ok());
  EXPECT_FALSE(ValidateOptions({1, absl::Minutes(15)}).ok());
  EXPECT_FALSE(ValidateOptions({17, absl::Minutes(15)}).ok());
  EXPECT_FALSE(ValidateOptions({2, absl::Seconds(1)}).ok());
}

}  // namespace
}  // namespace tpp::isolation
