#include "tools/demo/operator_steps.h"

#include <cstdio>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "services/settlement/settlement.h"
#include "tpp/v1/audit.grpc.pb.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::demo {
namespace {

using ctl::ClientOptions;
using ctl::Connect;
using ctl::Describe;
using ctl::NewContext;

constexpr char kInsurer[] = "100000001";

void Step(const char* who, const char* what) {
  std::printf("\n[%s] %s\n", who, what);
}
void Answer(const grpc::Status& status, const std::string& ok_text) {
  std::printf("  -> %s\n",
              status.ok() ? ok_text.c_str() : Describe(status).c_str());
}
std::string Today() {
  return absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone());
}
ClientOptions As(ClientOptions options, const std::string& identity) {
  options.identity = identity;
  return options;
}

// The pharmacy's eligibility check of `member`, as one line.
void Check(const ClientOptions& pharmacy, const ClientOptions& base,
           const tpp::v1::MemberRecord& member) {
  auto stub =
      tpp::v1::EligibilityService::NewStub(Connect(pharmacy, base.target));
  tpp::v1::CheckEligibilityRequest request;
  request.mutable_beneficiary()->set_nir(member.nir());
  request.mutable_beneficiary()->set_birth_date(member.birth_date());
  request.mutable_beneficiary()->set_birth_rank(member.birth_rank());
  request.set_insurer_id(kInsurer);
  request.set_care_date(Today());
  request.set_category(tpp::v1::PHARMACY);
  tpp::v1::CheckEligibilityResponse response;
  auto ctx = NewContext(pharmacy);
  // The call first: an argument list has no evaluation order.
  grpc::Status status = stub->CheckEligibility(ctx.get(), request, &response);
  Answer(status, response.eligible()
                     ? "eligible"
                     : "not eligible: " +
                           tpp::v1::RejectReason_Name(response.reason()));
}

tpp::v1::Scope InsurerScope() {
  tpp::v1::Scope scope;
  scope.set_kind(tpp::v1::INSURER);
  scope.set_id(kInsurer);
  return scope;
}

// Alice proposes, bob approves: one reopening step.
bool Reopen(const ClientOptions& alice, const ClientOptions& bob,
            const ClientOptions& base, tpp::v1::IsolationState target,
            const char* reason) {
  auto as_alice =
      tpp::v1::IsolationService::NewStub(Connect(alice, base.admin));
  tpp::v1::ProposeReopenRequest propose;
  *propose.mutable_scope() = InsurerScope();
  propose.set_target_state(target);
  if (target == tpp::v1::REOPENING) propose.add_allowlist("750100001");
  propose.set_reason(reason);
  tpp::v1::ReopenProposal proposal;
  auto ctx = NewContext(alice);
  grpc::Status status = as_alice->ProposeReopen(ctx.get(), propose, &proposal);
  Answer(status, "proposal " + proposal.proposal_id() + " to " +
                     tpp::v1::IsolationState_Name(target));
  if (!status.ok()) return false;
  tpp::v1::ApproveReopenRequest approve;
  approve.set_proposal_id(proposal.proposal_id());
  tpp::v1::ApproveReopenResponse approved;
  if (target == tpp::v1::REOPENING) {
    Step("operator alice", "tries to approve her own proposal");
    auto own = NewContext(alice);
    Answer(as_alice->ApproveReopen(own.get(), approve, &approved),
           "(unexpected) approved");
  }
  Step("operator bob", "approves it: the second person");
  auto as_bob = tpp::v1::IsolationService::NewStub(Connect(bob, base.admin));
  auto ctx2 = NewContext(bob);
  status = as_bob->ApproveReopen(ctx2.get(), approve, &approved);
  Answer(status, approved.applied() ? "applied" : "recorded, not applied");
  return status.ok() && approved.applied();
}

}  // namespace

