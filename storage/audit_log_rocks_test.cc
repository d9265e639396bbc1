#include "storage/audit_log_rocks.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "storage/records.pb.h"
#include "storage/rocks_test_fixture.h"

namespace tpp::storage {
namespace {

constexpr char kPharmacy[] = "spiffe://tpp.local/provider/750000001";
constexpr char kOther[] = "spiffe://tpp.local/provider/750000002";

class AuditLogTest : public RocksTest {
 protected:
  void OpenStores() override {
    RocksAuditLog::Options options;
    options.checkpoint_records = 5;
    options.checkpoint_interval = absl::Hours(1);
    options.now = [this] { return fixed_now_.value_or(absl::Now()); };
    auto log = RocksAuditLog::Open(db_.get(), commits_.get(), options);
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    auto seed = crypto::SecureBytes::CopyOf(std::string(32, 'k'));
    ASSERT_TRUE(seed.ok());
    auto signer = crypto::AuditSigner::FromSeed(*seed);
    ASSERT_TRUE(signer.ok()) << signer.status();
    log_->SetSigner(*std::move(signer));
  }
  void CloseSealers() override { log_.reset(); }

  static AuditEvent Event(const char* caller, int member) {
    AuditEvent event;
    event.caller = caller;
    event.caller_role = "provider";
    event.method = "CheckEligibility";
    event.insurer_id = "ins-a";
    event.members.push_back(
        {absl::StrCat("m", member), absl::StrCat("ADH", member)});
    event.categories = kAuditCoverage;
    return event;
  }

  absl::Status Record(std::vector<AuditEvent> events) {
    absl::Notification done;
    absl::Status status;
    log_->Record(std::move(events), [&](absl::Status s) {
      status = s;
      done.Notify();
    });
    done.WaitForNotification();
    return status;
  }

  void RecordMany(int n) {
    for (int i = 0; i < n; ++i) {
      ASSERT_TRUE(Record({Event(i % 2 == 0 ? kPharmacy : kOther, i)}).ok());
    }
  }

  ChainVerification Verify(uint64_t from = 0, uint64_t to = 0) {
    auto verified = log_->Verify(from, to);
    EXPECT_TRUE(verified.ok()) << verified.status();
    return verified.ok() ? *verified : ChainVerification{};
  }

  std::string Raw(uint64_t sequence) {
    auto value = db_->Get(Cf::kAudit, AuditRecordKey(sequence));
    EXPECT_TRUE(value.ok()) << value.status();
    return value.ok() ? *value : std::string();
  }
  void Put(const std::string& key, const std::string& value) {
    ASSERT_TRUE(
        db_->raw()
            ->Put(rocksdb::WriteOptions(), db_->cf(Cf::kAudit), key, value)
            .ok());
  }
  void Delete(const std::string& key) {
    ASSERT_TRUE(db_->raw()
                    ->Delete(rocksdb::WriteOptions(), db_->cf(Cf::kAudit), key)
                    .ok());
  }
  // Record `sequence` with its member changed, chain fields untouched.
  std::string Altered(uint64_t sequence) {
    StoredAuditRecord record;
    EXPECT_TRUE(record.ParseFromString(Raw(sequence)));
    record.mutable_members(0)->set_member_id("someone-else");
    return record.SerializeAsString();
  }

  std::optional<absl::Time> fixed_now_;  // the records' time, when set
  std::unique_ptr<RocksAuditLog> log_;
};

TEST_F(AuditLogTest, RecordsChainAndVerify) {
  RecordMany(12);
  EXPECT_EQ(log_->HeadSequence(), 12u);
  ChainVerification verified = Verify();
  EXPECT_TRUE(verified.ok) << verified.detail;
  EXPECT_EQ(verified.records_checked, 12u);
  EXPECT_EQ(verified.checkpoints_checked, 2u);  // at 5 and 10
  EXPECT_EQ(verified.head_hash.size(), 64u);
  // A range verifies on its own.
  EXPECT_TRUE(Verify(4, 9).ok);
  EXPECT_EQ(Verify(4, 9).records_checked, 6u);
}

TEST_F(AuditLogTest, NoPersonalFieldIsStored) {
  ASSERT_TRUE(Record({Event(kPharmacy, 7)}).ok());
  StoredAuditRecord record;
  ASSERT_TRUE(record.ParseFromString(Raw(1)));
  EXPECT_EQ(record.sequence(), 1u);
  EXPECT_EQ(record.prev_hash(), std::string(32, '\0'));
  EXPECT_EQ(record.caller(), kPharmacy);
  ASSERT_EQ(record.members_size(), 1);
  EXPECT_EQ(record.members(0).member_id(), "m7");
  EXPECT_EQ(record.members(0).adherent_number(), "ADH7");
}

TEST_F(AuditLogTest, ChangingARecordNamesIt) {
  RecordMany(12);
  Put(AuditRecordKey(7), Altered(7));
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 7u) << verified.detail;
}

TEST_F(AuditLogTest, ChangingACheckpointedRecordNamesIt) {
  RecordMany(12);
  Put(AuditRecordKey(5), Altered(5));
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 5u) << verified.detail;
}

