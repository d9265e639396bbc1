// End-to-end tests of tppctl's settlement commands as separate processes
// against a real tppd: `settle` (idempotent, operators only), `statement
// fetch` in csv and json verified against the trailer and acknowledged,
// `settlements list` with both sides' figures, `ledger verify`, a claim
// cancelled after its settlement reversed in the next one, and a statement
// long enough to cross the run's and the stream's chunk boundaries.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/tppctl_runner.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

#ifndef TPPCTL_PATH
#error "TPPCTL_PATH must name the tppctl binary"
#endif

namespace tpp::testing {
namespace {

constexpr char kOperator[] = "operator/alice";
constexpr char kInsurer[] = "insurer/100000001";
constexpr char kOtherInsurer[] = "insurer/100000002";
constexpr char kPharmacy[] = "provider/750100001";
constexpr char kOtherPharmacy[] = "provider/750100002";

using Output = TppctlRun;

// What `tppctl settle` printed: its "key: value" lines.
struct Printed {
  std::string settlement_id;
  std::string digest;
  int64_t claim_count = -1;
  int64_t total_cents = -1;
};

Printed ParseSettle(const std::string& out) {
  Printed p;
  std::smatch m;
  if (std::regex_search(out, m, std::regex("settlement_id: (\\S+)"))) {
    p.settlement_id = m[1];
  }
  if (std::regex_search(out, m, std::regex("digest: ([0-9a-f]{64})"))) {
    p.digest = m[1];
  }
  if (std::regex_search(out, m, std::regex("claim_count: (\\d+)"))) {
    p.claim_count = std::stoll(m[1]);
  }
  if (std::regex_search(out, m,
                        std::regex("total: -?\\d+\\.\\d\\d EUR \\((-?\\d+) "
                                   "cents\\)"))) {
    p.total_cents = std::stoll(m[1]);
  }
  return p;
}

// claim_id -> amc_cents of each statement line (a claim of several lines
// adds them up), from csv or json output.
struct Rows {
  std::vector<std::pair<std::string, int64_t>> lines;
  int64_t sum = 0;
};

Rows ParseCsv(const std::string& text) {
  Rows rows;
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return rows;
  EXPECT_EQ(lines[0], "claim_id,adherent_number,care_date,category,amc_cents");
  for (size_t i = 1; i < lines.size(); ++i) {
    std::vector<std::string> f = absl::StrSplit(lines[i], ',');
    EXPECT_EQ(f.size(), 5u) << lines[i];
    if (f.size() != 5) continue;
    EXPECT_EQ(f[3], "PHARMACY");
    int64_t cents = 0;
    EXPECT_TRUE(absl::SimpleAtoi(f[4], &cents)) << lines[i];
    rows.lines.emplace_back(f[0], cents);
    rows.sum += cents;
  }
  return rows;
}

// JSON Lines: statement lines, then {"trailer":{...}} last.
Rows ParseJson(const std::string& text, std::string* trailer) {
  Rows rows;
  std::vector<std::string> lines =
      absl::StrSplit(text, '\n', absl::SkipEmpty());
  EXPECT_FALSE(lines.empty());
  if (lines.empty()) return rows;
  *trailer = lines.back();
  lines.pop_back();
  const std::regex line_re(
      "^\\{\"claim_id\":\"([^\"]+)\",\"adherent_number\":\"[^\"]*\","
      "\"care_date\":\"\\d{4}-\\d\\d-\\d\\d\",\"category\":\"PHARMACY\","
      "\"amc_cents\":(-?\\d+)\\}$");
  for (const std::string& line : lines) {
    std::smatch m;
    EXPECT_TRUE(std::regex_match(line, m, line_re)) << line;
    if (m.empty()) continue;
    const int64_t cents = std::stoll(m[2]);
    rows.lines.emplace_back(m[1], cents);
    rows.sum += cents;
  }
  return rows;
}

std::string DayUtc(absl::Duration from_now) {
  return absl::FormatTime("%Y-%m-%d", absl::Now() + from_now,
                          absl::UTCTimeZone());
}

std::string Compact(const std::string& day) {
  std::string out = day;
  out.erase(std::remove(out.begin(), out.end(), '-'), out.end());
  return out;
}

class SettlementTppctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tpp-settle-ctl-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    auto members = tpp::v1::MemberService::NewStub(server_.Channel(kInsurer));
    ASSERT_TRUE(
        ImportCoveredMembers(members.get(), 1000000, 6, 11, &people_).ok());
    pharmacy_ = tpp::v1::ClaimService::NewStub(server_.Channel(kPharmacy));
    other_pharmacy_ =
        tpp::v1::ClaimService::NewStub(server_.Channel(kOtherPharmacy));
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  // tppctl as `identity`, stdout and stderr captured.
  Output Tppctl(const std::string& identity, std::vector<std::string> command) {
    std::vector<std::string> args = {
        TPPCTL_PATH,
        "--target",
        absl::StrCat("127.0.0.1:", server_.port()),
        "--admin",
        absl::StrCat("127.0.0.1:", server_.admin_port()),
        "--tls_dir",
        TestCerts::Get().dir(),
        "--identity",
        identity};
    args.insert(args.end(), command.begin(), command.end());
    return RunProcess(args, dir_);
  }

