// End-to-end tests of the pharmacy and clinic flows through real mTLS
// clients: eligibility checks, claims with the AMC formula, idempotency,
// duplicate services, ceilings under concurrency, cancellation, listings,
// and who may see what.
#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"

namespace tpp::testing {
namespace {

using ::testing::UnorderedElementsAre;
using tpp::v1::ClaimService;
using tpp::v1::EligibilityService;
using tpp::v1::MemberService;

constexpr char kPharmacy[] = "provider/750100001";
constexpr char kOtherPharmacy[] = "provider/750100002";
constexpr char kInsurer[] = "insurer/100000001";
constexpr char kOtherInsurer[] = "insurer/100000002";

class ClaimsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TppdProcess>();
    ASSERT_TRUE(server_->Start().ok());
    insurer_ = MemberService::NewStub(server_->Channel(kInsurer));
    claims_ = ClaimService::NewStub(server_->Channel(kPharmacy));
    other_claims_ = ClaimService::NewStub(server_->Channel(kOtherPharmacy));
    insurer_claims_ = ClaimService::NewStub(server_->Channel(kInsurer));
    eligibility_ = EligibilityService::NewStub(server_->Channel(kPharmacy));
  }

  // `count` members of a pharmacy contract: 200 %, `ceiling_cents` a year.
  std::vector<tpp::v1::MemberRecord> Members(int count,
                                             int64_t ceiling_cents = 100000) {
    std::vector<tpp::v1::MemberRecord> members;
    EXPECT_TRUE(
        ImportCoveredMembers(insurer_.get(), ceiling_cents, count, 7, &members)
            .ok());
    return members;
  }

  std::unique_ptr<TppdProcess> server_;
  std::unique_ptr<MemberService::Stub> insurer_;
  std::unique_ptr<ClaimService::Stub> claims_;
  std::unique_ptr<ClaimService::Stub> other_claims_;
  std::unique_ptr<ClaimService::Stub> insurer_claims_;
  std::unique_ptr<EligibilityService::Stub> eligibility_;
};

TEST_F(ClaimsTest, EligibilityAnswersOnlyWhatTheProviderNeeds) {
  std::vector<tpp::v1::MemberRecord> members = Members(3);
  tpp::v1::CheckEligibilityResponse answer;
  grpc::Status status =
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_TRUE(answer.eligible());
  EXPECT_EQ(answer.reason(), tpp::v1::REJECT_REASON_UNSPECIFIED);
  EXPECT_EQ(answer.rate_bp(), 20000);
  EXPECT_TRUE(answer.has_ceiling());
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000);
  EXPECT_EQ(answer.coverage_to(), members[0].coverage_to());
  // Nothing the provider did not send: no name anywhere in the bytes.
  const std::string bytes = answer.SerializeAsString();
  EXPECT_FALSE(absl::StrContains(bytes, members[0].last_name()));
  EXPECT_FALSE(absl::StrContains(bytes, members[0].adherent_number()));

  // Optical is not in the contract.
  tpp::v1::CheckEligibilityRequest optical = PharmacyCheck(members[0]);
  optical.set_category(tpp::v1::OPTICAL);
  ASSERT_TRUE(Check(eligibility_.get(), optical, &answer).ok());
  EXPECT_FALSE(answer.eligible());
  EXPECT_EQ(answer.reason(), tpp::v1::CATEGORY_NOT_COVERED);
}

TEST_F(ClaimsTest, AChangedContractAppliesFromTheNextCheck) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::CheckEligibilityResponse answer;
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_EQ(answer.rate_bp(), 20000);
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000);
  // The insurer lowers the rate and the ceiling: the next check says so.
  ASSERT_TRUE(
      PutPharmacyContract(insurer_.get(), kCoveredContractId, 15000, 40000)
          .ok());
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_TRUE(answer.eligible());
  EXPECT_EQ(answer.rate_bp(), 15000);
  EXPECT_EQ(answer.ceiling_remaining_cents(), 40000);
  // Pharmacy no longer covered at all: an optical-only contract.
  tpp::v1::Contract optical;
  optical.set_contract_id(kCoveredContractId);
  tpp::v1::Guarantee* guarantee = optical.add_guarantees();
  guarantee->set_category(tpp::v1::OPTICAL);
  guarantee->set_rate_bp(10000);
  tpp::v1::UpsertContractResponse upserted;
  grpc::ClientContext ctx;
  ASSERT_TRUE(insurer_->UpsertContract(&ctx, optical, &upserted).ok());
  EXPECT_FALSE(upserted.created());
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_FALSE(answer.eligible());
  EXPECT_EQ(answer.reason(), tpp::v1::CATEGORY_NOT_COVERED);
}

