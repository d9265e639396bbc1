#include "services/settlement/settlement_core.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"
#include "services/common/errors.h"
#include "services/common/log.h"

namespace tpp {
namespace {

// Adherent numbers remembered during one run (members with several claims).
constexpr size_t kAdherentCacheMax = 1 << 18;

absl::Status NoSuchSettlement() {
  return WithReason(absl::NotFoundError("no such settlement"),
                    "SETTLEMENT_NOT_FOUND");
}

}  // namespace

absl::StatusOr<Settlement> SettlementCore::Run(const std::string& insurer_id,
                                               Date cutoff,
                                               InBatchAudit* audit) {
  const std::string id = SettlementId(insurer_id, cutoff);
  absl::StatusOr<Settlement> existing = store_->Get(id);
  if (existing.ok() && existing->closed) return existing;
  if (!existing.ok() && !absl::IsNotFound(existing.status())) {
    return existing.status();
  }
  absl::StatusOr<bool> known = members_->KnowsInsurer(insurer_id);
  if (!known.ok()) return known.status();
  if (!*known) {
    return WithReason(absl::NotFoundError("unknown insurer"),
                      "INSURER_UNKNOWN");
  }
  // Cutoffs only move forward: a window once closed up to a date is never
  // reopened before it (reversals go into later settlements).
  absl::StatusOr<Settlement> latest = store_->Latest(insurer_id);
  if (latest.ok() && latest->closed && cutoff < latest->cutoff_date) {
    return WithReason(
        absl::FailedPreconditionError(
            "the insurer was already settled up to a later cutoff"),
        "CUTOFF_BEFORE_LAST_SETTLEMENT");
  }
  if (!latest.ok() && !absl::IsNotFound(latest.status())) {
    return latest.status();
  }
  absl::StatusOr<std::string> boundary = claims_->BeginSettlement(insurer_id);
  if (!boundary.ok()) return boundary.status();
  Settlement opening;
  opening.settlement_id = id;
  opening.insurer_id = insurer_id;
  opening.cutoff_date = cutoff;
  opening.created_at = clock_->Now();
  opening.boundary_claim_id = *boundary;

  absl::flat_hash_map<std::string, std::string> adherents;
  auto adherent_of = [&](const Claim& claim) -> absl::StatusOr<std::string> {
    if (claim.member_id.empty()) return std::string();
    auto it = adherents.find(claim.member_id);
    if (it != adherents.end()) return it->second;
    absl::StatusOr<std::string> adherent =
        members_->AdherentNumberOf(claim.insurer_id, claim.member_id);
    if (absl::IsNotFound(adherent.status())) {
      adherent = std::string();  // an erased member leaves it empty
    }
    if (!adherent.ok()) return adherent.status();
    if (adherents.size() >= kAdherentCacheMax) adherents.clear();
    adherents.emplace(claim.member_id, *adherent);
    return adherent;
  };
  absl::StatusOr<Settlement> settlement =
      store_->Run(opening, adherent_of, audit);
  claims_->EndSettlement(insurer_id);
  if (settlement.ok()) {
    Log(LogLevel::kInfo, "settlement_closed",
        {{"settlement_id", settlement->settlement_id},
         {"claims", settlement->claim_count},
         {"lines", settlement->line_count},
         {"total_cents", settlement->total_cents}});
  }
  return settlement;
}

absl::StatusOr<Settlement> SettlementCore::Get(
    absl::string_view insurer_id, absl::string_view settlement_id) const {
  absl::StatusOr<Settlement> s = store_->Get(settlement_id);
  if (absl::IsNotFound(s.status())) return NoSuchSettlement();
  if (!s.ok()) return s.status();
  if (!s->closed || (!insurer_id.empty() && s->insurer_id != insurer_id)) {
    return NoSuchSettlement();
  }
  return s;
}

absl::StatusOr<AckOutcome> SettlementCore::Acknowledge(
    const std::string& insurer_id, const std::string& by,
    const std::string& settlement_id, int64_t line_count, int64_t total_cents,
    const std::string& digest, InBatchAudit* audit) {
  absl::StatusOr<Settlement> s = Get(insurer_id, settlement_id);
  if (!s.ok()) return s.status();
  Acknowledgement ack;
  ack.line_count = line_count;
  ack.total_cents = total_cents;
  ack.digest = absl::AsciiStrToLower(digest);
  ack.at = clock_->Now();
  ack.by = by;
  if (audit != nullptr) audit->event.count = s->line_count;
  ack.result = line_count == s->line_count && total_cents == s->total_cents &&
                       ack.digest == s->digest
                   ? AckResult::kMatched
                   : AckResult::kDiscrepancy;
  if (absl::Status stored =
          store_->AddAcknowledgement(settlement_id, ack, audit);
      !stored.ok()) {
    return stored;
  }
  if (ack.result == AckResult::kDiscrepancy) {
    Log(LogLevel::kWarning, "statement_discrepancy",
        {{"settlement_id", settlement_id},
         {"expected_lines", s->line_count},
         {"acknowledged_lines", line_count},
         {"expected_total_cents", s->total_cents},
         {"acknowledged_total_cents", total_cents}});
  }
  return AckOutcome{ack.result, *std::move(s)};
}

}  // namespace tpp
