#include "services/settlement/settlement_service.h"

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audit/audited.h"
#include "services/claims/claim_proto.h"
#include "services/common/validation.h"
#include "services/members/member_proto.h"
#include "services/server/call_deadline.h"
#include "services/server/reactors.h"
#include "services/settlement/settlement_request.h"

namespace tpp {
namespace {

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", t, absl::UTCTimeZone());
}

// What a statement line tells its insurer: an amount paid for one claim
// (care date and category) of the member with this adherent number.
constexpr uint32_t kStatementCategories =
    kAuditPayment | kAuditClaim | kAuditAdherentNumber;

void SettlementToProto(const Settlement& s, tpp::v1::Settlement* out) {
  out->set_settlement_id(s.settlement_id);
  out->set_insurer_id(s.insurer_id);
  out->set_cutoff_date(s.cutoff_date.ToString());
  out->set_claim_count(s.claim_count);
  out->set_line_count(s.line_count);
  out->set_total_cents(s.total_cents);
  out->set_digest(s.digest);
  out->set_created_at(Rfc3339(s.created_at));
  for (const Acknowledgement& a : s.acknowledgements) {
    tpp::v1::Acknowledgement* ack = out->add_acknowledgements();
    ack->set_result(a.result == AckResult::kMatched ? tpp::v1::MATCHED
                                                    : tpp::v1::DISCREPANCY);
    ack->set_line_count(a.line_count);
    ack->set_total_cents(a.total_cents);
    ack->set_digest(a.digest);
    ack->set_acknowledged_at(Rfc3339(a.at));
    ack->set_acknowledged_by(a.by);
  }
}

void LineToProto(const StatementLine& line, tpp::v1::StatementLine* out) {
  out->set_claim_id(line.claim_id);
  out->set_adherent_number(line.adherent_number);
  out->set_care_date(line.care_date.ToString());
  out->set_category(CategoryToProto(line.category));
  out->set_amc_cents(line.amc_cents);
}

// StreamStatement: chunks of lines read on a worker, written one at a
// time; the last chunk carries the trailer. Each chunk is audited (its
// members, by pseudonymous id and adherent number) before it leaves. One
// operation at a time.
class StatementReactor final
    : public grpc::ServerWriteReactor<tpp::v1::StatementChunk> {
 public:
  StatementReactor(grpc::CallbackServerContext* ctx, const Caller& caller,
                   const SettlementStore* store, Executor* workers,
                   Settlement settlement,
                   StreamRegistry::Registration registration, AuditTrail* trail,
                   AuditEvent event)
      : trail_(trail),
        event_(std::move(event)),
        registration_(std::move(registration)),
        deadline_(ctx, caller.deadline),
        store_(store),
        workers_(workers),
        settlement_(std::move(settlement)) {
    workers_->Run([this] { Fetch(); });
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
    } else if (last_) {
      Finish(grpc::Status::OK);
    } else {
      workers_->Run([this] { Fetch(); });
    }
  }
  void OnDone() override { delete this; }

 private:
  void Fetch() {
    absl::StatusOr<std::vector<StatementLine>> lines = store_->Lines(
        settlement_.settlement_id, after_, kStatementChunkLinesMax, &after_);
    if (!lines.ok()) {
      if (trail_ == nullptr) {
        Finish(ToGrpcStatus(lines.status()));
        return;
      }
      AuditEvent event = event_;
      event.SetOutcome(lines.status());
      trail_->Record(std::move(event),
                     [this, failed = lines.status()](absl::Status) {
                       Finish(ToGrpcStatus(failed));
                     });
      return;
    }
    chunk_.Clear();
    for (const StatementLine& line : *lines) {
      LineToProto(line, chunk_.add_lines());
    }
    if (lines->size() < static_cast<size_t>(kStatementChunkLinesMax)) {
      last_ = true;
      tpp::v1::StatementTrailer* trailer = chunk_.mutable_trailer();
      trailer->set_line_count(settlement_.line_count);
      trailer->set_total_cents(settlement_.total_cents);
      trailer->set_digest(settlement_.digest);
    }
    if (trail_ == nullptr) {
      StartWrite(&chunk_);
      return;
    }
    AuditEvent event = event_;
    event.count = static_cast<int64_t>(lines->size());
    event.members.reserve(lines->size());
    for (const StatementLine& line : *lines) {
      event.members.push_back({line.member_id, line.adherent_number});
    }
    event.SetOutcome(absl::OkStatus());
    trail_->Record(std::move(event), [this](absl::Status written) {
      if (!written.ok()) {
        Finish(ToGrpcStatus(AuditUnavailable(written)));
        return;
      }
      StartWrite(&chunk_);
    });
  }