TEST_F(ClaimsTest, EligibilityAfterARestartReadsTheDiskOffTheReactor) {
  // After a restart the members are in table files and the block cache is
  // empty: checks are first tried from memory on gRPC's thread, and those
  // that need the disk go to the workers. Every answer must be the same.
  std::vector<tpp::v1::MemberRecord> members = Members(50);
  std::vector<std::string> before;
  for (const tpp::v1::MemberRecord& member : members) {
    tpp::v1::CheckEligibilityResponse answer;
    ASSERT_TRUE(Check(eligibility_.get(), PharmacyCheck(member), &answer).ok());
    ASSERT_TRUE(answer.eligible());
    before.push_back(answer.SerializeAsString());
  }
  ASSERT_EQ(server_->Stop(), 0);
  ASSERT_TRUE(server_->Start().ok());
  eligibility_ = EligibilityService::NewStub(server_->Channel(kPharmacy));
  // Concurrent checks, so that some are in flight while others fill the
  // cache.
  std::vector<std::thread> threads;
  std::vector<std::string> after(members.size());
  std::vector<grpc::Status> statuses(members.size());
  for (int t = 0; t < 5; ++t) {
    threads.emplace_back([&, t] {
      for (size_t i = t; i < members.size(); i += 5) {
        tpp::v1::CheckEligibilityResponse answer;
        statuses[i] =
            Check(eligibility_.get(), PharmacyCheck(members[i]), &answer);
        after[i] = answer.SerializeAsString();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (size_t i = 0; i < members.size(); ++i) {
    ASSERT_TRUE(statuses[i].ok()) << i << ": " << statuses[i].error_message();
    EXPECT_EQ(after[i], before[i]) << i;
  }
}

TEST_F(ClaimsTest, UnknownMemberIsAnAnswerLikeAnyOther) {
  std::vector<tpp::v1::MemberRecord> members = Members(2);
  tpp::v1::MemberRecord nobody = members[0];
  nobody.set_birth_rank(members[0].birth_rank() == 9 ? 8 : 9);
  tpp::v1::CheckEligibilityResponse unknown;
  grpc::Status status =
      Check(eligibility_.get(), PharmacyCheck(nobody), &unknown);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(unknown.eligible());
  EXPECT_EQ(unknown.reason(), tpp::v1::MEMBER_NOT_FOUND);
  // Exactly the eligible/reason pair: no rate, no ceiling, no coverage.
  tpp::v1::CheckEligibilityResponse expected;
  expected.set_reason(tpp::v1::MEMBER_NOT_FOUND);
  EXPECT_EQ(unknown.SerializeAsString(), expected.SerializeAsString());

  // A member of the other insurer reads the same as nobody.
  tpp::v1::CheckEligibilityRequest elsewhere = PharmacyCheck(members[1]);
  elsewhere.set_insurer_id(kOtherInsurerId);
  tpp::v1::CheckEligibilityResponse other;
  ASSERT_TRUE(Check(eligibility_.get(), elsewhere, &other).ok());
  EXPECT_FALSE(other.eligible());
  EXPECT_NE(other.reason(), tpp::v1::REJECT_REASON_UNSPECIFIED);
}

TEST_F(ClaimsTest, WorkedExampleIsPaidAtOnce) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::Claim claim;
  grpc::Status status = Submit(
      claims_.get(),
      PharmacyClaim(members[0], "F-0001", "PH7", 5500, 2300, 1610), &claim);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(claim.status(), tpp::v1::APPROVED);
  ASSERT_EQ(claim.lines_size(), 1);
  EXPECT_EQ(claim.lines(0).amc_cents(), 2990);
  EXPECT_EQ(claim.lines(0).patient_cents(), 900);
  EXPECT_EQ(claim.amc_total_cents(), 2990);
  EXPECT_EQ(claim.patient_total_cents(), 900);
  EXPECT_FALSE(claim.claim_id().empty());
  EXPECT_FALSE(claim.created_at().empty());
  EXPECT_EQ(claim.provider_id(), "750100001");
  EXPECT_TRUE(claim.adherent_number().empty());  // not for the provider

  // The ceiling now shows what it took.
  tpp::v1::CheckEligibilityResponse answer;
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000 - 2990);

  // Who sees it: its provider, its insurer (with the adherent number), no
  // other provider, no other insurer.
  tpp::v1::Claim got;
  ASSERT_TRUE(Get(claims_.get(), claim.claim_id(), &got).ok());
  EXPECT_EQ(got.SerializeAsString(), claim.SerializeAsString());
  ASSERT_TRUE(Get(insurer_claims_.get(), claim.claim_id(), &got).ok());
  EXPECT_EQ(got.adherent_number(), members[0].adherent_number());
  grpc::Status theirs = Get(other_claims_.get(), claim.claim_id(), &got);
  grpc::Status nothing = Get(other_claims_.get(), "0000000000000000", &got);
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(theirs.error_message(), nothing.error_message());
  auto other_insurer = ClaimService::NewStub(server_->Channel(kOtherInsurer));
  EXPECT_EQ(Get(other_insurer.get(), claim.claim_id(), &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ClaimsTest, ReplayConflictAndDuplicateService) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::SubmitClaimRequest request =
      PharmacyClaim(members[0], "F-0001", "PH7", 5500, 2300, 1610);
  tpp::v1::Claim first;
  ASSERT_TRUE(Submit(claims_.get(), request, &first).ok());

  // The same request again: the original claim, consumed once.
  tpp::v1::Claim replay;
  ASSERT_TRUE(Submit(claims_.get(), request, &replay).ok());
  EXPECT_EQ(replay.SerializeAsString(), first.SerializeAsString());

  // The same invoice number, another payload.
  tpp::v1::SubmitClaimRequest changed = request;
  changed.mutable_lines(0)->set_fee_cents(5600);
  tpp::v1::Claim ignored;
  grpc::Status conflict = Submit(claims_.get(), changed, &ignored);
  EXPECT_EQ(conflict.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ErrorReason(conflict), "IDEMPOTENCY_KEY_REUSED");

  // The same act, patient, day and provider under another invoice number.
  tpp::v1::SubmitClaimRequest again = request;
  again.set_invoice_number("F-0002");
  tpp::v1::Claim duplicate;
  ASSERT_TRUE(Submit(claims_.get(), again, &duplicate).ok());
  EXPECT_EQ(duplicate.status(), tpp::v1::REJECTED);
  EXPECT_EQ(duplicate.lines(0).reject_reason(), tpp::v1::DUPLICATE_SERVICE);
  EXPECT_EQ(duplicate.amc_total_cents(), 0);

  tpp::v1::CheckEligibilityResponse answer;
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000 - 2990);
}

TEST_F(ClaimsTest, CancelGivesTheCeilingBackThenResubmit) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::Claim claim;
  ASSERT_TRUE(Submit(claims_.get(),
                     PharmacyClaim(members[0], "F-1", "PH7", 5500, 2300, 1610),
                     &claim)
                  .ok());
  tpp::v1::Claim cancelled;
  EXPECT_EQ(
      Cancel(other_claims_.get(), claim.claim_id(), &cancelled).error_code(),
      grpc::StatusCode::NOT_FOUND);
  grpc::Status status = Cancel(claims_.get(), claim.claim_id(), &cancelled);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(cancelled.status(), tpp::v1::CANCELLED);
  EXPECT_EQ(cancelled.cancel_reason(), "entered twice");
  EXPECT_FALSE(cancelled.cancelled_at().empty());
  tpp::v1::CheckEligibilityResponse answer;
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000);

  // Resubmitted under a new invoice: not a duplicate any more.
  tpp::v1::Claim again;
  ASSERT_TRUE(Submit(claims_.get(),
                     PharmacyClaim(members[0], "F-2", "PH7", 5500, 2300, 1610),
                     &again)
                  .ok());
  EXPECT_EQ(again.status(), tpp::v1::APPROVED);
  EXPECT_EQ(again.amc_total_cents(), 2990);
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_EQ(answer.ceiling_remaining_cents(), 100000 - 2990);
}

