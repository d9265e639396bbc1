// End-to-end settlement through real mTLS clients: 3 insurers, 10
// providers, 1,000 claims (some rejected, some cancelled before and some
// after settlement); every settlement's remittances sum to its total, the
// statement's trailer matches its lines and a recomputed digest, an
// acknowledgement with the right figures is MATCHED and one cent off is a
// DISCREPANCY, reversals go into the next settlement, and the ledger
// verifies.
#include "services/settlement/settlement.h"

#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::MemberService;
using tpp::v1::SettlementService;

constexpr int kInsurers = 3;
constexpr int kProviders = 10;
constexpr int kMembersPerInsurer = 30;
constexpr int kClaims = 1000;

std::string InsurerId(int k) { return absl::StrCat(100000001 + k); }
std::string ProviderId(int p) { return absl::StrCat(750100001 + p); }
std::string DayUtc(absl::Duration ago) {
  return absl::FormatTime("%Y-%m-%d", absl::Now() - ago, absl::UTCTimeZone());
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(120));
  return ctx;
}

struct Statement {
  std::vector<tpp::v1::StatementLine> lines;
  tpp::v1::StatementTrailer trailer;
};

class SettlementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TppdProcess>();
    ASSERT_TRUE(server_->Start().ok());
    operator_ = SettlementService::NewStub(
        server_->Channel("operator/alice", TppdProcess::Port::kAdmin));
  }

  SettlementService::Stub* InsurerSettlements(int k) {
    auto& stub = insurer_settlements_[k];
    if (!stub) {
      stub = SettlementService::NewStub(
          server_->Channel("insurer/" + InsurerId(k)));
    }
    return stub.get();
  }

  grpc::Status Run(int k, const std::string& cutoff, tpp::v1::Settlement* out) {
    tpp::v1::RunSettlementRequest request;
    request.set_insurer_id(InsurerId(k));
    request.set_cutoff_date(cutoff);
    auto ctx = Context();
    return operator_->RunSettlement(ctx.get(), request, out);
  }

  Statement Fetch(int k, const std::string& settlement_id) {
    Statement statement;
    tpp::v1::StreamStatementRequest request;
    request.set_settlement_id(settlement_id);
    auto ctx = Context();
    auto reader = InsurerSettlements(k)->StreamStatement(ctx.get(), request);
    tpp::v1::StatementChunk chunk;
    while (reader->Read(&chunk)) {
      for (const auto& line : chunk.lines()) statement.lines.push_back(line);
      if (chunk.has_trailer()) statement.trailer = chunk.trailer();
    }
    grpc::Status status = reader->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return statement;
  }

  // Sum of every provider's remittance lines for `settlement_id`.
  int64_t RemittedFor(const std::string& settlement_id) {
    int64_t total = 0;
    for (int p = 0; p < kProviders; ++p) {
      auto stub = SettlementService::NewStub(
          server_->Channel("provider/" + ProviderId(p)));
      auto ctx = Context();
      auto reader =
          stub->ListRemittances(ctx.get(), tpp::v1::ListRemittancesRequest());
      tpp::v1::Remittance remittance;
      while (reader->Read(&remittance)) {
        if (remittance.settlement_id() != settlement_id) continue;
        int64_t lines = 0;
        for (const auto& line : remittance.lines()) lines += line.amc_cents();
        EXPECT_EQ(lines, remittance.total_cents());
        total += remittance.total_cents();
      }
      EXPECT_TRUE(reader->Finish().ok());
    }
    return total;
  }

  std::unique_ptr<TppdProcess> server_;
  std::unique_ptr<SettlementService::Stub> operator_;
  std::map<int, std::unique_ptr<SettlementService::Stub>> insurer_settlements_;
};

