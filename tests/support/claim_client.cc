#include "tests/support/claim_client.h"

#include <chrono>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "tests/support/member_client.h"

namespace tpp::testing {
namespace {

std::unique_ptr<grpc::ClientContext> Context() {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
  return ctx;
}

std::string DayUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

}  // namespace

std::string TodayUtc() { return DayUtc(absl::Now()); }

std::vector<tpp::v1::MemberRecord> CoveredMembers(
    int count, uint64_t seed, const std::string& contract_id) {
  std::vector<tpp::v1::MemberRecord> records =
      GenerateMembers(count, seed, contract_id);
  const std::string from = DayUtc(absl::Now() - absl::Hours(24 * 365));
  const std::string to = DayUtc(absl::Now() + absl::Hours(24 * 365));
  for (tpp::v1::MemberRecord& r : records) {
    r.set_coverage_from(from);
    r.set_coverage_to(to);
  }
  return records;
}

grpc::Status PutPharmacyContract(tpp::v1::MemberService::Stub* stub,
                                 const std::string& contract_id,
                                 int64_t rate_bp, int64_t ceiling_cents) {
  tpp::v1::Contract contract;
  contract.set_contract_id(contract_id);
  auto* g = contract.add_guarantees();
  g->set_category(tpp::v1::PHARMACY);
  g->set_rate_bp(rate_bp);
  g->set_annual_ceiling_cents(ceiling_cents);
  tpp::v1::UpsertContractResponse response;
  auto ctx = Context();
  return stub->UpsertContract(ctx.get(), contract, &response);
}

absl::Status ImportCoveredMembers(tpp::v1::MemberService::Stub* stub,
                                  int64_t ceiling_cents, int count,
                                  uint64_t seed,
                                  std::vector<tpp::v1::MemberRecord>* members) {
  grpc::Status put =
      PutPharmacyContract(stub, kCoveredContractId, 20000, ceiling_cents);
  if (!put.ok()) {
    return absl::UnknownError(
        absl::StrCat("UpsertContract: ", put.error_message()));
  }
  *members = CoveredMembers(count, seed, kCoveredContractId);
  tpp::v1::ImportSummary summary;
  grpc::Status imported = ImportMembers(stub, *members, &summary);
  if (!imported.ok()) {
    return absl::UnknownError(
        absl::StrCat("ImportMembers: ", imported.error_message()));
  }
  if (summary.accepted() != count) {
    return absl::UnknownError(absl::StrCat("ImportMembers accepted ",
                                           summary.accepted(), " of ", count));
  }
  return absl::OkStatus();
}

tpp::v1::SubmitClaimRequest PharmacyClaim(const tpp::v1::MemberRecord& member,
                                          const std::string& invoice,
                                          const std::string& act_code,
                                          int64_t fee_cents, int64_t base_cents,
                                          int64_t amo_cents) {
  tpp::v1::SubmitClaimRequest request;
  request.set_invoice_number(invoice);
  request.mutable_beneficiary()->set_nir(member.nir());
  request.mutable_beneficiary()->set_birth_date(member.birth_date());
  request.mutable_beneficiary()->set_birth_rank(member.birth_rank());
  request.set_insurer_id(kInsurerId);
  request.set_care_date(TodayUtc());
  tpp::v1::ClaimLine* line = request.add_lines();
  line->set_act_code(act_code);
  line->set_category(tpp::v1::PHARMACY);
  line->set_quantity(1);
  line->set_fee_cents(fee_cents);
  line->set_base_cents(base_cents);
  line->set_amo_cents(amo_cents);
  return request;
}

tpp::v1::CheckEligibilityRequest PharmacyCheck(
    const tpp::v1::MemberRecord& member) {
  tpp::v1::CheckEligibilityRequest request;
  request.mutable_beneficiary()->set_nir(member.nir());
  request.mutable_beneficiary()->set_birth_date(member.birth_date());
  request.mutable_beneficiary()->set_birth_rank(member.birth_rank());
  request.set_insurer_id(kInsurerId);
  request.set_care_date(TodayUtc());
  request.set_category(tpp::v1::PHARMACY);
  return request;
}

grpc::Status Submit(tpp::v1::ClaimService::Stub* stub,
                    const tpp::v1::SubmitClaimRequest& request,
                    tpp::v1::Claim* claim) {
  auto ctx = Context();
  return stub->SubmitClaim(ctx.get(), request, claim);
}

grpc::Status Get(tpp::v1::ClaimService::Stub* stub, const std::string& id,
                 tpp::v1::Claim* claim) {
  tpp::v1::GetClaimRequest request;
  request.set_claim_id(id);
  auto ctx = Context();
  return stub->GetClaim(ctx.get(), request, claim);
}

grpc::Status Cancel(tpp::v1::ClaimService::Stub* stub, const std::string& id,
                    tpp::v1::Claim* claim) {
  tpp::v1::CancelClaimRequest request;
  request.set_claim_id(id);
  request.set_reason("entered twice");
  auto ctx = Context();
  return stub->CancelClaim(ctx.get(), request, claim);
}

grpc::Status Check(tpp::v1::EligibilityService::Stub* stub,
                   const tpp::v1::CheckEligibilityRequest& request,
                   tpp::v1::CheckEligibilityResponse* response) {
  auto ctx = Context();
  return stub->CheckEligibility(ctx.get(), request, response);
}

grpc::Status List(tpp::v1::ClaimService::Stub* stub,
                  const tpp::v1::ListClaimsRequest& request,
                  std::vector<tpp::v1::Claim>* claims) {
  auto ctx = Context();
  auto reader = stub->ListClaims(ctx.get(), request);
  tpp::v1::Claim claim;
  while (reader->Read(&claim)) claims->push_back(claim);
  return reader->Finish();
}

}  // namespace tpp::testing