  // A one-line pharmacy claim of people_[who] on `care_date`; its AMC.
  tpp::v1::Claim Claim(tpp::v1::ClaimService::Stub* stub, int who,
                       const std::string& invoice,
                       const std::string& care_date) {
    tpp::v1::SubmitClaimRequest request =
        PharmacyClaim(people_[who], invoice, "PH" + invoice, 5500, 2300, 1610);
    request.set_care_date(care_date);
    tpp::v1::Claim claim;
    grpc::Status status = Submit(stub, request, &claim);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(claim.status(), tpp::v1::APPROVED);
    EXPECT_GT(claim.amc_total_cents(), 0);
    return claim;
  }

  Output Settle(const std::string& cutoff) {
    return Tppctl(kOperator,
                  {"settle", "--insurer", kInsurerId, "--cutoff", cutoff});
  }

  TppdProcess server_;
  std::string dir_;
  std::vector<tpp::v1::MemberRecord> people_;
  std::unique_ptr<tpp::v1::ClaimService::Stub> pharmacy_;
  std::unique_ptr<tpp::v1::ClaimService::Stub> other_pharmacy_;
};

TEST_F(SettlementTppctlTest, SettleFetchVerifyAcknowledgeAndList) {
  const std::string today = TodayUtc();
  int64_t expected_total = 0;
  std::set<std::string> claim_ids;
  for (int i = 0; i < 3; ++i) {
    tpp::v1::Claim c = Claim(pharmacy_.get(), i, absl::StrCat("A-", i), today);
    expected_total += c.amc_total_cents();
    claim_ids.insert(c.claim_id());
  }
  for (int i = 3; i < 5; ++i) {
    tpp::v1::Claim c =
        Claim(other_pharmacy_.get(), i, absl::StrCat("B-", i), today);
    expected_total += c.amc_total_cents();
    claim_ids.insert(c.claim_id());
  }

  Output run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed first = ParseSettle(run.out);
  EXPECT_EQ(first.settlement_id, absl::StrCat(kInsurerId, "-", Compact(today)))
      << run.out;
  EXPECT_EQ(first.claim_count, 5) << run.out;
  EXPECT_EQ(first.total_cents, expected_total) << run.out;
  EXPECT_EQ(first.digest.size(), 64u) << run.out;

  // The same run again: the same settlement.
  run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed again = ParseSettle(run.out);
  EXPECT_EQ(again.settlement_id, first.settlement_id);
  EXPECT_EQ(again.total_cents, first.total_cents);
  EXPECT_EQ(again.digest, first.digest);

  // csv to a file: one row per claim line, adding up to the total.
  run = Tppctl(kInsurer,
               {"statement", "fetch", "--settlement", first.settlement_id,
                "--format", "csv", "--out", Path("statement.csv")});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;  // messages go to stderr
  EXPECT_TRUE(absl::StrContains(run.err, "verified")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, first.digest)) << run.err;
  Rows csv = ParseCsv(ReadFileOrEmpty(Path("statement.csv")));
  EXPECT_EQ(csv.sum, first.total_cents);
  EXPECT_EQ(csv.lines.size(), 5u);
  std::set<std::string> csv_ids;
  for (const auto& [id, cents] : csv.lines) csv_ids.insert(id);
  EXPECT_EQ(csv_ids, claim_ids);
  struct stat st;
  ASSERT_EQ(::stat(Path("statement.csv").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);  // adherent numbers and care
  // No temporary file left beside it.
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (absl::StrContains(entry.path().string(), "statement.csv")) ++files;
  }
  EXPECT_EQ(files, 1);

  // json to stdout: the lines, then the trailer.
  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement",
                          first.settlement_id, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string trailer;
  Rows json = ParseJson(run.out, &trailer);
  EXPECT_EQ(json.sum, first.total_cents);
  EXPECT_EQ(json.lines, csv.lines);
  EXPECT_EQ(trailer, absl::StrCat("{\"trailer\":{\"line_count\":5,"
                                  "\"total_cents\":",
                                  first.total_cents, ",\"digest\":\"",
                                  first.digest, "\"}}"));