int KillSwitchSteps(const ClientOptions& base,
                    const tpp::v1::MemberRecord& member) {
  const ClientOptions alice = As(base, "operator/alice");
  const ClientOptions bob = As(base, "operator/bob");
  const ClientOptions pharmacy = As(base, "provider/750100001");
  Step("operator alice",
       "suspects scraping of insurer 100000001: isolates it, one command");
  {
    auto stub = tpp::v1::IsolationService::NewStub(Connect(alice, base.admin));
    tpp::v1::IsolateRequest request;
    *request.mutable_scope() = InsurerScope();
    request.set_reason("demo: suspected scraping");
    tpp::v1::IsolationStatus status_after;
    auto ctx = NewContext(alice);
    grpc::Status status = stub->Isolate(ctx.get(), request, &status_after);
    Answer(status,
           "isolated, generation " + std::to_string(status_after.generation()));
    if (!status.ok()) return 1;
  }
  Step("pharmacy 750100001", "checks a patient of that insurer");
  Check(pharmacy, base, member);
  Step("operator alice",
       "proposes a gradual reopening: only pharmacy 750100001 first");
  if (!Reopen(alice, bob, base, tpp::v1::REOPENING, "demo: allow-listed")) {
    return 1;
  }
  Step("pharmacy 750100001", "allow-listed: checks the patient again");
  Check(pharmacy, base, member);
  Step("operator alice", "proposes to open the insurer to everyone");
  if (!Reopen(alice, bob, base, tpp::v1::OPEN, "demo: all clear")) return 1;
  return 0;
}

