#include "services/claims/claim_proto.h"

#include <string>

#include "absl/strings/str_cat.h"
#include "services/claims/amc.h"
#include "services/common/validation.h"
#include "services/members/member_proto.h"

namespace tpp {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

void ValidateAmount(int64_t cents, const std::string& field,
                    Violations* violations) {
  if (cents < 0 || cents > kFeeCentsMax) {
    violations->Add(field,
                    absl::StrCat("must be in 0..", kFeeCentsMax, " cents"));
  }
}

void ValidateInsurerId(const std::string& insurer_id, Violations* violations) {
  if (!IsIdentifier(insurer_id, kInsurerIdBytesMax)) {
    violations->Add("insurer_id",
                    absl::StrCat("1 to ", kInsurerIdBytesMax,
                                 " letters, digits, '-', '_' or '.'"));
  }
}

std::optional<Category> CategoryField(tpp::v1::Category value,
                                      const std::string& field,
                                      Violations* violations) {
  absl::StatusOr<Category> category = CategoryFromProto(value);
  if (!category.ok()) {
    violations->Add(field, "must be a known category");
    return std::nullopt;
  }
  return *category;
}

}  // namespace

Date UtcDate(absl::Time now) {
  const absl::CivilDay day = absl::ToCivilDay(now, absl::UTCTimeZone());
  absl::StatusOr<Date> date =
      Date::FromYmd(static_cast<int>(day.year()), day.month(), day.day());
  return date.ok() ? *date : Date();
}

absl::StatusOr<ClaimRequest> ClaimRequestFromProto(
    const tpp::v1::SubmitClaimRequest& proto, Date today) {
  Violations violations;
  ClaimRequest request;
  if (proto.invoice_number().empty() ||
      proto.invoice_number().size() > kInvoiceNumberBytesMax ||
      !IsPrintableUtf8(proto.invoice_number())) {
    violations.Add("invoice_number",
                   absl::StrCat("1 to ", kInvoiceNumberBytesMax,
                                " bytes of printable UTF-8"));
  }
  request.invoice_number = proto.invoice_number();
  std::optional<BeneficiaryKey> beneficiary =
      BeneficiaryFromProto(proto.beneficiary(), "beneficiary.", &violations);
  if (beneficiary) request.beneficiary = *beneficiary;
  ValidateInsurerId(proto.insurer_id(), &violations);
  request.insurer_id = proto.insurer_id();
  std::optional<Date> care_date =
      DateField(proto.care_date(), "care_date", &violations);
  if (care_date) {
    const int64_t age = today.DaysSinceEpoch() - care_date->DaysSinceEpoch();
    if (age < -1) {
      violations.Add("care_date", "must not be in the future");
    } else if (age > kCareDateAgeDaysMax) {
      violations.Add(
          "care_date",
          absl::StrCat("must be at most ", kCareDateAgeDaysMax, " days old"));
    } else {
      request.care_date = *care_date;
    }
  }
  if (proto.lines_size() == 0) {
    violations.Add("lines", "a claim needs at least one line");
  } else if (proto.lines_size() > kClaimLinesMax) {
    violations.Add("lines", absl::StrCat("at most ", kClaimLinesMax, " lines"));
  } else {
    for (int i = 0; i < proto.lines_size(); ++i) {
      const tpp::v1::ClaimLine& in = proto.lines(i);
      const std::string prefix = absl::StrCat("lines[", i, "].");
      ClaimLine line;
      if (!IsIdentifier(in.act_code(), kActCodeBytesMax)) {
        violations.Add(prefix + "act_code",
                       absl::StrCat("1 to ", kActCodeBytesMax,
                                    " letters, digits, '-', '_' or '.'"));
      }
      line.act_code = in.act_code();
      std::optional<Category> category =
          CategoryField(in.category(), prefix + "category", &violations);
      if (category) line.category = *category;
      if (in.quantity() < 0 || in.quantity() > kQuantityMax) {
        violations.Add(prefix + "quantity",
                       absl::StrCat("must be in 1..", kQuantityMax));
      }
      line.quantity = in.quantity() == 0 ? 1 : in.quantity();
      ValidateAmount(in.fee_cents(), prefix + "fee_cents", &violations);
      ValidateAmount(in.base_cents(), prefix + "base_cents", &violations);
      ValidateAmount(in.amo_cents(), prefix + "amo_cents", &violations);
      if (in.amo_cents() > in.fee_cents() && in.amo_cents() <= kFeeCentsMax &&
          in.fee_cents() >= 0) {
        violations.Add(prefix + "amo_cents", "must not exceed fee_cents");
      }
      line.fee_cents = in.fee_cents();
      line.base_cents = in.base_cents();
      line.amo_cents = in.amo_cents();
      request.lines.push_back(std::move(line));
    }
  }
  if (!violations.empty()) return violations.ToStatus("invalid claim");
  return request;
}

