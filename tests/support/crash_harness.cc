#include "tests/support/crash_harness.h"

#include <signal.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "gtest/gtest.h"
#include "tpp/v1/claims.grpc.pb.h"
#include "tpp/v1/eligibility.grpc.pb.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/members.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::testing {
namespace {

std::string ScopeKey(const tpp::v1::Scope& scope) {
  return absl::StrCat(static_cast<int>(scope.kind()), "/", scope.id());
}

void Deadline(grpc::ClientContext* ctx) {
  ctx->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::seconds(60));
}

std::string ReasonOf(const grpc::Status& status) {
  google::rpc::Status details;
  google::rpc::ErrorInfo info;
  if (!details.ParseFromString(status.error_details())) return "";
  for (const auto& any : details.details()) {
    if (any.UnpackTo(&info)) return info.reason();
  }
  return "";
}

}  // namespace

uint64_t CrashSeed() {
  const char* env = std::getenv("TPP_CRASH_SEED");
  uint64_t seed = 0;
  if (env != nullptr && absl::SimpleAtoi(env, &seed)) return seed;
  return (uint64_t{std::random_device()()} << 32) ^ std::random_device()();
}

CrashHarness::CrashHarness(std::vector<std::string> tppd_flags)
    : seed_(CrashSeed()), random_(seed_), server_(std::move(tppd_flags)) {
  std::cout << "crash seed " << seed_ << " (TPP_CRASH_SEED=" << seed_
            << " replays it)" << std::endl;
  ::testing::Test::RecordProperty("crash_seed", std::to_string(seed_));
}

CrashHarness::~CrashHarness() {
  cancel_timer_.Notify();
  if (timer_.joinable()) timer_.join();
}

int64_t CrashHarness::Uniform(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(random_);
}

void CrashHarness::KillNow() {
  const pid_t pid = live_pid_.exchange(-1);
  if (pid <= 0) return;  // never a pid of -1 or 0: that would be a group
  ::kill(pid, SIGKILL);
  killed_.Notify();
}

void CrashHarness::KillAfterAcks(int n) {
  live_pid_ = server_.pid();
  kill_after_acks_ = n;
}

void CrashHarness::KillAfter(absl::Duration delay) {
  live_pid_ = server_.pid();
  if (timer_.joinable()) timer_.join();
  timer_ = std::thread([this, delay] {
    if (!cancel_timer_.WaitForNotificationWithTimeout(delay)) KillNow();
  });
}

absl::Status CrashHarness::RestartAfterKill(
    absl::Duration timeout, const std::function<void()>& while_down) {
  if (!killed_.WaitForNotificationWithTimeout(timeout)) {
    return absl::DeadlineExceededError("the kill never came");
  }
  if (timer_.joinable()) timer_.join();
  server_.Kill();  // reaps it
  if (while_down) while_down();
  absl::Status started = server_.Start();
  if (!started.ok()) return started;
  std::cout << acks() << " writes acknowledged before the kill" << std::endl;
  return absl::OkStatus();
}

void CrashHarness::CountAck() {
  const int n = acks_.fetch_add(1) + 1;
  if (n == kill_after_acks_.load()) KillNow();
}

void CrashHarness::Ack() {
  absl::MutexLock lock(&mu_);
  CountAck();
}

void CrashHarness::AckClaim(const tpp::v1::Claim& claim) {
  absl::MutexLock lock(&mu_);
  claims_[claim.claim_id()] = claim;
  CountAck();
}

void CrashHarness::AckIsolation(const tpp::v1::Scope& scope) {
  absl::MutexLock lock(&mu_);
  isolations_.emplace(ScopeKey(scope), std::make_pair(scope, absl::Now()));
  CountAck();
}

std::map<std::string, tpp::v1::Claim> CrashHarness::acknowledged_claims()
    const {
  absl::MutexLock lock(&mu_);
  return claims_;
}

absl::Time CrashHarness::IsolatedAt(const tpp::v1::Scope& scope) const {
  absl::MutexLock lock(&mu_);
  auto it = isolations_.find(ScopeKey(scope));
  return it == isolations_.end() ? absl::InfiniteFuture() : it->second.second;
}