  AuditTrail* const trail_;
  const AuditEvent event_;  // the call's, for each chunk
  StreamRegistry::Registration registration_;
  CallDeadline deadline_;
  const SettlementStore* const store_;
  Executor* const workers_;
  const Settlement settlement_;
  uint64_t after_ = 0;
  bool last_ = false;
  tpp::v1::StatementChunk chunk_;
};

// ListRemittances: the provider's remittances, read once on a worker,
// audited, then written at most kStatementChunkLinesMax lines per message.
// The record names no member: a remittance line is the provider's own claim
// id, invoice number and amount, nothing about who the patient is.
class RemittanceReactor final
    : public grpc::ServerWriteReactor<tpp::v1::Remittance> {
 public:
  RemittanceReactor(grpc::CallbackServerContext* ctx, const Caller& caller,
                    const CallGuard& guard, const SettlementStore* store,
                    Executor* workers, absl::Time since,
                    StreamRegistry::Registration registration,
                    AuditTrail* trail, AuditEvent event)
      : registration_(std::move(registration)),
        deadline_(ctx, caller.deadline) {
    workers->Run([this, caller, &guard, store, since, trail,
                  event = std::move(event)]() mutable {
      absl::StatusOr<std::vector<Remittance>> all =
          store->Remittances(caller.identity.id, since);
      if (!all.ok()) {
        FinishAfter(trail, std::move(event), all.status());
        return;
      }
      for (const Remittance& r : *all) {
        // Isolated insurers' remittances are left out.
        if (!guard.AdmitInsurer(caller, r.insurer_id).ok()) continue;
        event.count += static_cast<int64_t>(r.lines.size());
        for (size_t i = 0; i < r.lines.size(); i += kStatementChunkLinesMax) {
          tpp::v1::Remittance message;
          message.set_settlement_id(r.settlement_id);
          message.set_insurer_id(r.insurer_id);
          message.set_created_at(Rfc3339(r.created_at));
          int64_t total = 0;
          for (size_t j = i;
               j < r.lines.size() && j < i + kStatementChunkLinesMax; ++j) {
            tpp::v1::RemittanceLine* line = message.add_lines();
            line->set_claim_id(r.lines[j].claim_id);
            line->set_invoice_number(r.lines[j].invoice_number);
            line->set_amc_cents(r.lines[j].amc_cents);
            total += r.lines[j].amc_cents;
          }
          message.set_total_cents(total);
          queue_.push_back(std::move(message));
        }
      }
      FinishAfter(trail, std::move(event), absl::OkStatus());
    });
  }
  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
      return;
    }
    Next();
  }
  void OnDone() override { delete this; }

 private:
  // Records `event` with `status`; then writes the queue (OK) or finishes.
  void FinishAfter(AuditTrail* trail, AuditEvent event, absl::Status status) {
    if (trail == nullptr) {
      if (status.ok()) {
        Next();
      } else {
        Finish(ToGrpcStatus(status));
      }
      return;
    }
    event.SetOutcome(status);
    trail->Record(std::move(event), [this, status](absl::Status written) {
      if (!status.ok()) {
        Finish(ToGrpcStatus(status));
      } else if (!written.ok()) {
        Finish(ToGrpcStatus(AuditUnavailable(written)));
      } else {
        Next();
      }
    });
  }

  void Next() {
    if (queue_.empty()) {
      Finish(grpc::Status::OK);
      return;
    }
    current_ = std::move(queue_.front());
    queue_.pop_front();
    StartWrite(&current_);
  }

  StreamRegistry::Registration registration_;
  CallDeadline deadline_;
  std::deque<tpp::v1::Remittance> queue_;
  tpp::v1::Remittance current_;
};

}  // namespace