void ClaimToProto(const Claim& claim, tpp::v1::Claim* proto) {
  proto->set_claim_id(claim.claim_id);
  proto->set_status(static_cast<tpp::v1::ClaimStatus>(claim.status));
  for (const ClaimLine& line : claim.lines) {
    tpp::v1::ClaimLine* out = proto->add_lines();
    out->set_act_code(line.act_code);
    out->set_category(CategoryToProto(line.category));
    out->set_quantity(line.quantity);
    out->set_fee_cents(line.fee_cents);
    out->set_base_cents(line.base_cents);
    out->set_amo_cents(line.amo_cents);
    out->set_amc_cents(line.amc_cents);
    out->set_patient_cents(line.patient_cents);
    out->set_reject_reason(
        static_cast<tpp::v1::RejectReason>(line.reject_reason));
  }
  proto->set_amc_total_cents(claim.amc_total_cents);
  proto->set_patient_total_cents(claim.patient_total_cents);
  proto->set_created_at(Rfc3339(claim.created_at));
  proto->set_invoice_number(claim.invoice_number);
  proto->set_insurer_id(claim.insurer_id);
  proto->set_provider_id(claim.provider_id);
  proto->set_care_date(claim.care_date.ToString());
  proto->set_cancel_reason(claim.cancel_reason);
  if (claim.cancelled_at != absl::InfinitePast()) {
    proto->set_cancelled_at(Rfc3339(claim.cancelled_at));
  }
  proto->set_settlement_id(claim.settlement_id);
  proto->set_adherent_number(claim.adherent_number);
}

absl::StatusOr<EligibilityRequest> EligibilityRequestFromProto(
    const tpp::v1::CheckEligibilityRequest& proto) {
  Violations violations;
  EligibilityRequest request;
  std::optional<BeneficiaryKey> beneficiary =
      BeneficiaryFromProto(proto.beneficiary(), "beneficiary.", &violations);
  if (beneficiary) request.beneficiary = *beneficiary;
  ValidateInsurerId(proto.insurer_id(), &violations);
  request.insurer_id = proto.insurer_id();
  std::optional<Date> care_date =
      DateField(proto.care_date(), "care_date", &violations);
  if (care_date) request.care_date = *care_date;
  std::optional<Category> category =
      CategoryField(proto.category(), "category", &violations);
  if (category) request.category = *category;
  if (!violations.empty()) return violations.ToStatus("invalid check");
  return request;
}

void EligibilityAnswerToProto(const EligibilityAnswer& answer,
                              tpp::v1::CheckEligibilityResponse* proto) {
  proto->set_eligible(answer.eligible);
  proto->set_reason(static_cast<tpp::v1::RejectReason>(answer.reason));
  if (answer.has_ceiling) {
    proto->set_has_ceiling(true);
    proto->set_ceiling_remaining_cents(answer.ceiling_remaining_cents);
  }
  if (!answer.eligible) return;
  proto->set_rate_bp(answer.rate_bp);
  proto->set_coverage_to(answer.coverage_to.ToString());
}

absl::StatusOr<ClaimFilter> ClaimFilterFromProto(
    const tpp::v1::ListClaimsRequest& proto) {
  Violations violations;
  ClaimFilter filter;
  if (proto.status() != tpp::v1::CLAIM_STATUS_UNSPECIFIED) {
    if (proto.status() < tpp::v1::APPROVED || proto.status() > tpp::v1::PAID) {
      violations.Add("status", "must be a known claim status");
    } else {
      filter.status = static_cast<ClaimStatus>(proto.status());
    }
  }
  if (!proto.care_date_from().empty()) {
    filter.care_date_from =
        DateField(proto.care_date_from(), "care_date_from", &violations);
  }
  if (!proto.care_date_to().empty()) {
    filter.care_date_to =
        DateField(proto.care_date_to(), "care_date_to", &violations);
  }
  if (filter.care_date_from && filter.care_date_to &&
      *filter.care_date_from > *filter.care_date_to) {
    violations.Add("care_date_to", "must not be before care_date_from");
  }
  if (!proto.cursor().empty()) {
    if (absl::Status s = ValidateClaimId(proto.cursor()); !s.ok()) {
      violations.Add("cursor", "must be a claim_id");
    }
  }
  if (proto.limit() < 0) violations.Add("limit", "must not be negative");
  if (!violations.empty()) return violations.ToStatus("invalid listing");
  return filter;
}

absl::Status ValidateClaimId(absl::string_view claim_id) {
  if (!IsIdentifier(claim_id, kClaimIdBytesMax)) {
    Violations violations;
    violations.Add("claim_id", absl::StrCat("1 to ", kClaimIdBytesMax,
                                            " letters or digits"));
    return violations.ToStatus("invalid claim id");
  }
  return absl::OkStatus();
}

}  // namespace tpp
