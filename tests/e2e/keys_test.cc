// End-to-end test of master key rotation: an operator rotates while an
// insurer imports; every member stays readable, every stored key ends under
// the new version, the old version leaves the key file, and a restart reads
// everything with the new key alone.
#include <filesystem>
#include <thread>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "storage/crypto/aead.h"
#include "storage/db.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/keys.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::KeyService;
using tpp::v1::MemberService;

tpp::v1::KeyStatus WaitForRotation(KeyService::Stub* keys) {
  tpp::v1::KeyStatus status;
  absl::Time deadline = absl::Now() + absl::Seconds(120);
  while (absl::Now() < deadline) {
    grpc::ClientContext ctx;
    EXPECT_TRUE(keys->GetKeyStatus(&ctx, {}, &status).ok());
    if (status.rotation_state() != "rewrapping") break;
    absl::SleepFor(absl::Milliseconds(50));
  }
  return status;
}

// A node with one insurer's contract, an insurer stub and an operator's.
class KeyRotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    members_ = MemberService::NewStub(server_.Channel(kInsurer));
    keys_ = KeyService::NewStub(
        server_.Channel("operator/alice", TppdProcess::Port::kAdmin));
    ASSERT_TRUE(PutContract(members_.get()).ok());
  }

  void Import(const std::vector<tpp::v1::MemberRecord>& records) {
    tpp::v1::ImportSummary summary;
    ASSERT_TRUE(ImportMembers(members_.get(), records, &summary).ok());
    ASSERT_EQ(summary.accepted(), static_cast<int64_t>(records.size()));
  }

  grpc::Status Rotate(tpp::v1::KeyStatus* status) {
    grpc::ClientContext ctx;
    return keys_->RotateKeys(&ctx, {}, status);
  }

  static constexpr char kInsurer[] = "insurer/100000001";
  TppdProcess server_;
  std::unique_ptr<MemberService::Stub> members_;
  std::unique_ptr<KeyService::Stub> keys_;
};

TEST_F(KeyRotationTest, RotateDuringImportThenRestartOnTheNewKeyAlone) {
  std::vector<tpp::v1::MemberRecord> before = GenerateMembers(3000, 11);
  ASSERT_NO_FATAL_FAILURE(Import(before));

  // Members read before the rotation are cached with the wrapped keys of
  // v1: they must still read once v1 is retired.
  tpp::v1::MemberRecord got;
  for (size_t i = 0; i < before.size(); i += 97) {
    ASSERT_TRUE(GetMember(members_.get(), before[i], &got).ok()) << i;
  }

  // An import runs while the rotation does.
  std::vector<tpp::v1::MemberRecord> during = GenerateMembers(6000, 12);
  tpp::v1::ImportSummary during_summary;
  grpc::Status during_status;
  std::thread importer([&] {
    during_status = ImportMembers(members_.get(), during, &during_summary);
  });
  tpp::v1::KeyStatus status;
  grpc::Status rotate = Rotate(&status);
  ASSERT_TRUE(rotate.ok()) << rotate.error_message();
  EXPECT_EQ(status.primary_version(), 2u);
  importer.join();
  ASSERT_TRUE(during_status.ok()) << during_status.error_message();
  EXPECT_EQ(during_summary.accepted(), 6000);

  status = WaitForRotation(keys_.get());
  EXPECT_EQ(status.rotation_state(), "done") << status.error();
  EXPECT_EQ(status.primary_version(), 2u);
  ASSERT_EQ(status.versions_size(), 1);
  EXPECT_EQ(status.versions(0), 2u);
  EXPECT_GE(status.keys_rewrapped(), 3000u);

  for (const auto* set : {&before, &during}) {
    for (size_t i = 0; i < set->size(); i += 97) {
      grpc::Status s = GetMember(members_.get(), (*set)[i], &got);
      ASSERT_TRUE(s.ok()) << i << " " << s.error_code() << " "
                          << s.error_message();
      EXPECT_EQ(got.nir(), (*set)[i].nir());
    }
  }
  // The key file now holds v2 alone.
  const std::string key_file =
      (std::filesystem::path(server_.data_dir()).parent_path() / "master.key")
          .string();
  std::string file = ReadFileOrEmpty(key_file);
  EXPECT_TRUE(absl::StartsWith(file, "v2:"))
      << "the key file starts " << file.substr(0, 3);
  EXPECT_EQ(std::count(file.begin(), file.end(), '\n'), 1);

  // Every stored key is under v2.
  ASSERT_EQ(server_.Stop(), 0);
  {
    auto db = storage::Db::Open(server_.data_dir(), storage::Db::Options());
    ASSERT_TRUE(db.ok());
    std::unique_ptr<rocksdb::Iterator> it(
        (*db)->NewIterator(storage::Cf::kMemberKeys));
    int rows = 0;
    for (it->SeekToFirst(); it->Valid(); it->Next(), ++rows) {
      auto version = crypto::EnvelopeKeyVersion(
          absl::string_view(it->value().data(), it->value().size()));
      ASSERT_TRUE(version.ok());
      ASSERT_EQ(*version, 2u);
    }
    EXPECT_EQ(rows, 9000 + 1);  // members and the blind-index key
  }
  // Restarted on the new key alone: everything still reads.
  ASSERT_TRUE(server_.Start().ok());
  members_ = MemberService::NewStub(server_.Channel(kInsurer));
  for (size_t i = 0; i < before.size(); i += 301) {
    ASSERT_TRUE(GetMember(members_.get(), before[i], &got).ok()) << i;
  }
  ASSERT_TRUE(GetMember(members_.get(), during.back(), &got).ok());
  EXPECT_EQ(server_.Stop(), 0);
}

// Look-ups keep the rows they read, wrapped data keys included
// (storage/member_read_cache.h). With nothing else written meanwhile, the
// rotation's own writes must make them read again: once v1 is retired, a
// key still wrapped under it would no longer open.
TEST_F(KeyRotationTest, MembersLookedUpBeforeARotationStillReadAfterIt) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(300, 21);
  ASSERT_NO_FATAL_FAILURE(Import(records));
  tpp::v1::MemberRecord got;
  for (const auto& record : records) {
    ASSERT_TRUE(GetMember(members_.get(), record, &got).ok());
  }
  tpp::v1::KeyStatus status;
  grpc::Status rotate = Rotate(&status);
  ASSERT_TRUE(rotate.ok()) << rotate.error_message();
  status = WaitForRotation(keys_.get());
  ASSERT_EQ(status.rotation_state(), "done") << status.error();
  ASSERT_EQ(status.versions_size(), 1);
  ASSERT_EQ(status.versions(0), 2u);
  for (const auto& record : records) {
    grpc::Status s = GetMember(members_.get(), record, &got);
    ASSERT_TRUE(s.ok()) << s.error_code() << " " << s.error_message();
    EXPECT_EQ(got.nir(), record.nir());
  }
  EXPECT_EQ(server_.Stop(), 0);
}

}  // namespace
}  // namespace tpp::testing
