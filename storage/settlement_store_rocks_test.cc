// The settlement store's audited writes: a settlement run's closing and an
// acknowledgement carry their audit record in their own synced batch, so
// that no crash can leave the action without its record.
#include "storage/settlement_store_rocks.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "services/common/date.h"
#include "storage/audit_log_rocks.h"
#include "storage/rocks_test_fixture.h"

namespace tpp::storage {
namespace {

constexpr char kOperator[] = "spiffe://tpp.local/operator/alice";
constexpr char kInsurer[] = "spiffe://tpp.local/insurer/100000001";

class SettlementStoreTest : public RocksTest {
 protected:
  void OpenStores() override {
    auto log = RocksAuditLog::Open(db_.get(), commits_.get(),
                                   RocksAuditLog::Options());
    ASSERT_TRUE(log.ok()) << log.status();
    log_ = std::move(*log);
    store_ = std::make_unique<RocksSettlementStore>(db_.get(), commits_.get());
  }
  void CloseStores() override { store_.reset(); }
  void CloseSealers() override { log_.reset(); }

  // The records of `credential`, by method.
  std::vector<AuditEvent> RecordsOf(const std::string& credential) {
    std::vector<AuditEvent> events;
    EXPECT_TRUE(log_->ScanCredential(credential, absl::InfinitePast(),
                                     absl::InfiniteFuture(),
                                     [&](const AuditRecord& record) {
                                       events.push_back(record.event);
                                       return absl::OkStatus();
                                     })
                    .ok());
    return events;
  }

  static InBatchAudit AuditOf(const char* caller, const char* method) {
    InBatchAudit audit;
    audit.event.caller = caller;
    audit.event.method = method;
    audit.event.insurer_id = "100000001";
    audit.event.object = "a settlement";
    return audit;
  }

  Settlement Opening() {
    Settlement opening;
    opening.insurer_id = "100000001";
    opening.cutoff_date = *Date::Parse("2026-11-01");
    opening.settlement_id =
        SettlementId(opening.insurer_id, opening.cutoff_date);
    opening.created_at = absl::Now();
    return opening;
  }

  std::unique_ptr<RocksAuditLog> log_;
  std::unique_ptr<RocksSettlementStore> store_;
};

TEST_F(SettlementStoreTest, TheClosingWriteCarriesTheRunsRecord) {
  InBatchAudit audit = AuditOf(kOperator, "RunSettlement");
  const auto no_adherent = [](const Claim&) -> absl::StatusOr<std::string> {
    return std::string();
  };
  absl::StatusOr<Settlement> settlement =
      store_->Run(Opening(), no_adherent, &audit);
  ASSERT_TRUE(settlement.ok()) << settlement.status();
  EXPECT_TRUE(settlement->closed);
  EXPECT_TRUE(audit.recorded);
  std::vector<AuditEvent> records = RecordsOf(kOperator);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].method, "RunSettlement");
  EXPECT_EQ(records[0].count, settlement->claim_count);

  // Run again: the settlement exists closed, nothing is written or recorded
  // (the caller records that call itself).
  InBatchAudit again = AuditOf(kOperator, "RunSettlement");
  ASSERT_TRUE(store_->Run(Opening(), no_adherent, &again).ok());
  EXPECT_FALSE(again.recorded);
  EXPECT_EQ(RecordsOf(kOperator).size(), 1u);
}

TEST_F(SettlementStoreTest, AnAcknowledgementAndItsRecordAreOneWrite) {
  const auto no_adherent = [](const Claim&) -> absl::StatusOr<std::string> {
    return std::string();
  };
  absl::StatusOr<Settlement> settlement =
      store_->Run(Opening(), no_adherent, nullptr);
  ASSERT_TRUE(settlement.ok()) << settlement.status();

  const CommitQueue::Stats before = commits_->stats();
  InBatchAudit audit = AuditOf(kInsurer, "AcknowledgeStatement");
  Acknowledgement ack;
  ack.result = AckResult::kMatched;
  ack.at = absl::Now();
  ack.by = kInsurer;
  ASSERT_TRUE(
      store_->AddAcknowledgement(settlement->settlement_id, ack, &audit).ok());
  EXPECT_TRUE(audit.recorded);
  // One Commit() for the acknowledgement and its record together.
  EXPECT_EQ(commits_->stats().batches, before.batches + 1);
  std::vector<AuditEvent> records = RecordsOf(kInsurer);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].method, "AcknowledgeStatement");
  absl::StatusOr<Settlement> stored = store_->Get(settlement->settlement_id);
  ASSERT_TRUE(stored.ok());
  EXPECT_EQ(stored->acknowledgements.size(), 1u);

  // Unknown settlement: nothing written, not recorded.
  InBatchAudit unknown = AuditOf(kInsurer, "AcknowledgeStatement");
  EXPECT_FALSE(store_->AddAcknowledgement("nope", ack, &unknown).ok());
  EXPECT_FALSE(unknown.recorded);
  EXPECT_EQ(RecordsOf(kInsurer).size(), 1u);
}

}  // namespace
}  // namespace tpp::storage
