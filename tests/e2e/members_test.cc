// End-to-end tests of the member store through real mTLS insurer clients:
// contracts, import, look-up, isolation between insurers, erasure,
// tampering, and the plaintext scan of everything tppd leaves on disk.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "storage/crypto/field_crypto.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/master_key_file.h"
#include "storage/db.h"
#include "storage/member_store_rocks.h"
#include "storage/records.pb.h"
#include "tests/support/member_client.h"
#include "tests/support/rpc_details.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/audit.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::MemberService;

constexpr char kInsurerA[] = "insurer/100000001";
constexpr char kInsurerB[] = "insurer/100000002";

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

class MembersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_ = std::make_unique<TppdProcess>();
    ASSERT_TRUE(server_->Start().ok());
    a_ = MemberService::NewStub(server_->Channel(kInsurerA));
    b_ = MemberService::NewStub(server_->Channel(kInsurerB));
    ASSERT_TRUE(PutContract(a_.get()).ok());
  }

  static grpc::Status Erase(MemberService::Stub* stub,
                            const tpp::v1::MemberRecord& who) {
    tpp::v1::EraseMemberRequest request;
    request.mutable_beneficiary()->set_nir(who.nir());
    request.mutable_beneficiary()->set_birth_date(who.birth_date());
    request.mutable_beneficiary()->set_birth_rank(who.birth_rank());
    tpp::v1::EraseMemberResponse response;
    auto ctx = Context();
    return stub->EraseMember(ctx.get(), request, &response);
  }

  std::unique_ptr<TppdProcess> server_;
  std::unique_ptr<MemberService::Stub> a_;
  std::unique_ptr<MemberService::Stub> b_;
};

TEST_F(MembersTest, ImportThenGetDecryptsEveryField) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(500, 1);
  tpp::v1::ImportSummary summary;
  grpc::Status status = ImportMembers(a_.get(), records, &summary);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(summary.accepted(), 500);
  EXPECT_EQ(summary.rejected(), 0);
  for (int i = 0; i < 500; i += 37) {
    tpp::v1::MemberRecord got;
    ASSERT_TRUE(GetMember(a_.get(), records[i], &got).ok()) << i;
    EXPECT_EQ(got.SerializeAsString(), records[i].SerializeAsString()) << i;
  }
}

TEST_F(MembersTest, ImportIsAnUpsertByBeneficiary) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(20, 2);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  // Read once before the update (tppd caches what it found).
  tpp::v1::MemberRecord got;
  ASSERT_TRUE(GetMember(a_.get(), records[5], &got).ok());
  ASSERT_TRUE(GetMember(a_.get(), records[0], &got).ok());
  EXPECT_EQ(got.last_name(), records[0].last_name());
  // The same beneficiaries again, renamed: one member each, updated.
  for (auto& r : records) r.set_last_name("Renommé");
  // And a duplicate inside one stream: the last one wins.
  records.push_back(records[0]);
  records.back().set_first_name("Dernière");
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  EXPECT_EQ(summary.accepted(), 21);
  ASSERT_TRUE(GetMember(a_.get(), records[5], &got).ok());
  EXPECT_EQ(got.last_name(), "Renommé");
  ASSERT_TRUE(GetMember(a_.get(), records[0], &got).ok());
  EXPECT_EQ(got.first_name(), "Dernière");
}