bool CrashHarness::CheckAcknowledgedClaims() {
  std::map<std::string, std::unique_ptr<tpp::v1::ClaimService::Stub>> readers;
  bool held = true;
  std::map<std::string, std::vector<tpp::v1::Claim>> by_insurer;
  for (const auto& [id, claim] : acknowledged_claims()) {
    auto& reader = readers["provider/" + claim.provider_id()];
    if (reader == nullptr) {
      reader = tpp::v1::ClaimService::NewStub(
          server_.Channel("provider/" + claim.provider_id()));
    }
    tpp::v1::GetClaimRequest request;
    request.set_claim_id(id);
    tpp::v1::Claim got;
    grpc::ClientContext ctx;
    Deadline(&ctx);
    grpc::Status status = reader->GetClaim(&ctx, request, &got);
    const std::string reason = ReasonOf(status);
    if (reason == "PROVIDER_ISOLATED" || reason == "CREDENTIAL_SUSPENDED") {
      // Its provider is isolated now: its insurer's list shows it.
      by_insurer[claim.insurer_id()].push_back(claim);
      continue;
    }
    if (!status.ok()) {
      ADD_FAILURE() << "acknowledged claim " << id
                    << " lost: " << status.error_message();
      held = false;
    } else if (got.SerializeAsString() != claim.SerializeAsString()) {
      ADD_FAILURE() << "acknowledged claim " << id << " changed";
      held = false;
    }
  }
  for (const auto& [insurer, wanted] : by_insurer) {
    auto stub =
        tpp::v1::ClaimService::NewStub(server_.Channel("insurer/" + insurer));
    std::map<std::string, tpp::v1::Claim> listed;  // by id
    grpc::ClientContext ctx;
    Deadline(&ctx);
    auto reader = stub->ListClaims(&ctx, tpp::v1::ListClaimsRequest());
    tpp::v1::Claim claim;
    while (reader->Read(&claim)) {
      listed[claim.claim_id()] = claim;
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) {
      ADD_FAILURE() << "ListClaims: " << status.error_message();
      return false;
    }
    for (const tpp::v1::Claim& c : wanted) {
      auto it = listed.find(c.claim_id());
      if (it == listed.end()) {
        ADD_FAILURE() << "acknowledged claim " << c.claim_id() << " lost";
        held = false;
      } else if (it->second.amc_total_cents() != c.amc_total_cents() ||
                 it->second.status() != c.status()) {
        // The insurer's answer is its own view: amounts and status match.
        ADD_FAILURE() << "acknowledged claim " << c.claim_id() << " changed";
        held = false;
      }
    }
  }
  return held;
}

bool CrashHarness::CheckLedger(bool open_settlement_allowed) {
  auto admin = tpp::v1::SettlementService::NewStub(
      server_.Channel("operator/alice", TppdProcess::Port::kAdmin));
  tpp::v1::VerifyLedgerResponse verdict;
  grpc::ClientContext ctx;
  Deadline(&ctx);
  grpc::Status status = admin->VerifyLedger(&ctx, {}, &verdict);
  if (!status.ok()) {
    ADD_FAILURE() << "VerifyLedger: " << status.error_message();
    return false;
  }
  std::cout << "ledger: " << (verdict.ok() ? "ok" : verdict.violation())
            << std::endl;
  if (verdict.ok()) return true;
  if (open_settlement_allowed &&
      verdict.violation().find("still open") != std::string::npos) {
    return true;
  }
  ADD_FAILURE() << "ledger violation: " << verdict.violation();
  return false;
}