  // Verified, then acknowledged with the recomputed figures.
  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement",
                          first.settlement_id, "--acknowledge"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "MATCHED")) << run.err;

  // Both listings show it with its acknowledgement.
  run = Tppctl(kOperator, {"settlements", "list"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, first.settlement_id)) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "MATCHED at ")) << run.out;
  EXPECT_TRUE(
      absl::StrContains(run.out, "spiffe://tpp.local/insurer/100000001"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "1 settlement(s)")) << run.out;
  run = Tppctl(kInsurer, {"settlements", "list"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, first.settlement_id)) << run.out;
  run = Tppctl(kOtherInsurer, {"settlements", "list"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "0 settlement(s)")) << run.out;

  run = Tppctl(kOperator, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "ledger ok\n");
}

TEST_F(SettlementTppctlTest, DiscrepancyIsListedWithBothSidesFigures) {
  const std::string today = TodayUtc();
  Claim(pharmacy_.get(), 0, "D-1", today);
  Output run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed settled = ParseSettle(run.out);
  // An insurer whose books say one cent more.
  auto stub = tpp::v1::SettlementService::NewStub(server_.Channel(kInsurer));
  tpp::v1::AcknowledgeStatementRequest request;
  request.set_settlement_id(settled.settlement_id);
  request.set_line_count(1);
  request.set_total_cents(settled.total_cents + 1);
  request.set_digest(settled.digest);
  tpp::v1::AcknowledgeStatementResponse response;
  grpc::ClientContext ctx;
  ASSERT_TRUE(stub->AcknowledgeStatement(&ctx, request, &response).ok());
  EXPECT_EQ(response.result(), tpp::v1::DISCREPANCY);

  run = Tppctl(kOperator, {"settlements", "list", "--insurer", kInsurerId});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "DISCREPANCY")) << run.out;
  EXPECT_TRUE(absl::StrContains(
      run.out, absl::StrCat("(", settled.total_cents + 1, " cents)")))
      << run.out;
  EXPECT_TRUE(absl::StrContains(
      run.out, absl::StrCat("(", settled.total_cents, " cents)")))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "differs: total")) << run.out;
}

TEST_F(SettlementTppctlTest, OnlyOperatorsSettleAndOnlyTheirInsurerFetches) {
  const std::string today = TodayUtc();
  Claim(pharmacy_.get(), 0, "P-1", today);
  Output run =
      Tppctl(kPharmacy, {"settle", "--insurer", kInsurerId, "--cutoff", today});
  EXPECT_NE(run.exit_code, 0) << run.out;
  EXPECT_TRUE(absl::StrContains(run.err, "PERMISSION_DENIED")) << run.err;
  EXPECT_TRUE(run.out.empty()) << run.out;
  run = Tppctl(kOperator, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  run = Tppctl(kPharmacy, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "PERMISSION_DENIED")) << run.err;

  run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string id = ParseSettle(run.out).settlement_id;
  // Another insurer's statement does not exist for this one.
  run = Tppctl(kOtherInsurer, {"statement", "fetch", "--settlement", id});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "NOT_FOUND")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "SETTLEMENT_NOT_FOUND")) << run.err;
  // Bad usage is refused before any call.
  run = Tppctl(kOperator,
               {"settle", "--insurer", kInsurerId, "--cutoff", "30/11/2026"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  run = Tppctl(kInsurer,
               {"statement", "fetch", "--settlement", id, "--format", "xml"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  // A cutoff after tomorrow is the node's to refuse.
  run = Settle(DayUtc(absl::Hours(24 * 3)));
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "INVALID_ARGUMENT")) << run.err;
}

TEST_F(SettlementTppctlTest, OutFileIsNeverOverwrittenWithoutForce) {
  const std::string today = TodayUtc();
  Claim(pharmacy_.get(), 0, "O-1", today);
  Output run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const std::string id = ParseSettle(run.out).settlement_id;
  {
    std::FILE* f = std::fopen(Path("mine.csv").c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("keep me\n", f);
    std::fclose(f);
  }
  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement", id, "--out",
                          Path("mine.csv")});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "exists")) << run.err;
  EXPECT_EQ(ReadFileOrEmpty(Path("mine.csv")), "keep me\n");
  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement", id, "--out",
                          Path("mine.csv"), "--force"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(ParseCsv(ReadFileOrEmpty(Path("mine.csv"))).lines.size(), 1u);
  // A failed fetch leaves no file behind.
  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement",
                          "100000001-19990101", "--out", Path("none.csv")});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
  EXPECT_FALSE(std::filesystem::exists(Path("none.csv")));
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_)) {
    if (absl::StrContains(entry.path().string(), "none.csv")) ++files;
  }
  EXPECT_EQ(files, 0);
}

