// `tppctl statement fetch` against a fake node whose statement streams lie
// (a trailer that does not add up, no trailer, a DISCREPANCY answered to an
// acknowledgement): tppctl says so, exits 1, keeps no --out file, and never
// acknowledges what it could not verify. The real node cannot be made to
// lie, hence the fake, served over the same mTLS as tppd.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "tests/support/tppctl_runner.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/settlement.grpc.pb.h"

#ifndef TPPCTL_PATH
#error "TPPCTL_PATH must name the tppctl binary"
#endif

namespace tpp::testing {
namespace {

enum class Lie { kNone, kTotal, kDigest, kNoTrailer, kDiscrepancy };

// Two lines of 12.50 and -3.00 EUR; the trailer as `lie` wants it.
class FakeSettlements final : public tpp::v1::SettlementService::Service {
 public:
  explicit FakeSettlements(Lie lie) : lie_(lie) {}

  grpc::Status StreamStatement(
      grpc::ServerContext*, const tpp::v1::StreamStatementRequest*,
      grpc::ServerWriter<tpp::v1::StatementChunk>* writer) override {
    tpp::v1::StatementChunk chunk;
    AddLine(&chunk, "c1", 1250);
    writer->Write(chunk);
    chunk.Clear();
    AddLine(&chunk, "c2", -300);
    if (lie_ != Lie::kNoTrailer) {
      tpp::v1::StatementTrailer* trailer = chunk.mutable_trailer();
      trailer->set_line_count(2);
      trailer->set_total_cents(lie_ == Lie::kTotal ? 951 : 950);
      // sha256sum of "c1|A1|2026-11-28|PHARMACY|1250\n"
      //            "c2|A1|2026-11-28|PHARMACY|-300\n"
      trailer->set_digest(lie_ == Lie::kDigest ? std::string(64, 'a')
                                               : kDigest);
    }
    writer->Write(chunk);
    return grpc::Status::OK;
  }

  grpc::Status AcknowledgeStatement(
      grpc::ServerContext*, const tpp::v1::AcknowledgeStatementRequest* request,
      tpp::v1::AcknowledgeStatementResponse* response) override {
    absl::MutexLock lock(&mu_);
    acks_.push_back(*request);
    response->set_result(lie_ == Lie::kDiscrepancy ? tpp::v1::DISCREPANCY
                                                   : tpp::v1::MATCHED);
    response->set_expected_line_count(3);
    response->set_expected_total_cents(1000);
    response->set_expected_digest(std::string(64, 'b'));
    return grpc::Status::OK;
  }

  std::vector<tpp::v1::AcknowledgeStatementRequest> acks() {
    absl::MutexLock lock(&mu_);
    return acks_;
  }

  static constexpr char kDigest[] =
      "bd76e5d83f1252f3f0f2667b0cbd88e214b9581512bde9a3f04486111f9fd602";

 private:
  static void AddLine(tpp::v1::StatementChunk* chunk, const std::string& id,
                      int64_t cents) {
    tpp::v1::StatementLine* line = chunk->add_lines();
    line->set_claim_id(id);
    line->set_adherent_number("A1");
    line->set_care_date("2026-11-28");
    line->set_category(tpp::v1::PHARMACY);
    line->set_amc_cents(cents);
  }

  const Lie lie_;
  absl::Mutex mu_;
  std::vector<tpp::v1::AcknowledgeStatementRequest> acks_ ABSL_GUARDED_BY(mu_);
};

class StatementVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tpp-stmt-verify-XXXXXX")
            .string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void Serve(Lie lie) {
    const std::string certs = TestCerts::Get().dir();
    grpc::SslServerCredentialsOptions tls(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    tls.pem_root_certs = ReadFileOrEmpty(certs + "/ca.pem");
    tls.pem_key_cert_pairs.push_back({ReadFileOrEmpty(certs + "/server.key"),
                                      ReadFileOrEmpty(certs + "/server.pem")});
    service_ = std::make_unique<FakeSettlements>(lie);
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::SslServerCredentials(tls),
                             &port_);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_GT(port_, 0);
  }

  TppctlRun Fetch(std::vector<std::string> extra) {
    std::vector<std::string> args = {TPPCTL_PATH,
                                     "--target",
                                     absl::StrCat("127.0.0.1:", port_),
                                     "--tls_dir",
                                     TestCerts::Get().dir(),
                                     "--identity",
                                     "insurer/100000001",
                                     "statement",
                                     "fetch",
                                     "--settlement",
                                     "100000001-20261130"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunProcess(args, dir_);
  }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string dir_;
  int port_ = 0;
  std::unique_ptr<FakeSettlements> service_;
  std::unique_ptr<grpc::Server> server_;
};

TEST_F(StatementVerifyTest, HonestStatementIsVerifiedAndAcknowledged) {
  Serve(Lie::kNone);
  TppctlRun run = Fetch({"--acknowledge", "--out", Path("s.csv")});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "MATCHED")) << run.err;
  EXPECT_EQ(ReadFileOrEmpty(Path("s.csv")),
            "claim_id,adherent_number,care_date,category,amc_cents\n"
            "c1,A1,2026-11-28,PHARMACY,1250\n"
            "c2,A1,2026-11-28,PHARMACY,-300\n");
  // The recomputed figures, not the trailer's, are acknowledged.
  ASSERT_EQ(service_->acks().size(), 1u);
  EXPECT_EQ(service_->acks()[0].line_count(), 2);
  EXPECT_EQ(service_->acks()[0].total_cents(), 950);
  EXPECT_EQ(service_->acks()[0].digest(), FakeSettlements::kDigest);
}

TEST_F(StatementVerifyTest, TrailerTotalThatDoesNotAddUpFails) {
  Serve(Lie::kTotal);
  TppctlRun run = Fetch({"--acknowledge", "--out", Path("s.csv")});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "NOT VERIFIED")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err,
                                "total: received 950 cents, trailer "
                                "951 cents"))
      << run.err;
  EXPECT_FALSE(std::filesystem::exists(Path("s.csv")));
  EXPECT_TRUE(std::filesystem::is_empty(dir_));  // no temporary file left
  EXPECT_TRUE(service_->acks().empty());         // never acknowledged
}

TEST_F(StatementVerifyTest, TrailerDigestThatDoesNotMatchFails) {
  Serve(Lie::kDigest);
  TppctlRun run = Fetch({"--format", "json"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "NOT VERIFIED")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "digest")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, FakeSettlements::kDigest)) << run.err;
}

TEST_F(StatementVerifyTest, StreamWithoutTrailerFails) {
  Serve(Lie::kNoTrailer);
  TppctlRun run = Fetch({"--acknowledge"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "without a trailer")) << run.err;
  EXPECT_TRUE(service_->acks().empty());
}

TEST_F(StatementVerifyTest, DiscrepancyAnsweredExitsOneWithBothSides) {
  Serve(Lie::kDiscrepancy);
  TppctlRun run = Fetch({"--acknowledge"});
  EXPECT_EQ(run.exit_code, 1) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "DISCREPANCY")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "ours:")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "platform:")) << run.err;
  EXPECT_TRUE(absl::StrContains(run.err, "(1000 cents)")) << run.err;
}

}  // namespace
}  // namespace tpp::testing
