// Test support: members covered today, claims and eligibility checks built
// from them, and the ClaimService / EligibilityService calls the end-to-end
// tests make.
#ifndef TPP_TESTS_SUPPORT_CLAIM_CLIENT_H_
#define TPP_TESTS_SUPPORT_CLAIM_CLIENT_H_

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "grpcpp/grpcpp.h"
#include "tests/support/rpc_details.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::testing {

// The insurer id of the test identity "insurer/100000001", and so on.
inline constexpr char kInsurerId[] = "100000001";
inline constexpr char kOtherInsurerId[] = "100000002";

// Today in UTC, YYYY-MM-DD: tppd refuses care dates in the future.
std::string TodayUtc();

// Members of `contract_id` covered from a year ago to a year ahead, so that
// today is always a covered care date.
std::vector<tpp::v1::MemberRecord> CoveredMembers(
    int count, uint64_t seed, const std::string& contract_id);

// A contract with one pharmacy guarantee.
grpc::Status PutPharmacyContract(tpp::v1::MemberService::Stub* stub,
                                 const std::string& contract_id,
                                 int64_t rate_bp, int64_t ceiling_cents);

// The usual start of a claims test: puts kCoveredContractId (pharmacy at
// 200 % of the base, `ceiling_cents` a year), then imports `count` members
// covered by it today (CoveredMembers with `seed`) into `*members`. OK only
// if the contract is stored and every member accepted.
inline constexpr char kCoveredContractId[] = "GOLD";
absl::Status ImportCoveredMembers(tpp::v1::MemberService::Stub* stub,
                                  int64_t ceiling_cents, int count,
                                  uint64_t seed,
                                  std::vector<tpp::v1::MemberRecord>* members);

// A one-line pharmacy claim for `member`, care date today.
tpp::v1::SubmitClaimRequest PharmacyClaim(const tpp::v1::MemberRecord& member,
                                          const std::string& invoice,
                                          const std::string& act_code,
                                          int64_t fee_cents, int64_t base_cents,
                                          int64_t amo_cents);

tpp::v1::CheckEligibilityRequest PharmacyCheck(
    const tpp::v1::MemberRecord& member);

grpc::Status Submit(tpp::v1::ClaimService::Stub* stub,
                    const tpp::v1::SubmitClaimRequest& request,
                    tpp::v1::Claim* claim);
grpc::Status Get(tpp::v1::ClaimService::Stub* stub, const std::string& id,
                 tpp::v1::Claim* claim);
grpc::Status Cancel(tpp::v1::ClaimService::Stub* stub, const std::string& id,
                    tpp::v1::Claim* claim);
grpc::Status Check(tpp::v1::EligibilityService::Stub* stub,
                   const tpp::v1::CheckEligibilityRequest& request,
                   tpp::v1::CheckEligibilityResponse* response);
// Every claim ListClaims streams for `request`.
grpc::Status List(tpp::v1::ClaimService::Stub* stub,
                  const tpp::v1::ListClaimsRequest& request,
                  std::vector<tpp::v1::Claim>* claims);

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_CLAIM_CLIENT_H_
