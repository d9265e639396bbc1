// End-to-end tests of tppctl's isolation commands as separate processes
// against a real tppd: isolate / reopen propose|approve / isolation status,
// and sealing: `isolate --seal` wipes the keys (member reads fail with
// KEYS_SEALED and no data, across a restart too), `init-keys` splits the
// master key into 5 shares, and `unseal` from 3 distinct operators brings
// the keys back.
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/isolation_support.h"
#include "tests/support/member_client.h"
#include "tests/support/tppctl_runner.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/audit.grpc.pb.h"
#include "tpp/v1/keys.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"

#ifndef TPPCTL_PATH
#error "TPPCTL_PATH must name the tppctl binary"
#endif

namespace tpp::testing {
namespace {

constexpr char kInsurer[] = "insurer/100000001";

// The secret part of a share file: the hex after the last colon.
std::string Secret(const std::string& share_file) {
  std::string line = ReadFileOrEmpty(share_file);
  std::string y = line.substr(line.rfind(':') + 1);
  while (!y.empty() && y.back() == '\n') y.pop_back();
  EXPECT_GE(y.size(), 64u);
  return y;
}

class IsolationTppctlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tpp-iso-ctl-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    members_ = tpp::v1::MemberService::NewStub(server_.Channel(kInsurer));
    ASSERT_TRUE(PutContract(members_.get()).ok());
    tpp::v1::ImportSummary summary;
    ASSERT_TRUE(ImportMembers(members_.get(), people_, &summary).ok());
  }
  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  // tppctl as `identity`, stdout and stderr captured.
  TppctlRun Tppctl(const std::string& identity,
                   std::vector<std::string> command) {
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

  grpc::Status Get(const tpp::v1::MemberRecord& who,
                   tpp::v1::MemberRecord* got) {
    return GetMember(members_.get(), who, got);
  }

  std::string KeyFile() const {
    return (std::filesystem::path(server_.data_dir()).parent_path() /
            "master.key")
        .string();
  }

  TppdProcess server_;
  std::string dir_;
  std::unique_ptr<tpp::v1::MemberService::Stub> members_;
  std::vector<tpp::v1::MemberRecord> people_ = GenerateMembers(10, 5);
};

TEST_F(IsolationTppctlTest, IsolateProposeApproveAndStatus) {
  TppctlRun run =
      Tppctl("operator/alice", {"isolate", "--scope", "insurer:100000002",
                                "--reason", "suspicious reads"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  run = Tppctl("operator/bob", {"isolation", "status"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "INSURER")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "100000002")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "ISOLATED")) << run.out;

  run = Tppctl(
      "operator/alice",
      {"reopen", "propose", "--scope", "insurer:100000002", "--to", "reopening",
       "--allow", "750100001,100000002", "--reason", "contained"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  std::smatch match;
  ASSERT_TRUE(
      std::regex_search(run.out, match, std::regex("proposed (rp-\\d+)")))
      << run.out;
  const std::string id = match[1];

  run = Tppctl("operator/alice", {"reopen", "approve", "--proposal", id});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(run.err, "SELF_APPROVAL")) << run.err;
  run = Tppctl("operator/bob", {"reopen", "approve", "--proposal", id});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StartsWith(run.out, "applied")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "REOPENING")) << run.out;

