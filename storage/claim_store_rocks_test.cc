#include "storage/claim_store_rocks.h"

#include <filesystem>

#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"

namespace tpp::storage {
namespace {

Claim MakeClaim(const std::string& id, const std::string& provider,
                const std::string& invoice) {
  Claim claim;
  claim.claim_id = id;
  claim.provider_id = provider;
  claim.insurer_id = "INS1";
  claim.member_id = "m1";
  claim.invoice_number = invoice;
  claim.care_date = *Date::Parse("2026-11-02");
  claim.status = ClaimStatus::kApproved;
  ClaimLine line;
  line.act_code = "A";
  line.fee_cents = 5500;
  line.base_cents = 2300;
  line.amo_cents = 1610;
  line.amc_cents = 2990;
  line.patient_cents = 900;
  claim.lines.push_back(line);
  claim.amc_total_cents = 2990;
  claim.patient_total_cents = 900;
  claim.created_at = absl::FromUnixMillis(1'790'000'000'000);
  claim.fingerprint = std::string(32, '\x01');
  claim.ceiling_consumed = {{Category::kPharmacy, 2990}};
  return claim;
}

class ClaimStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = ::testing::TempDir() + "/claim_store_" +
           std::to_string(reinterpret_cast<uintptr_t>(this));
    std::filesystem::remove_all(dir_);
    db_ = *Db::Open(dir_, Db::Options());
    commits_ =
        std::make_unique<CommitQueue>(db_->raw(), CommitQueue::Options());
    store_ = std::make_unique<RocksClaimStore>(db_.get(), commits_.get());
  }
  void TearDown() override {
    store_.reset();
    commits_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  absl::Status Write(ClaimWrite write) {
    absl::Notification done;
    absl::Status result;
    store_->Write(std::move(write), [&](absl::Status s) {
      result = s;
      done.Notify();
    });
    done.WaitForNotification();
    return result;
  }

  std::string dir_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<CommitQueue> commits_;
  std::unique_ptr<RocksClaimStore> store_;
};

TEST_F(ClaimStoreTest, EncodeDecodeRoundTrip) {
  Claim claim = MakeClaim("c1", "P1", "INV-1");
  claim.status = ClaimStatus::kCancelled;
  claim.cancel_reason = "wrong patient";
  claim.cancelled_at = absl::FromUnixMillis(1'790'000'100'000);
  absl::StatusOr<Claim> back =
      RocksClaimStore::Decode(RocksClaimStore::Encode(claim));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->claim_id, "c1");
  EXPECT_EQ(back->status, ClaimStatus::kCancelled);
  EXPECT_EQ(back->cancelled_at, claim.cancelled_at);
  EXPECT_EQ(back->created_at, claim.created_at);
  EXPECT_EQ(back->fingerprint, claim.fingerprint);
  EXPECT_EQ(back->ceiling_consumed, claim.ceiling_consumed);
  EXPECT_EQ(back->lines[0].amc_cents, 2990);
}

TEST_F(ClaimStoreTest, DecodeRefusesBrokenInvariantsAndGarbage) {
  Claim claim = MakeClaim("c1", "P1", "INV-1");
  claim.lines[0].amc_cents = 3000;  // AMO + AMC + patient != fee
  EXPECT_TRUE(absl::IsDataLoss(
      RocksClaimStore::Decode(RocksClaimStore::Encode(claim)).status()));
  EXPECT_TRUE(absl::IsDataLoss(RocksClaimStore::Decode("\xff\xff").status()));
}

TEST_F(ClaimStoreTest, WriteIsAtomicAndReadable) {
  ClaimWrite write{MakeClaim("c1", "P1", "INV-1"), true};
  ServiceKey service{"P1", "m1", "A", *Date::Parse("2026-11-02")};
  UsageKey usage{"INS1", "m1", Category::kPharmacy, 2026};
  write.services_added = {service};
  write.usage_deltas = {{usage, 2990}};
  ASSERT_TRUE(Write(write).ok());
  EXPECT_EQ(*store_->FindInvoice("P1", "INV-1"), "c1");
  EXPECT_TRUE(absl::IsNotFound(store_->FindInvoice("P2", "INV-1").status()));
  EXPECT_TRUE(*store_->HasService(service));
  EXPECT_EQ(*store_->Usage(usage), 2990);

  // A second claim adds to the usage; a cancellation subtracts.
  ClaimWrite second{MakeClaim("c2", "P1", "INV-2"), true};
  second.usage_deltas = {{usage, 2990}};
  ASSERT_TRUE(Write(second).ok());
  EXPECT_EQ(*store_->Usage(usage), 5980);
  ClaimWrite cancel{MakeClaim("c1", "P1", "INV-1"), false};
  cancel.claim.status = ClaimStatus::kCancelled;
  cancel.services_removed = {service};
  cancel.usage_deltas = {{usage, -2990}};
  ASSERT_TRUE(Write(cancel).ok());
  EXPECT_EQ(*store_->Usage(usage), 2990);
  EXPECT_FALSE(*store_->HasService(service));
  EXPECT_EQ(store_->Get("c1")->status, ClaimStatus::kCancelled);
}

TEST_F(ClaimStoreTest, ListWalksOneOwnerInIdOrderFromACursor) {
  for (const char* id : {"c3", "c1", "c2"}) {
    ASSERT_TRUE(Write({MakeClaim(id, "P1", std::string("I") + id), true}).ok());
  }
  ASSERT_TRUE(Write({MakeClaim("c0", "P10", "I0"), true}).ok());
  absl::StatusOr<std::vector<Claim>> all =
      store_->List(ClaimOwner::kProvider, "P1", "", 10);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].claim_id, "c1");
  EXPECT_EQ((*all)[2].claim_id, "c3");
  absl::StatusOr<std::vector<Claim>> rest =
      store_->List(ClaimOwner::kProvider, "P1", "c1", 1);
  ASSERT_EQ(rest->size(), 1u);
  EXPECT_EQ((*rest)[0].claim_id, "c2");
  EXPECT_EQ(store_->List(ClaimOwner::kInsurer, "INS1", "", 10)->size(), 4u);
}

TEST_F(ClaimStoreTest, InvalidClaimIsNeverWritten) {
  Claim claim = MakeClaim("c1", "P1", "INV-1");
  claim.amc_total_cents = 1;
  EXPECT_FALSE(Write({claim, true}).ok());
  EXPECT_TRUE(absl::IsNotFound(store_->Get("c1").status()));
}

}  // namespace
}  // namespace tpp::storage