TEST_F(MembersTest, BadRecordsAreRejectedAloneByIndex) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(10, 3);
  // 3: NIR key off by one; 5: unknown contract; 7: coverage ends before it
  // starts; 8: no relationship and a birth rank of 0.
  std::string nir = records[3].nir();
  nir[14] = nir[14] == '9' ? '0' : static_cast<char>(nir[14] + 1);
  records[3].set_nir(nir);
  records[5].set_contract_id("NO-SUCH-CONTRACT");
  records[7].set_coverage_from("2026-12-31");
  records[7].set_coverage_to("2026-01-01");
  records[8].set_relationship(tpp::v1::RELATIONSHIP_UNSPECIFIED);
  records[8].set_birth_rank(0);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  EXPECT_EQ(summary.accepted(), 6);
  EXPECT_EQ(summary.rejected(), 4);
  ASSERT_EQ(summary.errors_size(), 4);
  EXPECT_EQ(summary.errors(0).index(), 3);
  EXPECT_EQ(summary.errors(0).field(), "nir");
  EXPECT_EQ(summary.errors(1).index(), 5);
  EXPECT_EQ(summary.errors(1).field(), "contract_id");
  EXPECT_EQ(summary.errors(2).index(), 7);
  EXPECT_EQ(summary.errors(2).field(), "coverage_to");
  EXPECT_EQ(summary.errors(3).index(), 8);
  EXPECT_TRUE(absl::StrContains(summary.errors(3).reason(), "birth_rank"));
  EXPECT_TRUE(absl::StrContains(summary.errors(3).reason(), "relationship"));
  for (const auto& e : summary.errors()) {
    EXPECT_FALSE(absl::StrContains(e.reason(), records[e.index()].nir()));
    EXPECT_FALSE(absl::StrContains(e.reason(), records[e.index()].last_name()));
  }
  tpp::v1::MemberRecord got;
  for (int i : {0, 1, 2, 4, 6, 9})
    EXPECT_TRUE(GetMember(a_.get(), records[i], &got).ok()) << i;
  for (int i : {5, 7}) {
    EXPECT_EQ(GetMember(a_.get(), records[i], &got).error_code(),
              grpc::StatusCode::NOT_FOUND)
        << i;
  }
}

// Issue #7: each committed import batch carries an audit record naming the
// members it wrote, so that a breach report on the insurer's credential
// names exactly them, and never a rejected record.
TEST_F(MembersTest, ImportBatchesAreAuditedWithTheMembersTheyWrote) {
  const absl::Time start = absl::Now() - absl::Seconds(1);
  // More than one batch (kImportBatchMembers), a bad record in the middle.
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(10001, 11);
  records[5000].set_contract_id("NO-SUCH-CONTRACT");
  records[5000].set_adherent_number("REJECTED-1");
  std::set<std::string> adherents;
  for (size_t i = 0; i < records.size(); ++i) {
    if (i != 5000) adherents.insert(records[i].adherent_number());
  }
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(summary.accepted(), 10000);
  // Imported again: an upsert writes the same members.
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(summary.accepted(), 10000);

  auto audit = tpp::v1::AuditService::NewStub(
      server_->Channel("operator/alice", TppdProcess::Port::kAdmin));
  tpp::v1::BreachReportRequest request;
  request.set_credential("spiffe://tpp.local/insurer/100000001");
  request.set_from(
      absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", start, absl::UTCTimeZone()));
  request.set_to(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ",
                                  absl::Now() + absl::Minutes(1),
                                  absl::UTCTimeZone()));
  tpp::v1::BreachReportResponse report;
  auto ctx = Context();
  grpc::Status status = audit->BreachReport(ctx.get(), request, &report);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(report.insurers_size(), 1);
  const tpp::v1::InsurerExposure& exposure = report.insurers(0);
  EXPECT_EQ(exposure.insurer_id(), "100000001");
  EXPECT_EQ(exposure.member_count(), 10000);
  // Two batches per import at least.
  EXPECT_GE(exposure.record_count(), 4);
  EXPECT_EQ(std::set<std::string>(exposure.adherent_numbers().begin(),
                                  exposure.adherent_numbers().end()),
            adherents);
  for (const char* category : {"identity", "family", "contract"}) {
    EXPECT_NE(std::find(exposure.data_categories().begin(),
                        exposure.data_categories().end(), category),
              exposure.data_categories().end())
        << category;
  }
}