TEST_F(SettlementTest, ThreeInsurersTenProvidersAThousandClaims) {
  // Members per insurer.
  std::vector<std::vector<tpp::v1::MemberRecord>> members(kInsurers);
  for (int k = 0; k < kInsurers; ++k) {
    auto stub =
        MemberService::NewStub(server_->Channel("insurer/" + InsurerId(k)));
    ASSERT_TRUE(ImportCoveredMembers(stub.get(), 1000000, kMembersPerInsurer,
                                     100 + k, &members[k])
                    .ok());
  }
  std::vector<std::unique_ptr<ClaimService::Stub>> providers;
  for (int p = 0; p < kProviders; ++p) {
    providers.push_back(
        ClaimService::NewStub(server_->Channel("provider/" + ProviderId(p))));
  }

  // 1,000 claims of yesterday; every 50th for nobody (rejected); every 40th
  // cancelled at once.
  const std::string yesterday = DayUtc(absl::Hours(24));
  std::map<std::string, tpp::v1::Claim> claims;  // by claim_id
  std::vector<std::string> approved_ids;
  for (int i = 0; i < kClaims; ++i) {
    const int k = i % kInsurers;
    const int p = i % kProviders;
    tpp::v1::MemberRecord member =
        members[k][(i / kInsurers) % kMembersPerInsurer];
    if (i % 50 == 49) member.set_birth_rank(9);
    tpp::v1::SubmitClaimRequest request =
        PharmacyClaim(member, absl::StrCat("S-", i), absl::StrCat("A", i),
                      1000 + (i % 7) * 100, 800, 560);
    request.set_insurer_id(InsurerId(k));
    request.set_care_date(yesterday);
    tpp::v1::Claim claim;
    grpc::Status status = Submit(providers[p].get(), request, &claim);
    ASSERT_TRUE(status.ok()) << i << ": " << status.error_message();
    if (i % 50 == 49) {
      ASSERT_EQ(claim.status(), tpp::v1::REJECTED) << i;
    } else {
      ASSERT_EQ(claim.status(), tpp::v1::APPROVED) << i;
      if (i % 40 == 39) {
        ASSERT_TRUE(Cancel(providers[p].get(), claim.claim_id(), &claim).ok());
      } else {
        approved_ids.push_back(claim.claim_id());
      }
    }
    claims[claim.claim_id()] = claim;
  }

  // Settle every insurer up to yesterday, two runs at once for each; again
  // gives the same settlement.
  std::vector<tpp::v1::Settlement> first(kInsurers);
  for (int k = 0; k < kInsurers; ++k) {
    tpp::v1::Settlement concurrent;
    grpc::Status concurrent_status;
    std::thread other(
        [&] { concurrent_status = Run(k, yesterday, &concurrent); });
    grpc::Status status = Run(k, yesterday, &first[k]);
    other.join();
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(concurrent_status.ok()) << concurrent_status.error_message();
    EXPECT_EQ(concurrent.settlement_id(), first[k].settlement_id());
    EXPECT_EQ(concurrent.claim_count(), first[k].claim_count());
    EXPECT_EQ(concurrent.total_cents(), first[k].total_cents());
    tpp::v1::Settlement again;
    ASSERT_TRUE(Run(k, yesterday, &again).ok());
    EXPECT_EQ(again.settlement_id(), first[k].settlement_id());
    EXPECT_EQ(again.total_cents(), first[k].total_cents());
    EXPECT_EQ(again.digest(), first[k].digest());
  }
  int64_t settled_claims = 0;
  for (int k = 0; k < kInsurers; ++k) {
    // Exactly the insurer's approved claims, at their amounts.
    int64_t expected_total = 0, expected_count = 0;
    for (const std::string& id : approved_ids) {
      if (claims[id].insurer_id() != InsurerId(k)) continue;
      expected_total += claims[id].amc_total_cents();
      ++expected_count;
    }
    EXPECT_EQ(first[k].claim_count(), expected_count);
    EXPECT_EQ(first[k].total_cents(), expected_total);
    settled_claims += first[k].claim_count();

    Statement statement = Fetch(k, first[k].settlement_id());
    StatementDigest digest;
    int64_t total = 0;
    for (const auto& line : statement.lines) {
      StatementLine l;
      l.claim_id = line.claim_id();
      l.adherent_number = line.adherent_number();
      l.care_date = *Date::Parse(line.care_date());
      l.category = static_cast<Category>(line.category());
      l.amc_cents = line.amc_cents();
      digest.Add(l);
      total += line.amc_cents();
      EXPECT_FALSE(line.adherent_number().empty());
    }
    EXPECT_EQ(statement.trailer.line_count(),
              static_cast<int64_t>(statement.lines.size()));
    EXPECT_EQ(statement.trailer.total_cents(), total);
    EXPECT_EQ(statement.trailer.total_cents(), first[k].total_cents());
    EXPECT_EQ(statement.trailer.digest(), digest.Hex());
    EXPECT_EQ(statement.trailer.digest(), first[k].digest());
    EXPECT_EQ(RemittedFor(first[k].settlement_id()), first[k].total_cents());

    // Acknowledgements: right figures MATCHED, a cent off DISCREPANCY.
    tpp::v1::AcknowledgeStatementRequest ack;
    ack.set_settlement_id(first[k].settlement_id());
    ack.set_line_count(statement.trailer.line_count());
    ack.set_total_cents(total);
    ack.set_digest(digest.Hex());
    tpp::v1::AcknowledgeStatementResponse answer;
    auto ctx = Context();
    ASSERT_TRUE(InsurerSettlements(k)
                    ->AcknowledgeStatement(ctx.get(), ack, &answer)
                    .ok());
    EXPECT_EQ(answer.result(), tpp::v1::MATCHED);
    ack.set_total_cents(total - 1);
    auto ctx2 = Context();
    ASSERT_TRUE(InsurerSettlements(k)
                    ->AcknowledgeStatement(ctx2.get(), ack, &answer)
                    .ok());
    EXPECT_EQ(answer.result(), tpp::v1::DISCREPANCY);
    EXPECT_EQ(answer.expected_total_cents(), total);
  }
  EXPECT_EQ(settled_claims, static_cast<int64_t>(approved_ids.size()));

  // Another insurer's statement is nobody's business.
  {
    tpp::v1::StreamStatementRequest request;
    request.set_settlement_id(first[0].settlement_id());
    auto ctx = Context();
    auto reader = InsurerSettlements(1)->StreamStatement(ctx.get(), request);
    tpp::v1::StatementChunk chunk;
    while (reader->Read(&chunk)) {
    }
    EXPECT_EQ(reader->Finish().error_code(), grpc::StatusCode::NOT_FOUND);
  }

  // Operators see both acknowledgements of every settlement.
  {
    tpp::v1::ListSettlementsResponse list;
    auto ctx = Context();
    ASSERT_TRUE(operator_
                    ->ListSettlements(ctx.get(),
                                      tpp::v1::ListSettlementsRequest(), &list)
                    .ok());
    ASSERT_EQ(list.settlements_size(), kInsurers);
    for (const auto& s : list.settlements()) {
      ASSERT_EQ(s.acknowledgements_size(), 2);
      EXPECT_EQ(s.acknowledgements(0).result(), tpp::v1::MATCHED);
      EXPECT_EQ(s.acknowledgements(1).result(), tpp::v1::DISCREPANCY);
      EXPECT_EQ(s.acknowledgements(1).total_cents(), s.total_cents() - 1);
    }
  }

  // Cancelled after settlement: reversals in the insurer's next settlement.
  std::map<int, int64_t> reversed;  // by insurer
  for (size_t j = 0; j < approved_ids.size(); j += 45) {
    const tpp::v1::Claim& claim = claims[approved_ids[j]];
    const int p = std::stoi(claim.provider_id()) - 750100001;
    tpp::v1::Claim cancelled;
    grpc::Status status =
        Cancel(providers[p].get(), claim.claim_id(), &cancelled);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(cancelled.status(), tpp::v1::CANCELLED);
    // It keeps the settlement that paid it.
    EXPECT_EQ(cancelled.settlement_id(),
              first[std::stoi(claim.insurer_id()) - 100000001].settlement_id());
    reversed[std::stoi(claim.insurer_id()) - 100000001] +=
        claim.amc_total_cents();
  }
  const std::string today = DayUtc(absl::ZeroDuration());
  for (int k = 0; k < kInsurers; ++k) {
    tpp::v1::Settlement next;
    ASSERT_TRUE(Run(k, today, &next).ok());
    EXPECT_NE(next.settlement_id(), first[k].settlement_id());
    EXPECT_EQ(next.total_cents(), -reversed[k]);
    Statement statement = Fetch(k, next.settlement_id());
    for (const auto& line : statement.lines) EXPECT_LT(line.amc_cents(), 0);
    EXPECT_EQ(statement.trailer.total_cents(), -reversed[k]);
    EXPECT_EQ(RemittedFor(next.settlement_id()), -reversed[k]);
  }

  // Cutoffs only move forward: an earlier one than the last is refused,
  // while the same earlier settlement again is still its old self.
  {
    tpp::v1::Settlement earlier;
    grpc::Status status = Run(0, DayUtc(absl::Hours(48)), &earlier);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(ErrorReason(status), "CUTOFF_BEFORE_LAST_SETTLEMENT");
    ASSERT_TRUE(Run(0, yesterday, &earlier).ok());
    EXPECT_EQ(earlier.settlement_id(), first[0].settlement_id());
    EXPECT_EQ(earlier.line_count(), first[0].line_count());
  }

  tpp::v1::VerifyLedgerResponse verdict;
  auto ctx = Context();
  ASSERT_TRUE(
      operator_
          ->VerifyLedger(ctx.get(), tpp::v1::VerifyLedgerRequest(), &verdict)
          .ok());
  EXPECT_TRUE(verdict.ok()) << verdict.violation();
}

