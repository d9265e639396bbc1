#include "services/settlement/settlement_request.h"

#include <string>

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

Date Day(int y, int m, int d) { return *Date::FromYmd(y, m, d); }

tpp::v1::AcknowledgeStatementRequest Ack(std::string digest) {
  tpp::v1::AcknowledgeStatementRequest request;
  request.set_settlement_id("100000001-20261127");
  request.set_line_count(3);
  request.set_digest(std::move(digest));
  return request;
}

TEST(ValidateAcknowledgement, AcceptsALowercaseHexDigest) {
  EXPECT_TRUE(ValidateAcknowledgement(Ack(std::string(64, 'a'))).ok());
  EXPECT_TRUE(ValidateAcknowledgement(
                  Ack("0123456789abcdef0123456789abcdef0123456789abcdef"
                      "0123456789abcdef"))
                  .ok());
}

// Seen writing fuzz/request_fuzz.cc's property (an accepted digest is what
// StatementDigest::Hex() writes): any 64 bytes were taken as a digest, so
// an acknowledgement could store bytes, not even UTF-8, that every later
// ListSettlements answer then carries in a proto3 string field.
TEST(ValidateAcknowledgement, RefusesA64ByteDigestThatIsNotLowercaseHex) {
  for (std::string digest :
       {std::string(64, 'A'), std::string(64, 'g'), std::string(64, '\xff'),
        std::string(63, 'a') + '\n', std::string(65, 'a')}) {
    absl::Status status = ValidateAcknowledgement(Ack(digest));
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    ASSERT_EQ(ViolationsOf(status).size(), 1u);
    EXPECT_EQ(ViolationsOf(status)[0].field, "digest");
  }
}

TEST(ValidateAcknowledgement, RefusesANegativeLineCountAndABadId) {
  tpp::v1::AcknowledgeStatementRequest request = Ack(std::string(64, '0'));
  request.set_line_count(-1);
  request.set_settlement_id("no spaces");
  EXPECT_EQ(ViolationsOf(ValidateAcknowledgement(request)).size(), 2u);
}

TEST(ValidateRunSettlement, CutoffUpToToday) {
  tpp::v1::RunSettlementRequest request;
  request.set_insurer_id("100000001");
  request.set_cutoff_date("2026-11-28");
  absl::StatusOr<Date> cutoff =
      ValidateRunSettlement(request, Day(2026, 11, 28));
  ASSERT_TRUE(cutoff.ok());
  EXPECT_EQ(*cutoff, Day(2026, 11, 28));
  request.set_cutoff_date("2026-11-29");
  EXPECT_EQ(ValidateRunSettlement(request, Day(2026, 11, 28)).status().code(),
            absl::StatusCode::kInvalidArgument);
  request.set_cutoff_date("2026-02-30");
  EXPECT_FALSE(ValidateRunSettlement(request, Day(2026, 11, 28)).ok());
}

TEST(ValidateSettlementId, IdentifiersOnly) {
  EXPECT_TRUE(ValidateSettlementId("100000001-20261127").ok());
  EXPECT_FALSE(ValidateSettlementId("").ok());
  EXPECT_FALSE(ValidateSettlementId(std::string(1, '\0')).ok());
  EXPECT_FALSE(ValidateSettlementId(std::string(129, 'a')).ok());
}

}  // namespace
}  // namespace tpp