TEST_F(ClaimsTest, ConcurrentClaimsNeverPassTheCeiling) {
  // 64 claims of 29.90 € each, from 8 connections, against 100.00 €.
  std::vector<tpp::v1::MemberRecord> members = Members(1, 10000);
  constexpr int kClaims = 64;
  constexpr int kConnections = 8;
  std::vector<tpp::v1::Claim> results(kClaims);
  std::vector<grpc::Status> statuses(kClaims);
  std::vector<std::thread> threads;
  for (int c = 0; c < kConnections; ++c) {
    threads.emplace_back([&, c] {
      grpc::ChannelArguments args;
      args.SetInt("tpp.connection", c);  // a connection of its own
      auto stub = ClaimService::NewStub(grpc::CreateCustomChannel(
          absl::StrCat("127.0.0.1:", server_->port()),
          TestCerts::Get().Credentials(kPharmacy), args));
      std::vector<std::thread> calls;
      for (int i = c; i < kClaims; i += kConnections) {
        calls.emplace_back([&, i] {
          statuses[i] =
              Submit(stub.get(),
                     PharmacyClaim(members[0], absl::StrCat("F-", i),
                                   absl::StrCat("ACT", i), 5500, 2300, 1610),
                     &results[i]);
        });
      }
      for (auto& t : calls) t.join();
    });
  }
  for (auto& t : threads) t.join();
  int64_t total = 0;
  int approved = 0, partial = 0, rejected = 0;
  for (int i = 0; i < kClaims; ++i) {
    ASSERT_TRUE(statuses[i].ok()) << statuses[i].error_message();
    total += results[i].amc_total_cents();
    approved += results[i].status() == tpp::v1::APPROVED;
    partial += results[i].status() == tpp::v1::PARTIAL;
    rejected += results[i].status() == tpp::v1::REJECTED;
  }
  EXPECT_EQ(total, 10000);
  EXPECT_EQ(approved, 3);  // 3 x 29.90 €, then 10.30 €, then nothing
  EXPECT_EQ(partial, 1);
  EXPECT_EQ(rejected, kClaims - 4);
  tpp::v1::CheckEligibilityResponse answer;
  ASSERT_TRUE(
      Check(eligibility_.get(), PharmacyCheck(members[0]), &answer).ok());
  EXPECT_FALSE(answer.eligible());
  EXPECT_EQ(answer.reason(), tpp::v1::CEILING_REACHED);
  EXPECT_EQ(answer.ceiling_remaining_cents(), 0);
}