TEST_F(AuditLogTest, ChangingTheFirstRecordNamesIt) {
  RecordMany(3);
  Put(AuditRecordKey(1), Altered(1));
  EXPECT_EQ(Verify().first_broken_sequence, 1u);
}

TEST_F(AuditLogTest, RemovingARecordNamesIt) {
  RecordMany(12);
  Delete(AuditRecordKey(8));
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 8u) << verified.detail;
}

TEST_F(AuditLogTest, ReorderingRecordsNamesTheFirst) {
  RecordMany(12);
  const std::string three = Raw(3);
  const std::string four = Raw(4);
  Put(AuditRecordKey(3), four);
  Put(AuditRecordKey(4), three);
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 3u) << verified.detail;
}

TEST_F(AuditLogTest, RewritingTheTailIsCaughtByTheCheckpoints) {
  RecordMany(10);
  ASSERT_TRUE(log_->CheckpointNow().ok());
  Close();
  Open();
  // Records 9 and 10 removed while the node was down: the checkpoint at
  // 10 still names them.
  Delete(AuditRecordKey(10));
  Delete(AuditRecordKey(9));
  Close();
  Open();
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 9u) << verified.detail;
}

TEST_F(AuditLogTest, ChangingTheLastRecordIsCaughtByTheShutdownCheckpoint) {
  RecordMany(7);
  ASSERT_TRUE(log_->CheckpointNow().ok());
  Close();
  Open();
  Put(AuditRecordKey(7), Altered(7));
  Close();
  Open();
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 7u) << verified.detail;
}

TEST_F(AuditLogTest, AForgedCheckpointSignatureIsCaught) {
  RecordMany(6);
  StoredAuditCheckpoint checkpoint;
  auto value = db_->Get(Cf::kAudit, AuditCheckpointKey(5));
  ASSERT_TRUE(value.ok()) << value.status();
  ASSERT_TRUE(checkpoint.ParseFromString(*value));
  std::string signature = checkpoint.signature();
  signature[0] ^= 1;
  checkpoint.set_signature(signature);
  Put(AuditCheckpointKey(5), checkpoint.SerializeAsString());
  ChainVerification verified = Verify();
  EXPECT_FALSE(verified.ok);
  EXPECT_EQ(verified.first_broken_sequence, 5u) << verified.detail;
}

TEST_F(AuditLogTest, TheChainGoesOnAfterARestart) {
  RecordMany(4);
  Close();
  Open();
  EXPECT_EQ(log_->HeadSequence(), 4u);
  RecordMany(4);
  ChainVerification verified = Verify();
  EXPECT_TRUE(verified.ok) << verified.detail;
  EXPECT_EQ(verified.records_checked, 8u);
}

TEST_F(AuditLogTest, AFailedGroupLeavesNoHole) {
  RecordMany(2);
  // A group sealed but never written (the write failed).
  AuditPayload lost = AuditPayloadOf(Event(kPharmacy, 99));
  rocksdb::WriteBatch batch;
  log_->Seal({&lost}, &batch);
  log_->Written(false);
  RecordMany(2);
  ChainVerification verified = Verify();
  EXPECT_TRUE(verified.ok) << verified.detail;
  EXPECT_EQ(verified.records_checked, 4u);
}

