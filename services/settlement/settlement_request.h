// Validation of the settlement service's requests, apart from the handlers
// so that the fuzz targets (fuzz/request_fuzz.cc) reach it without a server.
// Failures are INVALID_ARGUMENT with BadRequest field violations.
//
// Thread-safe: the functions share no state.
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_REQUEST_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_REQUEST_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/claims/claim.h"
#include "services/common/date.h"
#include "tpp/v1/settlement.pb.h"

namespace tpp {

// "<insurer>-YYYYMMDD" (SettlementId).
inline constexpr size_t kSettlementIdBytesMax = kClaimIdBytesMax * 2;
inline constexpr size_t kStatementDigestHexChars = 64;

// The cutoff date of a run: an insurer id and a real date not after `today`
// (UTC). Claims dated up to tomorrow are accepted, but a window is closed
// only up to today: tomorrow's claims may still come.
absl::StatusOr<Date> ValidateRunSettlement(
    const tpp::v1::RunSettlementRequest& request, Date today);

// A settlement id as the client sent it (streams, acknowledgements).
absl::Status ValidateSettlementId(absl::string_view settlement_id);

// A settlement id, a line count >= 0 and a digest of 64 lowercase hex
// digits (the statement digest's form, README "Settlement").
absl::Status ValidateAcknowledgement(
    const tpp::v1::AcknowledgeStatementRequest& request);

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_REQUEST_H_