TEST_F(MembersTest, AnotherInsurerSeesNothing) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(5, 4);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  tpp::v1::MemberRecord got;
  grpc::Status theirs = GetMember(b_.get(), records[0], &got);
  // A member that exists nowhere, for comparison: same code, same words.
  tpp::v1::MemberRecord nobody = records[0];
  nobody.set_birth_date("1901-01-01");
  grpc::Status unknown = GetMember(b_.get(), nobody, &got);
  EXPECT_EQ(theirs.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(theirs.error_message(), unknown.error_message());
  EXPECT_EQ(Erase(b_.get(), records[0]).error_code(),
            grpc::StatusCode::NOT_FOUND);
  // Still there for its own insurer.
  EXPECT_TRUE(GetMember(a_.get(), records[0], &got).ok());
  // B cannot import onto A's contract either.
  ASSERT_TRUE(ImportMembers(b_.get(), records, &summary).ok());
  EXPECT_EQ(summary.accepted(), 0);
  EXPECT_EQ(summary.rejected(), 5);
}

TEST_F(MembersTest, ValidationErrorsNameEachField) {
  tpp::v1::GetMemberRequest request;
  request.mutable_beneficiary()->set_nir("295109912611194");  // bad key
  request.mutable_beneficiary()->set_birth_date("1995-02-30");
  request.mutable_beneficiary()->set_birth_rank(0);
  tpp::v1::MemberRecord got;
  auto ctx = Context();
  grpc::Status status = a_->GetMember(ctx.get(), request, &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(
      ViolatedFields(status),
      (std::vector<std::string>{"beneficiary.nir", "beneficiary.birth_date",
                                "beneficiary.birth_rank"}));
  EXPECT_FALSE(absl::StrContains(status.error_message(), "295109912611194"));

  tpp::v1::Contract contract;
  contract.set_contract_id("bad id!");
  contract.add_guarantees()->set_rate_bp(-1);
  tpp::v1::UpsertContractResponse response;
  auto ctx2 = Context();
  status = a_->UpsertContract(ctx2.get(), contract, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedFields(status),
            (std::vector<std::string>{"contract_id", "guarantees[0].category",
                                      "guarantees[0].rate_bp"}));
}

// Reads what the node stored, with the node stopped.
struct RawMembers {
  std::unique_ptr<storage::Db> db;
  crypto::KeyRing keys;
};

std::unique_ptr<RawMembers> OpenRaw(const TppdProcess& server,
                                    const std::string& key_file) {
  auto raw = std::make_unique<RawMembers>();
  auto db = storage::Db::Open(server.data_dir(), storage::Db::Options());
  EXPECT_TRUE(db.ok()) << db.status();
  if (!db.ok()) return nullptr;
  raw->db = std::move(*db);
  auto master = crypto::LoadMasterKeyFile(key_file);
  EXPECT_TRUE(master.ok()) << master.status();
  EXPECT_TRUE(
      raw->keys.AddMasterKey(master->version, std::move(master->key)).ok());
  return raw;
}

std::vector<std::pair<std::string, std::string>> Rows(storage::Db* db,
                                                      storage::Cf cf) {
  std::vector<std::pair<std::string, std::string>> rows;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(cf));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    rows.emplace_back(it->key().ToString(), it->value().ToString());
  }
  return rows;
}