grpc::ServerUnaryReactor* SettlementServiceImpl::RunSettlement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::RunSettlementRequest* request,
    tpp::v1::Settlement* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kRunSettlement, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kRunSettlement);
  event.categories = kAuditPlatform;
  absl::StatusOr<Date> cutoff =
      ValidateRunSettlement(*request, UtcDate(clock_->Now()));
  if (!cutoff.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), cutoff.status());
  }
  event.insurer_id = request->insurer_id();
  event.object = SettlementId(request->insurer_id(), *cutoff);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  runs_->Run([this, reactor, response, insurer = request->insurer_id(),
              cutoff = *cutoff, event = std::move(event)]() mutable {
    // Recorded with the write that closes the settlement, if this run
    // closes it; otherwise here.
    InBatchAudit audit{std::move(event)};
    absl::StatusOr<Settlement> settlement =
        core_->Run(insurer, cutoff, trail_ != nullptr ? &audit : nullptr);
    if (settlement.ok()) {
      SettlementToProto(*settlement, response);
      audit.event.count = settlement->claim_count;
    }
    FinishAuditedUnlessRecorded(trail_, reactor, std::move(audit),
                                settlement.status());
  });
  return reactor;
}

grpc::ServerUnaryReactor* SettlementServiceImpl::ListSettlements(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListSettlementsRequest* request,
    tpp::v1::ListSettlementsResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListSettlements, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  // Totals per settlement: no member's data.
  AuditEvent event = AuditEventFor(*caller, method::kListSettlements);
  event.categories = caller->identity.role == Role::kOperator
                         ? kAuditPlatform | kAuditPayment
                         : kAuditPayment;
  // An insurer sees only its own, whatever it asks.
  std::string insurer = caller->identity.role == Role::kInsurer
                            ? caller->identity.id
                            : request->insurer_id();
  if (request->page_size() < 0 || request->page_size() > kSettlementsPageMax) {
    return FinishUnaryAudited(
        trail_, ctx, std::move(event),
        InvalidField("page_size",
                     absl::StrCat("must be in 0..", kSettlementsPageMax)));
  }
  if (IsIdentifier(insurer, kIdentityIdBytesMax)) event.insurer_id = insurer;
  const size_t size = request->page_size() == 0 ? 100 : request->page_size();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  workers_->Run([this, reactor, response, insurer, size,
                 after = request->page_token(),
                 event = std::move(event)]() mutable {
    absl::StatusOr<std::vector<Settlement>> page =
        store_->List(insurer, after, size);
    if (page.ok()) {
      for (const Settlement& s : *page) {
        if (!s.closed) continue;
        SettlementToProto(s, response->add_settlements());
      }
      if (page->size() == size) {
        response->set_next_page_token(page->back().settlement_id);
      }
      event.count = response->settlements_size();
    }
    FinishAudited(trail_, reactor, std::move(event), page.status());
  });
  return reactor;
}

grpc::ServerWriteReactor<tpp::v1::Remittance>*
SettlementServiceImpl::ListRemittances(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListRemittancesRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListRemittances, /*streaming=*/true);
  if (!caller.ok()) {
    return new FinishedWriter<tpp::v1::Remittance>(caller.status());
  }
  AuditEvent event = AuditEventFor(*caller, method::kListRemittances);
  event.categories = kAuditPayment;
  absl::Time since = absl::InfinitePast();
  if (!request->since().empty()) {
    absl::StatusOr<Date> day = Date::Parse(request->since());
    if (!day.ok()) {
      return new AuditedFinishedWriter<tpp::v1::Remittance>(
          trail_, std::move(event),
          InvalidField("since", "must be a real date written YYYY-MM-DD"));
    }
    since = absl::FromUnixSeconds(day->DaysSinceEpoch() * 86400);
  }
  absl::StatusOr<StreamRegistry::Registration> registration =
      streams_->Register(ctx, *caller);
  if (!registration.ok()) {
    return new AuditedFinishedWriter<tpp::v1::Remittance>(
        trail_, std::move(event), registration.status());
  }
  return new RemittanceReactor(ctx, *caller, guard_, store_, workers_, since,
                               *std::move(registration), trail_,
                               std::move(event));
}