TEST_F(SettlementTest, OnlyOperatorsRunSettlementsAndBadInputIsNamed) {
  tpp::v1::RunSettlementRequest request;
  request.set_insurer_id(InsurerId(0));
  request.set_cutoff_date(DayUtc(absl::ZeroDuration()));
  tpp::v1::Settlement settlement;
  auto provider = SettlementService::NewStub(
      server_->Channel("provider/" + ProviderId(0), TppdProcess::Port::kAdmin));
  auto ctx = Context();
  EXPECT_EQ(
      provider->RunSettlement(ctx.get(), request, &settlement).error_code(),
      grpc::StatusCode::PERMISSION_DENIED);
  request.set_cutoff_date(DayUtc(-absl::Hours(24)));  // tomorrow
  auto ctx2 = Context();
  grpc::Status status =
      operator_->RunSettlement(ctx2.get(), request, &settlement);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status), std::vector<std::string>{"cutoff_date"});
  // An insurer tpp does not know.
  request.set_cutoff_date(DayUtc(absl::ZeroDuration()));
  request.set_insurer_id("999999999");
  auto ctx3 = Context();
  EXPECT_EQ(
      operator_->RunSettlement(ctx3.get(), request, &settlement).error_code(),
      grpc::StatusCode::NOT_FOUND);
}

}  // namespace
}  // namespace tpp::testing