TEST_F(MembersTest, ErasedMemberCannotBeDecryptedByAnyone) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(3, 5);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(server_->Stop(), 0);
  const std::string key_file =
      std::filesystem::path(server_->data_dir()).parent_path() / "master.key";
  // Keep a copy of every member row, as a backup would.
  std::vector<std::pair<std::string, std::string>> before;
  {
    auto raw = OpenRaw(*server_, key_file);
    ASSERT_NE(raw, nullptr);
    before = Rows(raw->db.get(), storage::Cf::kMembers);
    ASSERT_EQ(before.size(), 3u);
  }
  ASSERT_TRUE(server_->Start().ok());
  a_ = MemberService::NewStub(server_->Channel(kInsurerA));
  tpp::v1::MemberRecord got;
  ASSERT_TRUE(GetMember(a_.get(), records[1], &got).ok());  // now cached
  ASSERT_TRUE(Erase(a_.get(), records[1]).ok());
  EXPECT_EQ(GetMember(a_.get(), records[1], &got).error_code(),
            grpc::StatusCode::NOT_FOUND);
  EXPECT_TRUE(GetMember(a_.get(), records[0], &got).ok());
  ASSERT_EQ(server_->Stop(), 0);

  auto raw = OpenRaw(*server_, key_file);
  ASSERT_NE(raw, nullptr);
  EXPECT_EQ(Rows(raw->db.get(), storage::Cf::kMembers).size(), 2u);
  EXPECT_EQ(Rows(raw->db.get(), storage::Cf::kMemberIndex).size(), 2u);
  auto keys = Rows(raw->db.get(), storage::Cf::kMemberKeys);
  // Two members' data keys, and the insurer's blind-index key.
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(std::count_if(keys.begin(), keys.end(),
                          [](const auto& row) {
                            return absl::EndsWith(
                                row.first,
                                storage::RocksMemberStore::kBlindIndexRecord);
                          }),
            1);
  // The erased member's saved ciphertext opens with none of the keys left.
  int opened = 0;
  for (const auto& [row, value] : before) {
    storage::StoredMember stored;
    ASSERT_TRUE(stored.ParseFromString(value));
    for (const auto& [key_row, wrapped] : keys) {
      size_t sep = key_row.find('\0');
      auto dek = raw->keys.UnwrapDataKey(key_row.substr(0, sep),
                                         key_row.substr(sep + 1), wrapped);
      ASSERT_TRUE(dek.ok());
      ASSERT_FALSE(stored.sealed().empty());
      if (crypto::DecryptRecord(*dek, "100000001", stored.member_id(),
                                storage::RocksMemberStore::kMemberFields,
                                stored.sealed())
              .ok()) {
        ++opened;
      }
    }
  }
  EXPECT_EQ(opened, 2) << "only the two members still stored can be read";
}

// Rows written before sealed records held one envelope per field: rewritten
// that way on disk, every member still reads back whole, and a tampered
// field is still DATA_LOSS.
TEST_F(MembersTest, RowsWithOneEnvelopePerFieldStillRead) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(3, 8);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(server_->Stop(), 0);
  {
    auto raw = OpenRaw(
        *server_, std::filesystem::path(server_->data_dir()).parent_path() /
                      "master.key");
    ASSERT_NE(raw, nullptr);
    std::map<std::string, std::string> wrapped_keys;
    for (auto& [row, value] : Rows(raw->db.get(), storage::Cf::kMemberKeys)) {
      wrapped_keys[row] = value;
    }
    auto rows = Rows(raw->db.get(), storage::Cf::kMembers);
    ASSERT_EQ(rows.size(), 3u);
    bool first = true;
    for (auto& [row, value] : rows) {
      storage::StoredMember stored;
      ASSERT_TRUE(stored.ParseFromString(value));
      const std::string& id = stored.member_id();
      auto dek = raw->keys.UnwrapDataKey("100000001", id, wrapped_keys[row]);
      ASSERT_TRUE(dek.ok()) << dek.status();
      auto fields = crypto::DecryptRecord(
          *dek, "100000001", id, storage::RocksMemberStore::kMemberFields,
          stored.sealed());
      ASSERT_TRUE(fields.ok()) << fields.status();
      const std::vector<std::string> names =
          absl::StrSplit(storage::RocksMemberStore::kMemberFields, ',');
      ASSERT_EQ(names.size(), fields->size());
      std::string* slots[] = {
          stored.mutable_adherent_number(), stored.mutable_nir(),
          stored.mutable_birth_date(),      stored.mutable_birth_rank(),
          stored.mutable_last_name(),       stored.mutable_first_name(),
          stored.mutable_relationship(),    stored.mutable_marital_status(),
          stored.mutable_contract_id(),     stored.mutable_coverage_from(),
          stored.mutable_coverage_to()};
      ASSERT_EQ(std::size(slots), names.size());
      for (size_t i = 0; i < names.size(); ++i) {
        auto field =
            crypto::EncryptField(*dek, "100000001", id, names[i], (*fields)[i]);
        ASSERT_TRUE(field.ok());
        *slots[i] = *field;
      }
      stored.clear_sealed();
      if (!first) {  // all but the first member: one field tampered
        (*stored.mutable_first_name())[stored.first_name().size() / 2] ^= 1;
      }
      first = false;
      rocksdb::WriteBatch batch;
      batch.Put(raw->db->cf(storage::Cf::kMembers), row,
                stored.SerializeAsString());
      ASSERT_TRUE(raw->db->WriteSync(&batch).ok());
    }
  }
  ASSERT_TRUE(server_->Start().ok());
  a_ = MemberService::NewStub(server_->Channel(kInsurerA));
  int whole = 0, lost = 0;
  for (const auto& record : records) {
    tpp::v1::MemberRecord got;
    grpc::Status status = GetMember(a_.get(), record, &got);
    if (status.ok()) {
      EXPECT_EQ(got.SerializeAsString(), record.SerializeAsString());
      ++whole;
    } else {
      EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
      EXPECT_TRUE(got.nir().empty());
      ++lost;
    }
  }
  EXPECT_EQ(whole, 1);
  EXPECT_EQ(lost, 2);
}