grpc::ServerWriteReactor<tpp::v1::StatementChunk>*
SettlementServiceImpl::StreamStatement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::StreamStatementRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kStreamStatement, /*streaming=*/true);
  if (!caller.ok()) {
    return new FinishedWriter<tpp::v1::StatementChunk>(caller.status());
  }
  AuditEvent event = AuditEventFor(*caller, method::kStreamStatement);
  event.insurer_id = caller->identity.id;
  event.categories = kStatementCategories;
  using Refused = AuditedFinishedWriter<tpp::v1::StatementChunk>;
  if (absl::Status valid = ValidateSettlementId(request->settlement_id());
      !valid.ok()) {
    return new Refused(trail_, std::move(event), valid);
  }
  event.object = request->settlement_id();
  // A point read: cheap enough for the gRPC thread.
  absl::StatusOr<Settlement> settlement =
      core_->Get(caller->identity.id, request->settlement_id());
  if (!settlement.ok()) {
    return new Refused(trail_, std::move(event), settlement.status());
  }
  absl::StatusOr<StreamRegistry::Registration> registration =
      streams_->Register(ctx, *caller, caller->identity.id);
  if (!registration.ok()) {
    return new Refused(trail_, std::move(event), registration.status());
  }
  return new StatementReactor(ctx, *caller, store_, workers_,
                              *std::move(settlement), *std::move(registration),
                              trail_, std::move(event));
}

grpc::ServerUnaryReactor* SettlementServiceImpl::AcknowledgeStatement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::AcknowledgeStatementRequest* request,
    tpp::v1::AcknowledgeStatementResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kAcknowledgeStatement, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kAcknowledgeStatement);
  event.insurer_id = caller->identity.id;
  event.categories = kAuditPayment;
  if (absl::Status valid = ValidateAcknowledgement(*request); !valid.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), valid);
  }
  event.object = request->settlement_id();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  runs_->Run([this, reactor, request, response, caller = *caller,
              event = std::move(event)]() mutable {
    // The record's count (the statement's line count) is known once the
    // settlement is read: the core sets it before the write.
    InBatchAudit audit{std::move(event)};
    absl::StatusOr<AckOutcome> outcome = core_->Acknowledge(
        caller.identity.id, caller.identity.spiffe_id, request->settlement_id(),
        request->line_count(), request->total_cents(), request->digest(),
        trail_ != nullptr ? &audit : nullptr);
    if (outcome.ok()) {
      response->set_result(outcome->result == AckResult::kMatched
                               ? tpp::v1::MATCHED
                               : tpp::v1::DISCREPANCY);
      response->set_expected_line_count(outcome->expected.line_count);
      response->set_expected_total_cents(outcome->expected.total_cents);
      response->set_expected_digest(outcome->expected.digest);
    }
    FinishAuditedUnlessRecorded(trail_, reactor, std::move(audit),
                                outcome.status());
  });
  return reactor;
}

grpc::ServerUnaryReactor* SettlementServiceImpl::VerifyLedger(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::VerifyLedgerRequest* request,
    tpp::v1::VerifyLedgerResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kVerifyLedger, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kVerifyLedger);
  event.categories = kAuditPlatform;
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  runs_->Run([this, reactor, response, event = std::move(event)]() mutable {
    absl::Status verdict = store_->VerifyLedger();
    if (absl::IsFailedPrecondition(verdict)) {
      // Answered: the ledger breaks an invariant (named in the answer only).
      response->set_ok(false);
      response->set_violation(std::string(verdict.message()));
      event.object = "violation";
      FinishAudited(trail_, reactor, std::move(event), absl::OkStatus());
      return;
    }
    response->set_ok(verdict.ok());
    if (verdict.ok()) event.object = "ok";
    FinishAudited(trail_, reactor, std::move(event), verdict);
  });
  return reactor;
}

}  // namespace tpp
