#include "services/settlement/settlement.h"

#include "gtest/gtest.h"
#include "services/settlement/ledger.h"

namespace tpp {
namespace {

StatementLine Line(const std::string& claim_id, const std::string& adherent,
                   const std::string& care_date, Category category,
                   int64_t amc_cents) {
  StatementLine line;
  line.claim_id = claim_id;
  line.adherent_number = adherent;
  line.care_date = *Date::Parse(care_date);
  line.category = category;
  line.amc_cents = amc_cents;
  line.provider_id = "not in the digest";
  line.invoice_number = "nor this";
  return line;
}

TEST(StatementDigestTest, MatchesTheDocumentedEncoding) {
  // The same lines hashed by Python's hashlib from the README's recipe.
  StatementDigest digest;
  EXPECT_EQ(digest.Hex(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  digest.Add(Line("0190000000000000aaaaaaaaaaaaaaaa", "10000000001",
                  "2026-11-27", Category::kPharmacy, 2990));
  digest.Add(Line("0190000000000001bbbbbbbbbbbbbbbb", "10000000002",
                  "2026-11-28", Category::kOptical, -1500));
  EXPECT_EQ(digest.Hex(),
            "366bbaec9be78392e65d029fed0a5604365ad6f2f38a6408c7725f7b0658a1a9");
  EXPECT_EQ(EncodeStatementLine(
                Line("c", "a", "2026-01-02", Category::kHospital, -7)),
            "c|a|2026-01-02|HOSPITAL|-7\n");
}

TEST(SettlementIdTest, InsurerAndCutoff) {
  EXPECT_EQ(SettlementId("100000001", *Date::Parse("2026-11-30")),
            "100000001-20261130");
}

Claim Approved(int64_t amc) {
  Claim claim;
  claim.insurer_id = "I";
  claim.provider_id = "P";
  claim.status = ClaimStatus::kApproved;
  claim.amc_total_cents = amc;
  return claim;
}

int64_t Balance(const std::vector<Posting>& postings,
                const std::string& account) {
  int64_t balance = 0;
  for (const Posting& p : postings) {
    if (p.debit == account) balance += p.amount_cents;
    if (p.credit == account) balance -= p.amount_cents;
  }
  return balance;
}

TEST(LedgerTest, ApproveCancelSettleAndReverseBalance) {
  std::vector<Posting> all;
  auto add = [&all](const std::vector<Posting>& postings) {
    all.insert(all.end(), postings.begin(), postings.end());
  };
  Claim claim = Approved(2990);
  add(ClaimPostings(std::nullopt, claim));
  EXPECT_EQ(Balance(all, InsurerReceivable("I")), 2990);
  EXPECT_EQ(Balance(all, ProviderPayable("P")), -2990);
  // Settled: receivable and payable move on to invoiced and remitted.
  add(SettlementPostings("I", "P", 2990));
  EXPECT_EQ(Balance(all, InsurerReceivable("I")), 0);
  EXPECT_EQ(Balance(all, InsurerInvoiced("I")), 2990);
  EXPECT_EQ(Balance(all, ProviderRemitted("P")), -2990);
  // Cancelled after settlement, then the reversal settled.
  Claim cancelled = claim;
  cancelled.status = ClaimStatus::kCancelled;
  add(ClaimPostings(ClaimStatus::kSettled, cancelled));
  add(SettlementPostings("I", "P", -2990));
  for (const char* account : {"insurer/I/receivable", "insurer/I/invoiced",
                              "provider/P/payable", "provider/P/remitted"}) {
    EXPECT_EQ(Balance(all, account), 0) << account;
  }
  // Status changes that neither start nor stop consuming post nothing.
  Claim settled = claim;
  settled.status = ClaimStatus::kSettled;
  EXPECT_TRUE(ClaimPostings(ClaimStatus::kApproved, settled).empty());
  Claim rejected = Approved(0);
  rejected.status = ClaimStatus::kRejected;
  EXPECT_TRUE(ClaimPostings(std::nullopt, rejected).empty());
}

}  // namespace
}  // namespace tpp