  // `tppctl status` shows it too; bad usage exits 2.
  run = Tppctl("operator/carol", {"status"});
  EXPECT_TRUE(absl::StrContains(run.out, "REOPENING")) << run.out;
  run = Tppctl("operator/carol",
               {"isolate", "--scope", "planet", "--reason", "x"});
  EXPECT_EQ(run.exit_code, 2) << run.err;
  // An insurer cannot isolate anything.
  run = Tppctl(kInsurer, {"isolate", "--scope", "platform", "--reason", "x"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(run.err, "PERMISSION_DENIED")) << run.err;
}

TEST_F(IsolationTppctlTest, SealThenUnsealWithThreeOfFiveShares) {
  const std::string shares = dir_ + "/shares";
  TppctlRun run = Tppctl(
      "operator/alice", {"init-keys", "--master_key_file", KeyFile(),
                         "--shares", "5", "--threshold", "3", "--out", shares});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  auto share = [&](int x) {
    return absl::StrCat(shares, "/share-", x, ".txt");
  };
  for (int x = 1; x <= 5; ++x) {
    struct stat st;
    ASSERT_EQ(::stat(share(x).c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // tppctl never prints a share.
    EXPECT_FALSE(absl::StrContains(run.out, Secret(share(x))));
  }
  // Never overwritten.
  EXPECT_EQ(Tppctl("operator/alice", {"init-keys", "--master_key_file",
                                      KeyFile(), "--out", shares})
                .exit_code,
            1);

  tpp::v1::MemberRecord got;
  ASSERT_TRUE(Get(people_[0], &got).ok());
  // Seal with an isolation elsewhere, so member calls still pass the gate.
  run = Tppctl("operator/alice", {"isolate", "--scope", "provider:750100002",
                                  "--reason", "breach", "--seal"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  got.Clear();
  grpc::Status sealed = Get(people_[0], &got);
  EXPECT_EQ(sealed.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_EQ(ReasonOf(sealed), "KEYS_SEALED");
  EXPECT_TRUE(got.nir().empty());
  EXPECT_EQ(sealed.error_message().find(people_[0].nir()), std::string::npos);
  tpp::v1::ImportSummary summary;
  EXPECT_EQ(ReasonOf(ImportMembers(members_.get(), people_, &summary)),
            "KEYS_SEALED");

  run = Tppctl("operator/alice", {"unseal", "--share", share(1)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "1 of 3")) << run.out;
  run = Tppctl("operator/alice", {"unseal", "--share", share(2)});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_TRUE(absl::StrContains(run.err, "SHARE_ALREADY_GIVEN")) << run.err;
  ASSERT_EQ(Tppctl("operator/bob", {"unseal", "--share", share(2)}).exit_code,
            0);
  EXPECT_EQ(ReasonOf(Get(people_[0], &got)), "KEYS_SEALED");

  // A restart while sealed comes back sealed, the shares given so far gone.
  server_.Kill();
  ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
  members_ = tpp::v1::MemberService::NewStub(server_.Channel(kInsurer));
  EXPECT_EQ(ReasonOf(Get(people_[0], &got)), "KEYS_SEALED");
  run = Tppctl("operator/carol", {"isolation", "status"});
  EXPECT_TRUE(absl::StrContains(run.out, "SEALED")) << run.out;

  ASSERT_EQ(Tppctl("operator/alice", {"unseal", "--share", share(5)}).exit_code,
            0);
  ASSERT_EQ(Tppctl("operator/bob", {"unseal", "--share", share(3)}).exit_code,
            0);
  run = Tppctl("operator/carol", {"unseal", "--share", share(4)});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StartsWith(run.out, "unsealed")) << run.out;

  got.Clear();
  grpc::Status back = Get(people_[0], &got);
  ASSERT_TRUE(back.ok()) << back.error_message();
  EXPECT_EQ(got.nir(), people_[0].nir());
  auto keys = tpp::v1::KeyService::NewStub(
      server_.Channel("operator/bob", TppdProcess::Port::kAdmin));
  grpc::ClientContext ctx;
  SetDeadline(&ctx);
  tpp::v1::KeyStatus status;
  ASSERT_TRUE(keys->GetKeyStatus(&ctx, {}, &status).ok());
  EXPECT_FALSE(status.sealed());
  // The share files' secrets never reached tppd's log.
  EXPECT_FALSE(absl::StrContains(server_.Stderr(), Secret(share(3))));

  // The audit signer came back with the keys: the shutdown checkpoint
  // covers every record, though this run started sealed.
  auto audit = tpp::v1::AuditService::NewStub(
      server_.Channel("operator/bob", TppdProcess::Port::kAdmin));
  auto export_checkpoints = [&] {
    grpc::ClientContext ctx;
    SetDeadline(&ctx);
    tpp::v1::ExportCheckpointsRequest request;
    request.set_max(10000);
    tpp::v1::ExportCheckpointsResponse checkpoints;
    EXPECT_TRUE(audit->ExportCheckpoints(&ctx, request, &checkpoints).ok());
    return checkpoints;
  };
  // Audited calls (isolation and member calls here are not): each export
  // is a record.
  export_checkpoints();
  const uint64_t head = export_checkpoints().head_sequence();
  ASSERT_GT(head, 0u);
  ASSERT_EQ(server_.Stop(), 0);
  ASSERT_TRUE(server_.Start().ok()) << server_.Stderr();
  audit = tpp::v1::AuditService::NewStub(
      server_.Channel("operator/bob", TppdProcess::Port::kAdmin));
  tpp::v1::ExportCheckpointsResponse after = export_checkpoints();
  ASSERT_GT(after.checkpoints_size(), 0);
  EXPECT_GT(after.checkpoints(after.checkpoints_size() - 1).sequence(), head);
}

}  // namespace
}  // namespace tpp::testing
