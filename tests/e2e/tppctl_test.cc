// End-to-end tests of tppctl's insurer commands, run as a separate process
// against a real tppd: `contracts put`, then `members import` of files made
// by tpp-gen-members, with the exit codes, the summaries and the promise that
// nothing tppctl prints holds a NIR or a name from the file.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "services/members/member_csv.h"
#include "tests/support/tppctl_runner.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/members.grpc.pb.h"

#ifndef TPPCTL_PATH
#error "TPPCTL_PATH must name the tppctl binary"
#endif
#ifndef TPP_GEN_MEMBERS_PATH
#error "TPP_GEN_MEMBERS_PATH must name the tpp-gen-members binary"
#endif

namespace tpp::testing {
namespace {

constexpr char kInsurer[] = "insurer/100000001";
constexpr int kMembers = 2000;
constexpr uint64_t kSeed = 7;
constexpr char kContracts[] =
    R"({"contract_id":"GOLD-2026","guarantees":[{"category":"PHARMACY",)"
    R"("rate_bp":20000,"annual_ceiling_cents":100000}]})"
    "\n\n"
    R"({"contract_id":"SILVER-2026","guarantees":[{"category":"OPTICAL",)"
    R"("rate_bp":10000}]})"
    "\n";

std::vector<MemberCsvRow> ReadRows(const std::string& path) {
  MemberCsvParser parser;
  parser.Feed(ReadFileOrEmpty(path));
  parser.Finish();
  std::vector<MemberCsvRow> rows;
  MemberCsvRow row;
  while (true) {
    absl::StatusOr<bool> got = parser.Next(&row);
    EXPECT_TRUE(got.ok()) << got.status();
    if (!got.ok() || !*got) break;
    rows.push_back(row);
  }
  return rows;
}

void WriteRows(const std::string& path, const std::vector<MemberCsvRow>& rows) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << kMemberCsvHeader << "\n";
  for (const MemberCsvRow& row : rows) out << FormatMemberCsvRow(row) << "\n";
}

class TppctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tppctl-test-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    stub_ = tpp::v1::MemberService::NewStub(server_.Channel(kInsurer));
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  TppctlRun Tppctl(std::vector<std::string> command,
                   const std::string& target = "") {
    std::vector<std::string> args = {
        TPPCTL_PATH,
        "--target",
        target.empty() ? absl::StrCat("127.0.0.1:", server_.port()) : target,
        "--tls_dir",
        TestCerts::Get().dir(),
        "--identity",
        kInsurer};
    args.insert(args.end(), command.begin(), command.end());
    return RunProcess(args, dir_);
  }

  // As an operator, on the admin listener.
  TppctlRun OperatorTppctl(std::vector<std::string> command) {
    std::vector<std::string> args = {
        TPPCTL_PATH,
        "--target",
        absl::StrCat("127.0.0.1:", server_.port()),
        "--admin",
        absl::StrCat("127.0.0.1:", server_.admin_port()),
        "--tls_dir",
        TestCerts::Get().dir(),
        "--identity",
        "operator/alice"};
    args.insert(args.end(), command.begin(), command.end());
    return RunProcess(args, dir_);
  }

  void PutContracts() {
    std::ofstream(Path("contracts.jsonl")) << kContracts;
    TppctlRun run =
        Tppctl({"contracts", "put", "--file", Path("contracts.jsonl")});
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  }

  // kMembers members on GOLD-2026 (seed kSeed) in `name`; returns the rows.
  std::vector<MemberCsvRow> Generate(const std::string& name) {
    TppctlRun gen = RunProcess(
        {TPP_GEN_MEMBERS_PATH, "--count", std::to_string(kMembers), "--seed",
         std::to_string(kSeed), "--contracts", "GOLD-2026"},
        dir_);
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    std::ofstream(Path(name), std::ios::binary) << gen.out;
    std::vector<MemberCsvRow> rows = ReadRows(Path(name));
    EXPECT_EQ(rows.size(), static_cast<size_t>(kMembers));
    return rows;
  }

  grpc::StatusCode Get(const MemberCsvRow& row) {
    tpp::v1::GetMemberRequest request;
    request.mutable_beneficiary()->set_nir(row.nir);
    request.mutable_beneficiary()->set_birth_date(row.birth_date);
    request.mutable_beneficiary()->set_birth_rank(row.birth_rank);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(30));
    tpp::v1::MemberRecord got;
    return stub_->GetMember(&ctx, request, &got).error_code();
  }

  // Personal data never reaches tppctl's output.
  static void ExpectNoPersonalData(const TppctlRun& run,
                                   const std::vector<MemberCsvRow>& rows) {
    for (const MemberCsvRow& row : rows) {
      for (const std::string* text : {&run.out, &run.err}) {
        ASSERT_FALSE(absl::StrContains(*text, row.nir)) << *text;
        ASSERT_FALSE(absl::StrContains(*text, row.last_name)) << *text;
      }
    }
  }

  TppdProcess server_;
  std::string dir_;
  std::unique_ptr<tpp::v1::MemberService::Stub> stub_;
};