TEST_F(ClaimsTest, BadRequestsNameEveryBadField) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::SubmitClaimRequest request =
      PharmacyClaim(members[0], "F-1", "PH7", 5500, 2300, 1610);
  std::string nir = request.beneficiary().nir();
  nir[14] = nir[14] == '9' ? '0' : static_cast<char>(nir[14] + 1);
  request.mutable_beneficiary()->set_nir(nir);
  request.set_care_date("2031-01-01");
  request.mutable_lines(0)->set_amo_cents(9000);
  request.mutable_lines(0)->set_category(tpp::v1::CATEGORY_UNSPECIFIED);
  *request.add_lines() = request.lines(0);
  request.mutable_lines(1)->set_category(tpp::v1::PHARMACY);
  request.mutable_lines(1)->set_amo_cents(0);
  request.mutable_lines(1)->set_fee_cents(int64_t{1} << 40);
  tpp::v1::Claim claim;
  grpc::Status status = Submit(claims_.get(), request, &claim);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(
      ViolatedFields(status),
      UnorderedElementsAre("beneficiary.nir", "care_date", "lines[0].amo_cents",
                           "lines[0].category", "lines[1].fee_cents"));
  EXPECT_FALSE(absl::StrContains(status.error_message(), nir));

  request = PharmacyClaim(members[0], "F-1", "PH7", 5500, 2300, 1610);
  request.clear_lines();
  EXPECT_THAT(ViolatedFields(Submit(claims_.get(), request, &claim)),
              UnorderedElementsAre("lines"));
  for (int i = 0; i <= 32; ++i) {
    *request.add_lines() =
        PharmacyClaim(members[0], "F-1", absl::StrCat("A", i), 100, 100, 70)
            .lines(0);
  }
  EXPECT_THAT(ViolatedFields(Submit(claims_.get(), request, &claim)),
              UnorderedElementsAre("lines"));
}

