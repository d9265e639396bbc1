// The claims and eligibility adapters' mapping between tpp.v1 messages and
// the domain types, with validation: INVALID_ARGUMENT with one BadRequest
// field violation per bad field, and never a personal value in a message.
#ifndef TPP_SERVICES_CLAIMS_CLAIM_PROTO_H_
#define TPP_SERVICES_CLAIMS_CLAIM_PROTO_H_

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/claims/claim.h"
#include "services/claims/claims_core.h"
#include "services/eligibility/eligibility.h"
#include "tpp/v1/claims.pb.h"
#include "tpp/v1/eligibility.pb.h"

namespace tpp {

// `today` bounds the care date (kCareDateAgeDaysMax in the past, tomorrow
// at the latest). A quantity of 0 (unset) counts as 1. The adjudication
// fields of the lines (amc, patient, reason) are ignored.
absl::StatusOr<ClaimRequest> ClaimRequestFromProto(
    const tpp::v1::SubmitClaimRequest& proto, Date today);

// `adherent_number` goes out only when the claim carries it (answers to
// its insurer).
void ClaimToProto(const Claim& claim, tpp::v1::Claim* proto);

absl::StatusOr<EligibilityRequest> EligibilityRequestFromProto(
    const tpp::v1::CheckEligibilityRequest& proto);

void EligibilityAnswerToProto(const EligibilityAnswer& answer,
                              tpp::v1::CheckEligibilityResponse* proto);

absl::StatusOr<ClaimFilter> ClaimFilterFromProto(
    const tpp::v1::ListClaimsRequest& proto);

// A claim id as the client sent it: INVALID_ARGUMENT when it cannot be one.
absl::Status ValidateClaimId(absl::string_view claim_id);

// Today's date in UTC.
Date UtcDate(absl::Time now);

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIM_PROTO_H_