TEST_F(TppctlTest, ContractsPutCreatesThenReplaces) {
  std::ofstream(Path("contracts.jsonl")) << kContracts;
  TppctlRun run =
      Tppctl({"contracts", "put", "--file", Path("contracts.jsonl")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "GOLD-2026 created")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "SILVER-2026 created")) << run.out;

  run = Tppctl({"contracts", "put", "--file", Path("contracts.jsonl")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "GOLD-2026 replaced")) << run.out;

  // Not JSON, an unknown field, a contract the node refuses: each reported
  // on its line, the good one still stored.
  std::ofstream(Path("bad.jsonl"))
      << "{not json\n"
      << R"({"contract_id":"X-1","colour":"red"})"
      << "\n"
      << R"({"contract_id":"bad id!","guarantees":[{"rate_bp":-1}]})"
      << "\n"
      << R"({"contract_id":"BRONZE-2026","guarantees":[{"category":"DENTAL",)"
      << R"("rate_bp":10000}]})"
      << "\n";
  run = Tppctl({"contracts", "put", "--file", Path("bad.jsonl")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "line 1: ")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "line 2: ")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "line 3: bad id!: INVALID_ARGUMENT"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "line 4: BRONZE-2026 created"))
      << run.out;
}

TEST_F(TppctlTest, ImportsGeneratedMembers) {
  PutContracts();
  std::vector<MemberCsvRow> rows = Generate("members.csv");
  TppctlRun run = Tppctl({"members", "import", "--csv", Path("members.csv")});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(
      run.out,
      "sent 2000 records: 2000 accepted, 0 rejected by the node; "
      "0 rejected locally"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.err, "2000 records sent")) << run.err;
  ExpectNoPersonalData(run, rows);
  for (size_t i = 0; i < rows.size(); i += 199) {
    EXPECT_EQ(Get(rows[i]), grpc::StatusCode::OK) << i;
  }
}

TEST_F(TppctlTest, BadRowsAreReportedByIndexAndTheOthersAccepted) {
  PutContracts();
  std::vector<MemberCsvRow> rows = Generate("members.csv");
  // Record 700 (file line 702): a NIR whose key is off by one; record 1300
  // (line 1302): a contract the insurer does not have.
  std::string& nir = rows[700].nir;
  nir[14] = nir[14] == '9' ? '0' : static_cast<char>(nir[14] + 1);
  rows[1300].contract_id = "NO-SUCH-CONTRACT";
  WriteRows(Path("bad.csv"), rows);

  TppctlRun run = Tppctl({"members", "import", "--csv", Path("bad.csv")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(
      run.out, "sent 2000 records: 1998 accepted, 2 rejected by the node"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "rejected index 700 (line 702): nir"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out,
                                "rejected index 1300 (line 1302): contract_id"))
      << run.out;
  ExpectNoPersonalData(run, rows);
  EXPECT_EQ(Get(rows[699]), grpc::StatusCode::OK);
  EXPECT_EQ(Get(rows[1301]), grpc::StatusCode::OK);
  EXPECT_EQ(Get(rows[1300]), grpc::StatusCode::NOT_FOUND);
}

TEST_F(TppctlTest, RowsTheClientRefusesAreNotSent) {
  PutContracts();
  std::vector<MemberCsvRow> rows = Generate("members.csv");
  rows[10].relationship = "cousin";  // record 10: line 12
  WriteRows(Path("local.csv"), rows);
  // Line 2002: a record with too few fields.
  std::ofstream(Path("local.csv"), std::ios::app) << "1,2,3\n";

  TppctlRun run = Tppctl({"members", "import", "--csv", Path("local.csv")});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(
      run.out,
      "sent 1999 records: 1999 accepted, 0 rejected by the node; "
      "2 rejected locally"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "not sent, line 12: relationship"))
      << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "not sent, line 2002: ")) << run.out;
  EXPECT_FALSE(absl::StrContains(run.out, "cousin")) << run.out;
  ExpectNoPersonalData(run, rows);
  EXPECT_EQ(Get(rows[10]), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Get(rows[11]), grpc::StatusCode::OK);
}

TEST_F(TppctlTest, UsageAndConnectionErrorsExitTwo) {
  TppctlRun run = Tppctl({"members", "import", "--csv", Path("missing.csv")});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;

  std::ofstream(Path("no-header.csv")) << "1,2,3\n";
  run = Tppctl({"members", "import", "--csv", Path("no-header.csv")});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;

  std::ofstream(Path("empty.csv")) << kMemberCsvHeader << "\n";
  run =
      Tppctl({"members", "import", "--csv", Path("empty.csv")}, "127.0.0.1:1");
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;

  run = Tppctl({"members", "import"});  // --csv is required
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
}

TEST_F(TppctlTest, StatusShowsBothListenersServing) {
  TppctlRun run = OperatorTppctl({"status"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "external"));
  EXPECT_TRUE(absl::StrContains(run.out, "admin"));
  std::vector<std::string> parts = absl::StrSplit(run.out, "SERVING");
  EXPECT_EQ(parts.size(), 3u) << run.out;  // two listeners
}

TEST_F(TppctlTest, KeysRotateWaitsUntilTheOldVersionIsRetired) {
  PutContracts();
  std::vector<MemberCsvRow> rows = Generate("members.csv");
  ASSERT_EQ(
      Tppctl({"members", "import", "--csv", Path("members.csv")}).exit_code, 0);
  TppctlRun run = OperatorTppctl({"keys", "rotate", "--wait"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(
      absl::StrContains(run.out, "primary v2; loaded: v2; rotation done"))
      << run.out;
  run = OperatorTppctl({"keys", "status"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(run.out, "primary v2")) << run.out;
  EXPECT_EQ(Get(rows.front()), grpc::StatusCode::OK);
  EXPECT_EQ(Get(rows.back()), grpc::StatusCode::OK);
  // An insurer may not rotate.
  run = Tppctl({"--admin", absl::StrCat("127.0.0.1:", server_.admin_port()),
                "keys", "status"});
  EXPECT_NE(run.exit_code, 0);
  EXPECT_TRUE(absl::StrContains(run.err, "PERMISSION_DENIED")) << run.err;
}

}  // namespace
}  // namespace tpp::testing
