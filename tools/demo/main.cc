// tpp-demo: a short narrated tour of a running node with the three roles:
// a pharmacy (provider), an insurer and two operators. Run by tools/run.sh.
// Each step prints what it does and what the node answered; the demo grows
// with the platform.
#include <cstdio>
#include <string>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "services/members/member_record_csv.h"
#include "tools/demo/operator_steps.h"
#include "tools/gen/member_generator.h"
#include "tools/tppctl/client.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/keys.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::demo {
namespace {

using ctl::ClientOptions;
using ctl::Connect;
using ctl::Describe;
using ctl::NewContext;

void Step(const char* who, const char* what) {
  std::printf("\n[%s] %s\n", who, what);
}

void Answer(const grpc::Status& status, const std::string& ok_text) {
  std::printf("  -> %s\n",
              status.ok() ? ok_text.c_str() : Describe(status).c_str());
}

tpp::v1::Beneficiary BeneficiaryOf(const tpp::v1::MemberRecord& member) {
  tpp::v1::Beneficiary beneficiary;
  beneficiary.set_nir(member.nir());
  beneficiary.set_birth_date(member.birth_date());
  beneficiary.set_birth_rank(member.birth_rank());
  return beneficiary;
}

std::string DayUtc(absl::Time t) {
  return absl::FormatTime("%Y-%m-%d", t, absl::UTCTimeZone());
}

std::string Euros(int64_t cents) {
  return absl::StrFormat("%d.%02d EUR", cents / 100, cents % 100);
}

ClientOptions As(ClientOptions options, const std::string& identity) {
  options.identity = identity;
  return options;
}

// The pharmacy claims the insurer's share of a bill, replays it, cancels
// it; the insurer reads it with its own member number.
int ClaimSteps(const ClientOptions& pharmacy, const ClientOptions& insurer,
               const ClientOptions& base, const tpp::v1::MemberRecord& member) {
  auto stub = tpp::v1::ClaimService::NewStub(Connect(pharmacy, base.target));
  tpp::v1::SubmitClaimRequest request;
  // A new invoice each run: the node keeps the last run's claims.
  request.set_invoice_number(
      absl::StrCat("DEMO-", absl::ToUnixSeconds(absl::Now())));
  *request.mutable_beneficiary() = BeneficiaryOf(member);
  request.set_insurer_id("100000001");
  request.set_care_date(DayUtc(absl::Now()));
  tpp::v1::ClaimLine* line = request.add_lines();
  line->set_act_code("PH7");
  line->set_category(tpp::v1::PHARMACY);
  line->set_quantity(1);
  line->set_fee_cents(5500);
  line->set_base_cents(2300);
  line->set_amo_cents(1610);

  Step("pharmacy 750100001",
       "claims a 55.00 EUR bill (base 23.00, statutory share 16.10)");
  tpp::v1::Claim claim;
  {
    auto ctx = NewContext(pharmacy);
    grpc::Status status = stub->SubmitClaim(ctx.get(), request, &claim);
    Answer(status,
           absl::StrCat(tpp::v1::ClaimStatus_Name(claim.status()),
                        ": insurer pays ", Euros(claim.amc_total_cents()),
                        ", patient pays ", Euros(claim.patient_total_cents()),
                        " (claim ", claim.claim_id(), ")"));
    if (!status.ok()) return 1;
  }
  Step("pharmacy 750100001", "sends the same claim again (a network retry)");
  {
    auto ctx = NewContext(pharmacy);
    tpp::v1::Claim again;
    grpc::Status status = stub->SubmitClaim(ctx.get(), request, &again);
    Answer(status, again.claim_id() == claim.claim_id()
                       ? "the original claim, paid once"
                       : "(unexpected) a second claim");
  }
  Step("insurer 100000001", "reads the claim on its member");
  {
    auto insurer_stub =
        tpp::v1::ClaimService::NewStub(Connect(insurer, base.target));
    auto ctx = NewContext(insurer);
    tpp::v1::GetClaimRequest get;
    get.set_claim_id(claim.claim_id());
    tpp::v1::Claim seen;
    grpc::Status status = insurer_stub->GetClaim(ctx.get(), get, &seen);
    Answer(status, absl::StrCat("adherent ", seen.adherent_number(), ", ",
                                Euros(seen.amc_total_cents()), " from ",
                                "pharmacy ", seen.provider_id()));
  }
  Step("pharmacy 750100001", "cancels the claim: the ceiling is given back");
  {
    auto ctx = NewContext(pharmacy);
    tpp::v1::CancelClaimRequest cancel;
    cancel.set_claim_id(claim.claim_id());
    cancel.set_reason("wrong patient");
    tpp::v1::Claim cancelled;
    grpc::Status status = stub->CancelClaim(ctx.get(), cancel, &cancelled);
    Answer(status, tpp::v1::ClaimStatus_Name(cancelled.status()));
  }
  return 0;
}

int Run(const ClientOptions& base) {
  std::printf("tpp demo against %s (external) and %s (admin)\n",
              base.target.c_str(), base.admin.c_str());

  ClientOptions pharmacy = As(base, "provider/750100001");
  ClientOptions insurer = As(base, "insurer/100000001");
  ClientOptions alice = As(base, "operator/alice");

  Step("pharmacy 750100001", "health check on the external listener (mTLS)");
  {
    auto stub =
        grpc::health::v1::Health::NewStub(Connect(pharmacy, base.target));
    auto ctx = NewContext(pharmacy);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = stub->Check(ctx.get(), {}, &response);
    Answer(status, grpc::health::v1::HealthCheckResponse::ServingStatus_Name(
                       response.status()));
    if (!status.ok()) return 1;
  }

  Step("insurer 100000001", "loads a contract (200 % of the base in pharmacy)");
  {
    auto stub = tpp::v1::MemberService::NewStub(Connect(insurer, base.target));
    auto ctx = NewContext(insurer);
    tpp::v1::Contract contract;
    contract.set_contract_id("GOLD-2026");
    auto* g = contract.add_guarantees();
    g->set_category(tpp::v1::PHARMACY);
    g->set_rate_bp(20000);
    g->set_annual_ceiling_cents(100000);
    tpp::v1::UpsertContractResponse response;
    grpc::Status status = stub->UpsertContract(ctx.get(), contract, &response);
    Answer(status, "contract " + response.contract_id() +
                       (response.created() ? " created" : " replaced"));
  }

  Step("insurer 100000001",
       "imports 1,000 synthetic members over one stream (encrypted per field)");
  tpp::v1::MemberRecord first;
  {
    auto stub = tpp::v1::MemberService::NewStub(Connect(insurer, base.target));
    auto ctx = NewContext(insurer);
    tpp::v1::ImportSummary summary;
    auto writer = stub->ImportMembers(ctx.get(), &summary);
    MemberGeneratorOptions options;
    options.contract_ids = {"GOLD-2026"};
    options.reference_year = 2026;
    MemberGenerator generator(/*seed=*/2026, options);
    for (int i = 0; i < 1000; ++i) {
      absl::StatusOr<tpp::v1::MemberRecord> record =
          MemberRecordFromCsv(generator.Next());
      if (!record.ok()) continue;
      // Covered around today, whatever day the demo runs.
      record->set_coverage_from(DayUtc(absl::Now() - absl::Hours(24 * 365)));
      record->set_coverage_to(DayUtc(absl::Now() + absl::Hours(24 * 365)));
      if (i == 0) first = *record;
      if (!writer->Write(*record)) break;
    }
    writer->WritesDone();
    grpc::Status status = writer->Finish();
    Answer(status, "accepted " + std::to_string(summary.accepted()) +
                       ", rejected " + std::to_string(summary.rejected()));
  }

  Step("insurer 100000001", "reads one of its members back, decrypted");
  {
    auto stub = tpp::v1::MemberService::NewStub(Connect(insurer, base.target));
    auto ctx = NewContext(insurer);
    tpp::v1::GetMemberRequest request;
    *request.mutable_beneficiary() = BeneficiaryOf(first);
    tpp::v1::MemberRecord member;
    grpc::Status status = stub->GetMember(ctx.get(), request, &member);
    Answer(status, "adherent " + member.adherent_number() + ", contract " +
                       member.contract_id() + ", covered to " +
                       member.coverage_to());
  }

  Step("insurer 100000002", "asks for the same member: another insurer's");
  {
    auto stub = tpp::v1::MemberService::NewStub(
        Connect(As(base, "insurer/100000002"), base.target));
    auto ctx = NewContext(insurer);
    tpp::v1::GetMemberRequest request;
    *request.mutable_beneficiary() = BeneficiaryOf(first);
    tpp::v1::MemberRecord member;
    Answer(stub->GetMember(ctx.get(), request, &member), "(unexpected) found");
  }

  Step("pharmacy 750100001",
       "checks a patient's cover at the counter (answer holds no name)");
  {
    auto stub =
        tpp::v1::EligibilityService::NewStub(Connect(pharmacy, base.target));
    auto ctx = NewContext(pharmacy);
    tpp::v1::CheckEligibilityRequest request;
    *request.mutable_beneficiary() = BeneficiaryOf(first);
    request.set_insurer_id("100000001");
    request.set_care_date(DayUtc(absl::Now()));
    request.set_category(tpp::v1::PHARMACY);
    tpp::v1::CheckEligibilityResponse response;
    grpc::Status status = stub->CheckEligibility(ctx.get(), request, &response);
    Answer(
        status,
        response.eligible()
            ? absl::StrCat(
                  "eligible at ", response.rate_bp() / 100, " % of the base, ",
                  Euros(response.ceiling_remaining_cents()), " left this year")
            : "not eligible: " + tpp::v1::RejectReason_Name(response.reason()));
  }
  if (int failed = ClaimSteps(pharmacy, insurer, base, first); failed != 0) {
    return failed;
  }
  if (int failed = KillSwitchSteps(base, first); failed != 0) return failed;
  if (int failed = SettlementSteps(base, first); failed != 0) return failed;

  Step("pharmacy 750100001",
       "tries the operators' admin listener with its own certificate");
  {
    auto stub =
        tpp::v1::IsolationService::NewStub(Connect(pharmacy, base.admin));
    auto ctx = NewContext(pharmacy);
    tpp::v1::IsolationStatus response;
    Answer(stub->GetIsolation(ctx.get(), {}, &response),
           "(unexpected) allowed");
  }

  Step("operator alice", "reads the isolation state on the admin listener");
  {
    auto stub = tpp::v1::IsolationService::NewStub(Connect(alice, base.admin));
    auto ctx = NewContext(alice);
    tpp::v1::IsolationStatus response;
    grpc::Status status = stub->GetIsolation(ctx.get(), {}, &response);
    Answer(status, "generation " + std::to_string(response.generation()) +
                       (response.sealed() ? ", sealed" : ", unsealed"));
  }
  Step("operator alice", "reads the master key versions (admin listener)");
  {
    auto stub = tpp::v1::KeyService::NewStub(Connect(alice, base.admin));
    auto ctx = NewContext(alice);
    tpp::v1::KeyStatus response;
    grpc::Status status = stub->GetKeyStatus(ctx.get(), {}, &response);
    Answer(status, "primary master key v" +
                       std::to_string(response.primary_version()) +
                       ", rotation " + response.rotation_state());
  }
  std::printf("\ndemo done\n");
  return 0;
}

}  // namespace
}  // namespace tpp::demo

int main(int argc, char** argv) {
  CLI::App app{"tpp-demo: a narrated tour of a running tpp node"};
  tpp::ctl::ClientOptions options;
  app.add_option("--target", options.target)->capture_default_str();
  app.add_option("--admin", options.admin)->capture_default_str();
  app.add_option("--tls_dir", options.tls_dir)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  return tpp::demo::Run(options);
}