TEST_F(MembersTest, TamperedCiphertextIsDataLoss) {
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(2, 6);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(server_->Stop(), 0);
  {
    auto raw = OpenRaw(
        *server_, std::filesystem::path(server_->data_dir()).parent_path() /
                      "master.key");
    ASSERT_NE(raw, nullptr);
    for (auto& [row, value] : Rows(raw->db.get(), storage::Cf::kMembers)) {
      storage::StoredMember stored;
      ASSERT_TRUE(stored.ParseFromString(value));
      std::string* ct = stored.mutable_sealed();
      ASSERT_FALSE(ct->empty());
      (*ct)[ct->size() / 2] ^= 0x01;
      rocksdb::WriteBatch batch;
      batch.Put(raw->db->cf(storage::Cf::kMembers), row,
                stored.SerializeAsString());
      ASSERT_TRUE(raw->db->WriteSync(&batch).ok());
    }
  }
  ASSERT_TRUE(server_->Start().ok());
  a_ = MemberService::NewStub(server_->Channel(kInsurerA));
  tpp::v1::MemberRecord got;
  grpc::Status status = GetMember(a_.get(), records[0], &got);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::DATA_LOSS);
  EXPECT_TRUE(got.last_name().empty()) << "no partial data";
  EXPECT_TRUE(got.nir().empty());
  auto metrics = HttpGet(server_->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_TRUE(absl::StrContains(*metrics, "tpp_member_data_loss_total 1"))
      << *metrics;
}

bool FileContains(const std::string& data, const std::string& needle) {
  return data.find(needle) != std::string::npos;
}

// Finds any of many needles in one pass over a file: needles are grouped by
// length, and only positions starting with a needle's first byte are looked
// up.
class NeedleSet {
 public:
  explicit NeedleSet(const std::set<std::string>& needles) {
    for (const std::string& n : needles) {
      by_length_[n.size()].insert(n);
      first_[static_cast<unsigned char>(n[0])] = true;
    }
  }
  // The first needle found in `data`, or "".
  std::string FindIn(absl::string_view data) const {
    for (size_t i = 0; i < data.size(); ++i) {
      if (!first_[static_cast<unsigned char>(data[i])]) continue;
      for (const auto& [length, set] : by_length_) {
        if (i + length > data.size()) continue;
        auto it = set.find(data.substr(i, length));
        if (it != set.end()) return *it;
      }
    }
    return "";
  }

 private:
  std::map<size_t, absl::flat_hash_set<std::string>> by_length_;
  bool first_[256] = {};
};

std::string AllFiles(const std::string& dir) {
  std::string all;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (entry.is_regular_file()) all += ReadFileOrEmpty(entry.path().string());
  }
  return all;
}