int SettlementSteps(const ClientOptions& base,
                    const tpp::v1::MemberRecord& member) {
  const ClientOptions alice = As(base, "operator/alice");
  const ClientOptions insurer = As(base, "insurer/100000001");
  const ClientOptions pharmacy = As(base, "provider/750100001");
  Step("pharmacy 750100001", "claims another bill, to be paid");
  {
    auto stub = tpp::v1::ClaimService::NewStub(Connect(pharmacy, base.target));
    tpp::v1::SubmitClaimRequest request;
    request.set_invoice_number(
        absl::StrCat("DEMO-PAY-", absl::ToUnixSeconds(absl::Now())));
    request.mutable_beneficiary()->set_nir(member.nir());
    request.mutable_beneficiary()->set_birth_date(member.birth_date());
    request.mutable_beneficiary()->set_birth_rank(member.birth_rank());
    request.set_insurer_id(kInsurer);
    request.set_care_date(Today());
    tpp::v1::ClaimLine* line = request.add_lines();
    line->set_act_code(absl::StrCat("PH", absl::ToUnixSeconds(absl::Now())));
    line->set_category(tpp::v1::PHARMACY);
    line->set_fee_cents(1250);
    line->set_base_cents(1000);
    line->set_amo_cents(650);
    tpp::v1::Claim claim;
    auto ctx = NewContext(pharmacy);
    grpc::Status status = stub->SubmitClaim(ctx.get(), request, &claim);
    Answer(status, absl::StrFormat("%s: insurer pays %.2f EUR",
                                   tpp::v1::ClaimStatus_Name(claim.status()),
                                   claim.amc_total_cents() / 100.0));
  }
  Step("operator alice", "settles insurer 100000001 up to today");
  tpp::v1::Settlement settlement;
  {
    auto stub = tpp::v1::SettlementService::NewStub(Connect(alice, base.admin));
    tpp::v1::RunSettlementRequest request;
    request.set_insurer_id(kInsurer);
    request.set_cutoff_date(Today());
    auto ctx = NewContext(alice);
    grpc::Status status = stub->RunSettlement(ctx.get(), request, &settlement);
    Answer(status,
           absl::StrFormat("%s: %d claims, %.2f EUR (a second run today gives "
                           "this same settlement)",
                           settlement.settlement_id(), settlement.claim_count(),
                           settlement.total_cents() / 100.0));
    if (!status.ok()) return 1;
  }
  Step("insurer 100000001",
       "downloads its statement, recomputes the digest, acknowledges");
  {
    auto stub =
        tpp::v1::SettlementService::NewStub(Connect(insurer, base.target));
    tpp::v1::StreamStatementRequest request;
    request.set_settlement_id(settlement.settlement_id());
    auto ctx = NewContext(insurer);
    auto reader = stub->StreamStatement(ctx.get(), request);
    StatementDigest digest;
    int64_t lines = 0, total = 0;
    tpp::v1::StatementChunk chunk;
    while (reader->Read(&chunk)) {
      for (const auto& in : chunk.lines()) {
        StatementLine line;
        line.claim_id = in.claim_id();
        line.adherent_number = in.adherent_number();
        line.care_date = *Date::Parse(in.care_date());
        line.category = static_cast<Category>(in.category());
        line.amc_cents = in.amc_cents();
        digest.Add(line);
        ++lines;
        total += in.amc_cents();
      }
    }
    grpc::Status status = reader->Finish();
    Answer(status, absl::StrFormat("%d lines, %.2f EUR, digest %s", lines,
                                   total / 100.0, digest.Hex().substr(0, 16)));
    if (!status.ok()) return 1;
    tpp::v1::AcknowledgeStatementRequest ack;
    ack.set_settlement_id(settlement.settlement_id());
    ack.set_line_count(lines);
    ack.set_total_cents(total);
    ack.set_digest(digest.Hex());
    tpp::v1::AcknowledgeStatementResponse answer;
    auto ctx2 = NewContext(insurer);
    status = stub->AcknowledgeStatement(ctx2.get(), ack, &answer);
    Answer(status, tpp::v1::AckResult_Name(answer.result()));
  }
  Step("operator alice", "verifies every ledger invariant");
  {
    auto stub = tpp::v1::SettlementService::NewStub(Connect(alice, base.admin));
    tpp::v1::VerifyLedgerResponse verdict;
    auto ctx = NewContext(alice);
    grpc::Status status = stub->VerifyLedger(ctx.get(), {}, &verdict);
    Answer(status, verdict.ok() ? "ledger ok (debits = credits, settlements "
                                  "= lines = remittances)"
                                : "violation: " + verdict.violation());
  }
  Step("operator alice",
       "verifies the audit chain (hashes, signed checkpoints)");
  {
    auto stub = tpp::v1::AuditService::NewStub(Connect(alice, base.admin));
    tpp::v1::VerifyChainResponse verdict;
    auto ctx = NewContext(alice);
    grpc::Status status = stub->VerifyChain(ctx.get(), {}, &verdict);
    Answer(status,
           verdict.ok()
               ? absl::StrCat("audit chain ok: ", verdict.detail())
               : absl::StrCat("broken at ", verdict.first_broken_sequence(),
                              ": ", verdict.detail()));
  }
  Step("operator alice",
       "asks who pharmacy 750100001 saw in the last hour (breach report)");
  {
    auto stub = tpp::v1::AuditService::NewStub(Connect(alice, base.admin));
    tpp::v1::BreachReportRequest request;
    request.set_provider_id("750100001");
    request.set_from(absl::FormatTime(
        absl::RFC3339_full, absl::Now() - absl::Hours(1), absl::UTCTimeZone()));
    tpp::v1::BreachReportResponse report;
    auto ctx = NewContext(alice);
    grpc::Status status = stub->BreachReport(ctx.get(), request, &report);
    std::string per_insurer;
    for (const auto& insurer : report.insurers()) {
      absl::StrAppend(&per_insurer, " insurer ", insurer.insurer_id(), ": ",
                      insurer.member_count(), " member(s), ",
                      insurer.record_count(), " answered call(s);");
    }
    Answer(status,
           absl::StrCat(report.approximate_people(), " member(s) seen in ",
                        report.approximate_records(), " calls;", per_insurer));
  }
  return 0;
}

}  // namespace tpp::demo