bool CrashHarness::CheckCeilings(
    const std::vector<tpp::v1::MemberRecord>& members, int64_t ceiling_cents,
    const std::string& insurer, const std::string& provider) {
  // The claims on disk (acknowledged or not), by adherent number.
  auto claims = tpp::v1::ClaimService::NewStub(server_.Channel(insurer));
  std::map<std::string, int64_t> consumed;
  {
    grpc::ClientContext ctx;
    Deadline(&ctx);
    auto reader = claims->ListClaims(&ctx, tpp::v1::ListClaimsRequest());
    tpp::v1::Claim claim;
    while (reader->Read(&claim)) {
      if (claim.status() == tpp::v1::CANCELLED) continue;
      consumed[claim.adherent_number()] += claim.amc_total_cents();
    }
    grpc::Status status = reader->Finish();
    if (!status.ok()) {
      ADD_FAILURE() << "ListClaims: " << status.error_message();
      return false;
    }
  }
  // What each family's ceiling says it used: a family shares an adherent
  // number, so the beneficiaries' usage adds up per family.
  auto eligibility =
      tpp::v1::EligibilityService::NewStub(server_.Channel(provider));
  std::map<std::string, int64_t> used;
  for (const tpp::v1::MemberRecord& m : members) {
    tpp::v1::CheckEligibilityRequest request;
    request.mutable_beneficiary()->set_nir(m.nir());
    request.mutable_beneficiary()->set_birth_date(m.birth_date());
    request.mutable_beneficiary()->set_birth_rank(m.birth_rank());
    request.set_insurer_id(insurer.substr(insurer.find('/') + 1));
    request.set_care_date(
        absl::FormatTime("%Y-%m-%d", absl::Now(), absl::UTCTimeZone()));
    request.set_category(tpp::v1::PHARMACY);
    tpp::v1::CheckEligibilityResponse answer;
    grpc::ClientContext ctx;
    Deadline(&ctx);
    grpc::Status status = eligibility->CheckEligibility(&ctx, request, &answer);
    if (!status.ok() || !answer.has_ceiling()) {
      ADD_FAILURE() << "eligibility of a member: " << status.error_message();
      return false;
    }
    used[m.adherent_number()] +=
        ceiling_cents - answer.ceiling_remaining_cents();
  }
  bool held = true;
  for (const auto& [adherent, cents] : used) {
    if (cents != consumed[adherent]) {
      ADD_FAILURE() << "family " << adherent << ": ceiling used " << cents
                    << " cents, claims on disk " << consumed[adherent];
      held = false;
    }
  }
  return held;
}

bool CrashHarness::CheckIsolation() {
  std::map<std::string, std::pair<tpp::v1::Scope, absl::Time>> acked;
  {
    absl::MutexLock lock(&mu_);
    acked = isolations_;
  }
  auto isolation = tpp::v1::IsolationService::NewStub(
      server_.Channel("operator/alice", TppdProcess::Port::kAdmin));
  tpp::v1::IsolationStatus status;
  {
    grpc::ClientContext ctx;
    Deadline(&ctx);
    grpc::Status rpc = isolation->GetIsolation(&ctx, {}, &status);
    if (!rpc.ok()) {
      ADD_FAILURE() << "GetIsolation: " << rpc.error_message();
      return false;
    }
  }
  std::map<std::string, tpp::v1::IsolationState> state;
  for (const auto& scope : status.scopes()) {
    state[ScopeKey(scope.scope())] = scope.state();
  }
  bool held = true;
  for (const auto& [key, entry] : acked) {
    const tpp::v1::Scope& scope = entry.first;
    if (state[key] != tpp::v1::ISOLATED) {
      ADD_FAILURE() << "acknowledged isolation of " << key << " is now "
                    << tpp::v1::IsolationState_Name(state[key]);
      held = false;
    }
    // A call from inside the scope is refused with its reason.
    std::string identity;
    std::string reason;
    switch (scope.kind()) {
      case tpp::v1::PROVIDER:
        identity = "provider/" + scope.id();
        reason = "PROVIDER_ISOLATED";
        break;
      case tpp::v1::CREDENTIAL:
        identity = scope.id().substr(scope.id().find('/', 9) + 1);
        reason = "CREDENTIAL_SUSPENDED";
        break;
      case tpp::v1::PLATFORM:
        identity = "provider/750100001";
        reason = "PLATFORM_ISOLATED";
        break;
      default:
        continue;  // insurer scopes: GetIsolation's answer is the check
    }
    auto stub = tpp::v1::EligibilityService::NewStub(server_.Channel(identity));
    tpp::v1::CheckEligibilityRequest request;
    request.set_insurer_id("100000001");
    tpp::v1::CheckEligibilityResponse ignored;
    grpc::ClientContext ctx;
    Deadline(&ctx);
    grpc::Status call = stub->CheckEligibility(&ctx, request, &ignored);
    if (ReasonOf(call) != reason) {
      ADD_FAILURE() << identity << " got through an acknowledged isolation: "
                    << call.error_code() << " " << ReasonOf(call);
      held = false;
    }
  }
  std::cout << acked.size() << " acknowledged isolations checked" << std::endl;
  return held;
}

}  // namespace tpp::testing