TEST_F(MembersTest, NoPlaintextOnDiskOrInLogsAfter10000Members) {
  // What the files hold before any member arrives (RocksDB's LOG names its
  // own compile date, which may equal someone's birth date).
  const std::string baseline =
      AllFiles(server_->data_dir()) + server_->Stderr();
  std::vector<tpp::v1::MemberRecord> records = GenerateMembers(10000, 7);
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(ImportMembers(a_.get(), records, &summary).ok());
  ASSERT_EQ(summary.accepted(), 10000);
  // An import this large is flushed to table files when it ends
  // (MemberStore::ImportEnded): members are then read from those, and the
  // scan below covers them.
  auto table_files = [&] {
    int n = 0;
    for (const auto& entry :
         std::filesystem::directory_iterator(server_->data_dir())) {
      n += entry.path().extension() == ".sst";
    }
    return n;
  };
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (table_files() < 3 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(20));
  }
  EXPECT_GE(table_files(), 3) << "the member families were not flushed";
  tpp::v1::MemberRecord got;
  ASSERT_TRUE(GetMember(a_.get(), records[1234], &got).ok());
  EXPECT_EQ(got.nir(), records[1234].nir());
  EXPECT_EQ(got.last_name(), records[1234].last_name());
  ASSERT_EQ(server_->Stop(), 0);

  std::set<std::string> needles;
  std::set<std::string> short_names;
  for (const auto& r : records) {
    needles.insert(r.nir());
    if (!FileContains(baseline, r.birth_date())) needles.insert(r.birth_date());
    for (const std::string& name : {r.last_name(), r.first_name()}) {
      // A name of 4 bytes or less matches random ciphertext by chance
      // (~1 in 2^32 per position): those are looked for in text files only.
      (name.size() > 4 ? needles : short_names).insert(name);
    }
  }
  const NeedleSet long_needles(needles);
  const NeedleSet short_needles(short_names);
  // The finder itself finds what is there.
  ASSERT_EQ(long_needles.FindIn("x" + records[9].nir() + "y"),
            records[9].nir());
  ASSERT_EQ(
      long_needles.FindIn("x" + records[9].birth_date()),
      needles.count(records[9].birth_date()) ? records[9].birth_date() : "");
  int files = 0;
  for (const auto& entry :
       std::filesystem::recursive_directory_iterator(server_->data_dir())) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::string data = ReadFileOrEmpty(entry.path().string());
    std::string name = entry.path().filename().string();
    EXPECT_EQ(long_needles.FindIn(data), "") << "plaintext in " << entry.path();
    bool text = absl::StartsWith(name, "LOG") ||
                absl::StartsWith(name, "OPTIONS") ||
                absl::StartsWith(name, "MANIFEST");
    if (text) {
      EXPECT_EQ(short_needles.FindIn(data), "") << "in " << entry.path();
    }
  }
  EXPECT_GE(files, 4);
  std::string log = server_->Stderr();
  EXPECT_EQ(long_needles.FindIn(log), "") << "plaintext in the log";
  EXPECT_EQ(short_needles.FindIn(log), "") << "plaintext in the log";
}

TEST(MembersDeadlineTest, AnImportPastTheServerDeadlineIsCancelled) {
  // The client sets no deadline: the server's stream default applies.
  TppdProcess server({"--stream_deadline_ms=700"});
  ASSERT_TRUE(server.Start().ok());
  auto stub = MemberService::NewStub(server.Channel(kInsurerA));
  grpc::ClientContext ctx;
  tpp::v1::ImportSummary summary;
  auto writer = stub->ImportMembers(&ctx, &summary);
  tpp::v1::MemberRecord record;
  record.set_nir("295109912611193");
  writer->Write(record);
  absl::SleepFor(absl::Milliseconds(1500));
  writer->WritesDone();
  grpc::Status status = writer->Finish();
  EXPECT_FALSE(status.ok());
  EXPECT_TRUE(status.error_code() == grpc::StatusCode::CANCELLED ||
              status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      << status.error_code();
  EXPECT_EQ(server.Stop(), 0);
}

}  // namespace
}  // namespace tpp::testing