TEST_F(SettlementTppctlTest, CancelAfterSettlementIsReversedInTheNextOne) {
  // Yesterday's care is settled at yesterday's cutoff, today's is not.
  const std::string yesterday = DayUtc(-absl::Hours(24));
  const std::string today = TodayUtc();
  tpp::v1::Claim kept = Claim(pharmacy_.get(), 0, "R-1", yesterday);
  tpp::v1::Claim cancelled = Claim(other_pharmacy_.get(), 1, "R-2", yesterday);
  tpp::v1::Claim later = Claim(pharmacy_.get(), 2, "R-3", today);

  Output run = Settle(yesterday);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed first = ParseSettle(run.out);
  EXPECT_EQ(first.claim_count, 2) << run.out;
  EXPECT_EQ(first.total_cents,
            kept.amc_total_cents() + cancelled.amc_total_cents());

  tpp::v1::Claim got;
  grpc::Status status =
      Cancel(other_pharmacy_.get(), cancelled.claim_id(), &got);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(got.status(), tpp::v1::CANCELLED);
  run = Tppctl(kOperator, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;

  // The same cutoff again is the same settlement: it never changes.
  run = Settle(yesterday);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed same = ParseSettle(run.out);
  EXPECT_EQ(same.settlement_id, first.settlement_id);
  EXPECT_EQ(same.total_cents, first.total_cents);
  EXPECT_EQ(same.digest, first.digest);

  // A later cutoff carries today's claim and the reversal.
  run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed second = ParseSettle(run.out);
  EXPECT_NE(second.settlement_id, first.settlement_id);
  EXPECT_EQ(second.claim_count, 2) << run.out;
  EXPECT_EQ(second.total_cents,
            later.amc_total_cents() - cancelled.amc_total_cents());

  run = Tppctl(kInsurer,
               {"statement", "fetch", "--settlement", second.settlement_id,
                "--format", "csv", "--acknowledge"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "MATCHED")) << run.err;
  Rows rows = ParseCsv(run.out);
  EXPECT_EQ(rows.sum, second.total_cents);
  std::map<std::string, int64_t> by_claim(rows.lines.begin(), rows.lines.end());
  ASSERT_EQ(by_claim.size(), 2u) << run.out;
  EXPECT_EQ(by_claim[cancelled.claim_id()], -cancelled.amc_total_cents());
  EXPECT_EQ(by_claim[later.claim_id()], later.amc_total_cents());

  run = Tppctl(kInsurer, {"statement", "fetch", "--settlement",
                          first.settlement_id, "--format", "json"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::string trailer;
  EXPECT_EQ(ParseJson(run.out, &trailer).sum, first.total_cents);

  run = Tppctl(kOperator, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_EQ(run.out, "ledger ok\n");
}

// 1024 claims: the run writes one full chunk of claims
// (kSettlementChunkClaims) and the statement streams two full chunks of
// lines (kStatementChunkLinesMax), the trailer after them.
TEST_F(SettlementTppctlTest, LongStatementAcrossChunkBoundaries) {
  const std::string today = TodayUtc();
  constexpr int kClaims = 1024;
  int64_t expected_total = 0;
  for (int i = 0; i < kClaims; ++i) {
    tpp::v1::ClaimService::Stub* stub =
        i % 2 == 0 ? pharmacy_.get() : other_pharmacy_.get();
    expected_total +=
        Claim(stub, i % 6, absl::StrCat("L-", i), today).amc_total_cents();
  }
  Output run = Settle(today);
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  const Printed settled = ParseSettle(run.out);
  EXPECT_EQ(settled.claim_count, kClaims);
  EXPECT_EQ(settled.total_cents, expected_total);
  run = Tppctl(kInsurer,
               {"statement", "fetch", "--settlement", settled.settlement_id,
                "--format", "json", "--acknowledge"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "MATCHED")) << run.err;
  std::string trailer;
  Rows rows = ParseJson(run.out, &trailer);
  EXPECT_EQ(rows.lines.size(), static_cast<size_t>(kClaims));
  EXPECT_EQ(rows.sum, expected_total);
  run = Tppctl(kOperator, {"ledger", "verify"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

}  // namespace
}  // namespace tpp::testing