TEST_F(ClaimsTest, InsurersCannotSubmitAndProvidersCannotImport) {
  std::vector<tpp::v1::MemberRecord> members = Members(1);
  tpp::v1::Claim claim;
  EXPECT_EQ(
      Submit(insurer_claims_.get(),
             PharmacyClaim(members[0], "F-1", "PH7", 5500, 2300, 1610), &claim)
          .error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  auto provider_members = MemberService::NewStub(server_->Channel(kPharmacy));
  tpp::v1::MemberRecord got;
  EXPECT_EQ(GetMember(provider_members.get(), members[0], &got).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ClaimsTest, ListClaimsFiltersAndResumesFromACursor) {
  std::vector<tpp::v1::MemberRecord> members = Members(4);
  std::vector<std::string> ids;
  for (int i = 0; i < 12; ++i) {
    tpp::v1::Claim claim;
    ASSERT_TRUE(Submit(claims_.get(),
                       PharmacyClaim(members[i % 4], absl::StrCat("F-", i),
                                     absl::StrCat("A", i), 1000, 1000, 700),
                       &claim)
                    .ok());
    ids.push_back(claim.claim_id());
  }
  tpp::v1::Claim cancelled;
  ASSERT_TRUE(Cancel(claims_.get(), ids[5], &cancelled).ok());
  tpp::v1::Claim theirs;
  auto other = ClaimService::NewStub(server_->Channel(kOtherPharmacy));
  ASSERT_TRUE(Submit(other.get(),
                     PharmacyClaim(members[0], "F-0", "A0", 1000, 1000, 700),
                     &theirs)
                  .ok());

  std::vector<tpp::v1::Claim> all;
  ASSERT_TRUE(List(claims_.get(), tpp::v1::ListClaimsRequest(), &all).ok());
  ASSERT_EQ(all.size(), 12u);
  std::set<std::string> sorted(ids.begin(), ids.end());
  EXPECT_EQ(std::vector<std::string>(sorted.begin(), sorted.end()), [&] {
    std::vector<std::string> got;
    for (const auto& c : all) got.push_back(c.claim_id());
    return got;
  }());

  // Resume: the first 5, then from the fifth's id.
  tpp::v1::ListClaimsRequest first_page;
  first_page.set_limit(5);
  std::vector<tpp::v1::Claim> page;
  ASSERT_TRUE(List(claims_.get(), first_page, &page).ok());
  ASSERT_EQ(page.size(), 5u);
  tpp::v1::ListClaimsRequest rest;
  rest.set_cursor(page.back().claim_id());
  ASSERT_TRUE(List(claims_.get(), rest, &page).ok());
  EXPECT_EQ(page.size(), 12u);

  tpp::v1::ListClaimsRequest only_cancelled;
  only_cancelled.set_status(tpp::v1::CANCELLED);
  std::vector<tpp::v1::Claim> found;
  ASSERT_TRUE(List(claims_.get(), only_cancelled, &found).ok());
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].claim_id(), ids[5]);

  tpp::v1::ListClaimsRequest future;
  future.set_care_date_from("2100-01-01");
  found.clear();
  ASSERT_TRUE(List(claims_.get(), future, &found).ok());
  EXPECT_TRUE(found.empty());

  // The insurer sees all 13 claims on its members, with adherent numbers.
  found.clear();
  ASSERT_TRUE(
      List(insurer_claims_.get(), tpp::v1::ListClaimsRequest(), &found).ok());
  ASSERT_EQ(found.size(), 13u);
  for (const auto& c : found) EXPECT_FALSE(c.adherent_number().empty());

  tpp::v1::ListClaimsRequest bad;
  bad.set_care_date_from("2026-13-01");
  EXPECT_EQ(List(claims_.get(), bad, &found).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

}  // namespace
}  // namespace tpp::testing
