#include "services/claims/claim_proto.h"

#include <set>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "services/claims/amc.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

using ::testing::UnorderedElementsAre;

Date Today() { return *Date::Parse("2026-11-28"); }

tpp::v1::SubmitClaimRequest Valid() {
  tpp::v1::SubmitClaimRequest request;
  request.set_invoice_number("INV-0001");
  request.mutable_beneficiary()->set_nir("2 95 10 99 126 111 93");
  request.mutable_beneficiary()->set_birth_date("1995-10-12");
  request.mutable_beneficiary()->set_birth_rank(1);
  request.set_insurer_id("100000001");
  request.set_care_date("2026-11-27");
  tpp::v1::ClaimLine* line = request.add_lines();
  line->set_act_code("PH7");
  line->set_category(tpp::v1::PHARMACY);
  line->set_quantity(2);
  line->set_fee_cents(5500);
  line->set_base_cents(2300);
  line->set_amo_cents(1610);
  line->set_amc_cents(999999);  // from the client: ignored
  return request;
}

std::set<std::string> Fields(const absl::Status& status) {
  std::set<std::string> fields;
  for (const FieldViolation& v : ViolationsOf(status)) fields.insert(v.field);
  return fields;
}

TEST(ClaimProtoTest, ValidRequestMaps) {
  absl::StatusOr<ClaimRequest> request =
      ClaimRequestFromProto(Valid(), Today());
  ASSERT_TRUE(request.ok()) << request.status();
  EXPECT_EQ(request->invoice_number, "INV-0001");
  EXPECT_EQ(request->beneficiary.nir.digits(), "295109912611193");
  EXPECT_EQ(request->care_date.ToString(), "2026-11-27");
  ASSERT_EQ(request->lines.size(), 1u);
  EXPECT_EQ(request->lines[0].quantity, 2);
  EXPECT_EQ(request->lines[0].amc_cents, 0);
}

TEST(ClaimProtoTest, OneViolationPerBadField) {
  tpp::v1::SubmitClaimRequest request = Valid();
  request.set_invoice_number("");
  request.mutable_beneficiary()->set_nir("295109912611194");  // bad key
  request.set_care_date("2026-02-30");
  request.mutable_lines(0)->set_amo_cents(6000);  // above the fee
  tpp::v1::ClaimLine* second = request.add_lines();
  *second = request.lines(0);
  second->set_amo_cents(0);
  second->set_fee_cents(-1);
  second->set_category(static_cast<tpp::v1::Category>(42));
  absl::Status status = ClaimRequestFromProto(request, Today()).status();
  EXPECT_TRUE(absl::IsInvalidArgument(status));
  EXPECT_THAT(Fields(status),
              UnorderedElementsAre("invoice_number", "beneficiary.nir",
                                   "care_date", "lines[0].amo_cents",
                                   "lines[1].fee_cents", "lines[1].category"));
  // No personal value in the message or the violations.
  EXPECT_EQ(std::string(status.ToString()).find("2951099"), std::string::npos);
}

TEST(ClaimProtoTest, LineCountBounds) {
  tpp::v1::SubmitClaimRequest request = Valid();
  request.clear_lines();
  EXPECT_THAT(Fields(ClaimRequestFromProto(request, Today()).status()),
              UnorderedElementsAre("lines"));
  request = Valid();
  for (int i = 0; i < kClaimLinesMax; ++i)
    *request.add_lines() = Valid().lines(0);
  EXPECT_THAT(Fields(ClaimRequestFromProto(request, Today()).status()),
              UnorderedElementsAre("lines"));
}

TEST(ClaimProtoTest, AbsurdAmountsAndCareDates) {
  tpp::v1::SubmitClaimRequest request = Valid();
  request.mutable_lines(0)->set_fee_cents(kFeeCentsMax + 1);
  request.mutable_lines(0)->set_base_cents(int64_t{1} << 62);
  EXPECT_THAT(
      Fields(ClaimRequestFromProto(request, Today()).status()),
      UnorderedElementsAre("lines[0].fee_cents", "lines[0].base_cents"));
  request = Valid();
  request.set_care_date("2026-12-01");
  EXPECT_THAT(Fields(ClaimRequestFromProto(request, Today()).status()),
              UnorderedElementsAre("care_date"));
  request.set_care_date("2026-11-29");  // tomorrow in UTC: a time zone away
  EXPECT_TRUE(ClaimRequestFromProto(request, Today()).ok());
  request.set_care_date("2020-01-01");
  EXPECT_THAT(Fields(ClaimRequestFromProto(request, Today()).status()),
              UnorderedElementsAre("care_date"));
}

TEST(ClaimProtoTest, EligibilityRequestNeedsAKnownCategory) {
  tpp::v1::CheckEligibilityRequest request;
  *request.mutable_beneficiary() = Valid().beneficiary();
  request.set_insurer_id("100000001");
  request.set_care_date("2026-11-27");
  EXPECT_THAT(Fields(EligibilityRequestFromProto(request).status()),
              UnorderedElementsAre("category"));
  request.set_category(tpp::v1::OPTICAL);
  EXPECT_TRUE(EligibilityRequestFromProto(request).ok());
}

TEST(ClaimProtoTest, AnswerForAnIneligibleMemberHoldsOnlyTheReason) {
  EligibilityAnswer answer;
  answer.reason = RejectReason::kMemberNotFound;
  answer.rate_bp = 20000;
  answer.member_id = "secret";
  tpp::v1::CheckEligibilityResponse proto;
  EligibilityAnswerToProto(answer, &proto);
  EXPECT_FALSE(proto.eligible());
  EXPECT_EQ(proto.reason(), tpp::v1::MEMBER_NOT_FOUND);
  EXPECT_EQ(proto.rate_bp(), 0);
  EXPECT_TRUE(proto.coverage_to().empty());
}

}  // namespace
}  // namespace tpp