TEST_F(AuditLogTest, ScanCredentialReturnsItsRecordsInTheirTimeRange) {
  RecordMany(10);
  std::vector<std::string> members;
  ASSERT_TRUE(log_->ScanCredential(
                      kPharmacy, absl::InfinitePast(), absl::InfiniteFuture(),
                      [&](const AuditRecord& record) {
                        EXPECT_EQ(record.event.caller, kPharmacy);
                        members.push_back(record.event.members[0].member_id);
                        return absl::OkStatus();
                      })
                  .ok());
  EXPECT_EQ(members, (std::vector<std::string>{"m0", "m2", "m4", "m6", "m8"}));
  int none = 0;
  ASSERT_TRUE(log_->ScanCredential(kPharmacy, absl::InfinitePast(),
                                   absl::FromUnixSeconds(1),
                                   [&](const AuditRecord&) {
                                     ++none;
                                     return absl::OkStatus();
                                   })
                  .ok());
  EXPECT_EQ(none, 0);
}

TEST_F(AuditLogTest, ScanNewestAfterReadsTheTailBackwards) {
  const absl::Time t0 = absl::FromUnixSeconds(1800000000);
  for (int i = 0; i < 6; ++i) {
    fixed_now_ = t0 + absl::Minutes(i);
    ASSERT_TRUE(Record({Event(kPharmacy, i)}).ok());
  }
  std::vector<std::string> members;
  auto collect = [&](const AuditRecord& record) {
    members.push_back(record.event.members[0].member_id);
    return absl::OkStatus();
  };
  // Strictly after t0 + 3 min: records 5, 4 (times 5, 4 min).
  ASSERT_TRUE(log_->ScanNewestAfter(t0 + absl::Minutes(3), collect).ok());
  EXPECT_EQ(members, (std::vector<std::string>{"m5", "m4"}));
  members.clear();
  ASSERT_TRUE(log_->ScanNewestAfter(absl::InfinitePast(), collect).ok());
  EXPECT_EQ(members,
            (std::vector<std::string>{"m5", "m4", "m3", "m2", "m1", "m0"}));
  // CANCELLED stops early, quietly.
  int seen = 0;
  ASSERT_TRUE(log_->ScanNewestAfter(absl::InfinitePast(),
                                    [&](const AuditRecord&) {
                                      ++seen;
                                      return absl::CancelledError();
                                    })
                  .ok());
  EXPECT_EQ(seen, 1);
}

TEST_F(AuditLogTest, CheckpointsVerifyWithTheirPublicKey) {
  RecordMany(11);
  auto checkpoints = log_->Checkpoints(0, 100);
  ASSERT_TRUE(checkpoints.ok()) << checkpoints.status();
  ASSERT_EQ(checkpoints->size(), 2u);
  for (const AuditCheckpoint& checkpoint : *checkpoints) {
    EXPECT_TRUE(crypto::VerifyEd25519(
        checkpoint.public_key,
        CheckpointMessage(checkpoint.sequence, checkpoint.head_hash,
                          checkpoint.time),
        checkpoint.signature));
    auto hash = log_->RecordHash(checkpoint.sequence);
    ASSERT_TRUE(hash.ok());
    EXPECT_EQ(*hash, checkpoint.head_hash);
  }
  EXPECT_EQ(log_->PublicKey(), (*checkpoints)[0].public_key);
}

// The members an import batch appends in wire format read back as if the
// event had held them.
TEST(AuditPayloadTest, AppendedMembersParseLikeTheEventsOwn) {
  AuditEvent event;
  event.caller = "spiffe://tpp.local/insurer/100000001";
  event.method = "ImportMembers";
  event.members = {{"m0", "A0"}};
  event.count = 4;
  const std::vector<AuditMember> more = {
      {"0123456789abcdef0123456789abcdef", "ADH-1"},
      {"m2", ""},                     // no adherent number
      {"m3", std::string(300, 'x')},  // a length of two varint bytes
  };
  AuditPayload payload = AuditPayloadOf(event);
  AppendAuditMembers(more, &payload.body);
  StoredAuditRecord parsed;
  ASSERT_TRUE(parsed.ParseFromString(payload.body));
  EXPECT_EQ(parsed.method(), "ImportMembers");
  EXPECT_EQ(parsed.count(), 4);
  ASSERT_EQ(parsed.members_size(), 4);
  EXPECT_EQ(parsed.members(0).member_id(), "m0");
  for (size_t i = 0; i < more.size(); ++i) {
    EXPECT_EQ(parsed.members(i + 1).member_id(), more[i].member_id);
    EXPECT_EQ(parsed.members(i + 1).adherent_number(), more[i].adherent_number);
  }
}

}  // namespace
}  // namespace tpp::storage
