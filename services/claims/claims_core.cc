#include "services/claims/claims_core.h"

#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "services/claims/adjudication.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

std::string InvoiceKey(absl::string_view provider_id,
                       absl::string_view invoice_number) {
  return absl::StrCat(provider_id, absl::string_view("\0", 1), invoice_number);
}

absl::Status Busy(absl::string_view what) {
  return WithRetryDelay(WithReason(absl::UnavailableError(what), "CLAIM_BUSY"),
                        absl::Milliseconds(50));
}

}  // namespace

std::string ClaimFingerprint(const ClaimRequest& request,
                             absl::string_view member_id) {
  // Length-prefixed fields: no two requests share an encoding.
  std::string canonical = "tpp.claim.v1";
  auto add = [&canonical](absl::string_view field) {
    absl::StrAppend(&canonical, "|", field.size(), ":", field);
  };
  add(request.invoice_number);
  add(request.insurer_id);
  add(member_id);
  add(request.care_date.ToString());
  for (const ClaimLine& line : request.lines) {
    add(line.act_code);
    add(absl::StrCat(static_cast<int>(line.category), ",", line.quantity, ",",
                     line.fee_cents, ",", line.base_cents, ",",
                     line.amo_cents));
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(canonical.data()),
         canonical.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof(digest));
}

ClaimsCore::ClaimsCore(const MemberStore* members, ClaimStore* store,
                       const Clock* clock, const Options& options,
                       AuditTrail* trail)
    : members_(members),
      store_(store),
      clock_(clock),
      options_(options),
      trail_(trail) {}

ClaimsCore::ClaimDone ClaimsCore::Audited(AuditEvent event,
                                          ClaimDone done) const {
  if (trail_ == nullptr) return done;
  return [trail = trail_, event = std::move(event),
          done = std::move(done)](absl::StatusOr<Claim> result) mutable {
    event.SetOutcome(result.status());
    if (result.ok()) event.object = result->claim_id;
    trail->Record(std::move(event),
                  [result = std::move(result),
                   done = std::move(done)](absl::Status written) mutable {
                    if (!written.ok() && result.ok()) {
                      done(AuditUnavailable(written));
                      return;
                    }
                    done(std::move(result));
                  });
  };
}

void ClaimsCore::Submit(const std::string& provider_id, ClaimRequest request,
                        ClaimDone done) {
  Submit(provider_id, std::move(request), AuditEvent(), std::move(done));
}

void ClaimsCore::Submit(const std::string& provider_id, ClaimRequest request,
                        AuditEvent event, ClaimDone done) {
  event.insurer_id = request.insurer_id;
  event.categories |= kAuditCoverage | kAuditClaim;
  // Decrypting the member is the expensive part: outside the mutex.
  absl::StatusOr<Coverage> coverage = ResolveCoverage(
      *members_, request.insurer_id, request.beneficiary, request.care_date);
  if (!coverage.ok()) {
    Audited(std::move(event), std::move(done))(coverage.status());
    return;
  }
  if (!coverage->member_id.empty()) {
    event.members.push_back({coverage->member_id, coverage->adherent_number});
  }
  if (trail_ != nullptr) {
    if (absl::Status touched = trail_->Touch(event); !touched.ok()) {
      event.members.clear();  // nothing is decided nor answered about them
      Audited(std::move(event), std::move(done))(touched);
      return;
    }
  }
  // A replay, or an identical submission in flight, is answered without a
  // write of its own: it is audited on its own.
  ClaimDone audited = Audited(event, done);
  absl::StatusOr<std::optional<ClaimWrite>> write;
  std::optional<Claim> replay;
  {
    absl::MutexLock lock(&mu_);
    write = ReserveLocked(provider_id, request, *coverage, &audited, &replay);
  }
  if (!write.ok()) {
    audited(write.status());
  } else if (replay.has_value()) {
    audited(*std::move(replay));
  } else if (write->has_value()) {
    ClaimWrite claim_write = **std::move(write);
    if (trail_ != nullptr) {
      event.object = claim_write.claim.claim_id;
      claim_write.audit.push_back(std::move(event));
    }
    WriteAndFinish(std::move(claim_write), std::move(done));
  }
}

void ClaimsCore::WriteAndFinish(ClaimWrite write, ClaimDone done) {
  // The write owns its copy; the answer is kept for after it.
  auto shared = std::make_shared<ClaimWrite>(write);
  store_->Write(std::move(write),
                [this, shared, done = std::move(done)](absl::Status status) {
                  const Claim& claim = shared->claim;
                  std::vector<ClaimDone> waiters;
                  {
                    absl::MutexLock lock(&mu_);
                    if (shared->created) {
                      auto pending = pending_invoices_.find(
                          InvoiceKey(claim.provider_id, claim.invoice_number));
                      if (pending != pending_invoices_.end()) {
                        waiters = std::move(pending->second.waiters);
                        pending_invoices_.erase(pending);
                      }
                    }
                    ReleaseLocked(*shared, status.ok());
                  }
                  absl::StatusOr<Claim> result =
                      status.ok() ? absl::StatusOr<Claim>(claim) : status;
                  done(result);
                  for (const ClaimDone& waiter : waiters) waiter(result);
                });
}

absl::StatusOr<std::optional<ClaimWrite>> ClaimsCore::ReserveLocked(
    const std::string& provider_id, const ClaimRequest& request,
    const Coverage& coverage, ClaimDone* done, std::optional<Claim>* replay) {
  const std::string fingerprint = ClaimFingerprint(request, coverage.member_id);
  const std::string invoice_key =
      InvoiceKey(provider_id, request.invoice_number);
  auto reused = [] {
    return WithReason(
        absl::AlreadyExistsError("this invoice number was already claimed "
                                 "with different content"),
        "IDEMPOTENCY_KEY_REUSED");
  };

  // Idempotency: in flight, then durable.
  if (auto pending = pending_invoices_.find(invoice_key);
      pending != pending_invoices_.end()) {
    if (pending->second.fingerprint != fingerprint) return reused();
    pending->second.waiters.push_back(std::move(*done));
    return std::nullopt;
  }
  absl::StatusOr<std::string> known =
      store_->FindInvoice(provider_id, request.invoice_number);
  if (known.ok()) {
    absl::StatusOr<Claim> original = store_->Get(*known);
    if (!original.ok()) return original.status();
    if (original->fingerprint != fingerprint) return reused();
    *replay = *std::move(original);
    return std::nullopt;
  }
  if (!absl::IsNotFound(known.status())) return known.status();
  if (pending_invoices_.size() >= options_.pending_claims_max) {
    return WithRetryDelay(
        WithReason(absl::ResourceExhaustedError("too many claims in flight"),
                   "OVERLOADED"),
        absl::Milliseconds(100));
  }

  // Duplicate services, and what is used of each ceiling.
  std::vector<bool> duplicate(request.lines.size(), false);
  std::array<int64_t, kCategoryCount + 1> used{};
  std::vector<ServiceKey> services(request.lines.size());
  if (coverage.reason == RejectReason::kNone) {
    for (size_t i = 0; i < request.lines.size(); ++i) {
      services[i] = ServiceKey{provider_id, coverage.member_id,
                               request.lines[i].act_code, request.care_date};
      if (pending_services_.contains(services[i])) {
        duplicate[i] = true;
        continue;
      }
      absl::StatusOr<bool> claimed = store_->HasService(services[i]);
      if (!claimed.ok()) return claimed.status();
      duplicate[i] = *claimed;
    }
    for (const Guarantee& g : coverage.contract.guarantees) {
      if (g.annual_ceiling_cents <= 0) continue;
      absl::StatusOr<UsageEntry*> entry =
          UsageLocked(UsageKey{request.insurer_id, coverage.member_id,
                               g.category, request.care_date.Year()});
      if (!entry.ok()) return entry.status();
      used[static_cast<int>(g.category)] = (*entry)->cents;
    }
  }
  absl::StatusOr<Adjudication> adjudication =
      Adjudicate(request, coverage, duplicate, used);
  if (!adjudication.ok()) return adjudication.status();

  const absl::Time now = clock_->Now();
  ClaimWrite write;
  write.created = true;
  Claim& claim = write.claim;
  claim.claim_id = NewClaimIdLocked(now);
  claim.provider_id = provider_id;
  claim.insurer_id = request.insurer_id;
  claim.member_id = coverage.member_id;
  claim.invoice_number = request.invoice_number;
  claim.care_date = request.care_date;
  claim.status = adjudication->status;
  claim.lines = std::move(adjudication->lines);
  claim.amc_total_cents = adjudication->amc_total_cents;
  claim.patient_total_cents = adjudication->patient_total_cents;
  claim.created_at = now;
  claim.fingerprint = fingerprint;
  for (size_t i = 0; i < claim.lines.size(); ++i) {
    if (claim.lines[i].reject_reason != RejectReason::kNone) continue;
    // Two lines of one act in one claim are one service.
    if (pending_services_.insert(services[i]).second) {
      write.services_added.push_back(services[i]);
    }
  }
  for (Category category : kAllCategories) {
    const int64_t consumed =
        adjudication->ceiling_consumed_cents[static_cast<int>(category)];
    if (consumed == 0) continue;
    claim.ceiling_consumed.emplace_back(category, consumed);
    UsageKey key{request.insurer_id, coverage.member_id, category,
                 request.care_date.Year()};
    // Read above under this lock; a later read may have trimmed it from the
    // cache, so it is put back with the value the adjudication used.
    UsageEntry& entry =
        usage_.try_emplace(key, UsageEntry{used[static_cast<int>(category)], 0})
            .first->second;
    entry.cents += consumed;
    ++entry.pending;
    write.usage_deltas.emplace_back(std::move(key), consumed);
  }
  pending_invoices_[invoice_key].fingerprint = fingerprint;
  return write;
}

void ClaimsCore::ReleaseLocked(const ClaimWrite& write, bool ok) {
  for (const ServiceKey& key : write.services_added) {
    pending_services_.erase(key);
  }
  for (const auto& [key, delta] : write.usage_deltas) {
    auto it = usage_.find(key);
    if (it == usage_.end()) continue;  // cannot happen: pending keeps it
    --it->second.pending;
    if (!ok) it->second.cents -= delta;
  }
  if (!write.created) {
    busy_claims_.erase(write.claim.claim_id);
    if (--busy_by_insurer_[write.claim.insurer_id] == 0) {
      busy_by_insurer_.erase(write.claim.insurer_id);
    }
  }
  TrimUsageLocked();
}

absl::StatusOr<ClaimsCore::UsageEntry*> ClaimsCore::UsageLocked(
    const UsageKey& key) const {
  auto it = usage_.find(key);
  if (it != usage_.end()) return &it->second;
  // Not in memory: nothing in flight changes it, the store is exact.
  absl::StatusOr<int64_t> stored = store_->Usage(key);
  if (!stored.ok()) return stored.status();
  TrimUsageLocked();
  return &usage_.emplace(key, UsageEntry{*stored, 0}).first->second;
}

void ClaimsCore::TrimUsageLocked() const {
  if (usage_.size() < options_.usage_cache_entries_max) return;
  // Idle entries are exact copies of the store: dropping them loses nothing.
  absl::erase_if(usage_,
                 [](const auto& entry) { return entry.second.pending == 0; });
}

absl::StatusOr<int64_t> ClaimsCore::UsedCents(const UsageKey& key) const {
  {
    absl::MutexLock lock(&mu_);
    auto it = usage_.find(key);
    if (it != usage_.end()) return it->second.cents;
  }
  // Not cached: the store's value, read without holding up submissions. A
  // submission racing with this read makes it one moment older, as any
  // answer about a ceiling is by the time it arrives; submissions check
  // the ceiling again under the lock.
  return store_->Usage(key);
}

std::string ClaimsCore::NewClaimIdLocked(absl::Time now) {
  // Milliseconds first, so that ids sort by creation (ListClaims' order),
  // then 64 random bits: unique without a stored counter, and not
  // guessable from another provider's.
  // Never backwards, even if the wall clock is: a settlement's boundary
  // (BeginSettlement) must stay below every later claim.
  id_ms_ = std::max(id_ms_, absl::ToUnixMillis(now));
  return absl::StrFormat("%012x%016x", id_ms_,
                         absl::Uniform<uint64_t>(random_));
}

void ClaimsCore::Cancel(const std::string& provider_id,
                        const std::string& claim_id, std::string reason,
                        ClaimDone done) {
  Cancel(provider_id, claim_id, std::move(reason), AuditEvent(),
         std::move(done));
}

void ClaimsCore::Cancel(const std::string& provider_id,
                        const std::string& claim_id, std::string reason,
                        AuditEvent event, ClaimDone done) {
  event.categories |= kAuditClaim;
  event.object = claim_id;
  absl::StatusOr<std::optional<ClaimWrite>> write;
  std::optional<Claim> unchanged;
  {
    absl::MutexLock lock(&mu_);
    write = CancelLocked(provider_id, claim_id, std::move(reason), &unchanged);
  }
  if (!write.ok()) {
    Audited(std::move(event), std::move(done))(write.status());
  } else if (unchanged.has_value()) {
    event.insurer_id = unchanged->insurer_id;
    event.members.push_back({unchanged->member_id, ""});
    Audited(std::move(event), std::move(done))(*std::move(unchanged));
  } else {
    ClaimWrite claim_write = **std::move(write);
    if (trail_ != nullptr) {
      event.insurer_id = claim_write.claim.insurer_id;
      event.members.push_back({claim_write.claim.member_id, ""});
      claim_write.audit.push_back(std::move(event));
    }
    WriteAndFinish(std::move(claim_write), std::move(done));
  }
}

absl::StatusOr<std::optional<ClaimWrite>> ClaimsCore::CancelLocked(
    const std::string& provider_id, const std::string& claim_id,
    std::string reason, std::optional<Claim>* unchanged) {
  if (busy_claims_.contains(claim_id)) {
    return Busy("the claim is being changed; retry");
  }
  absl::StatusOr<Claim> claim = store_->Get(claim_id);
  if (absl::IsNotFound(claim.status()) ||
      (claim.ok() && claim->provider_id != provider_id)) {
    return WithReason(absl::NotFoundError("no such claim"), "CLAIM_NOT_FOUND");
  }
  if (!claim.ok()) return claim.status();
  if (claim->status == ClaimStatus::kCancelled) {
    *unchanged = *std::move(claim);
    return std::nullopt;
  }
  if (claim->status == ClaimStatus::kRejected) {
    return WithReason(
        absl::FailedPreconditionError("a rejected claim has nothing to cancel"),
        "CLAIM_REJECTED");
  }
  if (claim->status == ClaimStatus::kPaid) {
    return WithReason(
        absl::FailedPreconditionError("a paid claim cannot be cancelled"),
        "CLAIM_PAID");
  }
  // A settled claim is cancelled by a reversal that the insurer's next
  // settlement carries; while a settlement of its insurer runs, wait.
  if (settling_.contains(claim->insurer_id)) {
    return WithRetryDelay(
        WithReason(absl::UnavailableError(
                       "the insurer's settlement is running; retry"),
                   "SETTLEMENT_RUNNING"),
        absl::Seconds(1));
  }
  ClaimWrite cancel;
  cancel.created = false;
  cancel.before = claim->status;
  for (const ClaimLine& line : claim->lines) {
    if (line.reject_reason != RejectReason::kNone) continue;
    cancel.services_removed.push_back(ServiceKey{
        provider_id, claim->member_id, line.act_code, claim->care_date});
  }
  // Exactly what the claim took from each ceiling goes back.
  for (const auto& [category, cents] : claim->ceiling_consumed) {
    UsageKey key{claim->insurer_id, claim->member_id, category,
                 claim->care_date.Year()};
    absl::StatusOr<UsageEntry*> entry = UsageLocked(key);
    if (!entry.ok()) return entry.status();
    (*entry)->cents -= cents;
    ++(*entry)->pending;
    cancel.usage_deltas.emplace_back(std::move(key), -cents);
  }
  claim->status = ClaimStatus::kCancelled;
  claim->cancel_reason = std::move(reason);
  claim->cancelled_at = clock_->Now();
  cancel.claim = *std::move(claim);
  busy_claims_.insert(claim_id);
  ++busy_by_insurer_[cancel.claim.insurer_id];
  return cancel;
}

bool ClaimsCore::Visible(const ClaimViewer& viewer, const Claim& claim) const {
  return viewer.kind == ClaimOwner::kProvider ? claim.provider_id == viewer.id
                                              : claim.insurer_id == viewer.id;
}

absl::Status ClaimsCore::AddAdherentNumber(Claim* claim) const {
  if (claim->member_id.empty()) return absl::OkStatus();
  absl::StatusOr<Member> member =
      members_->FindById(claim->insurer_id, claim->member_id);
  if (member.ok()) {
    claim->adherent_number = member->adherent_number;
    return absl::OkStatus();
  }
  // An erased member leaves it empty.
  return absl::IsNotFound(member.status()) ? absl::OkStatus() : member.status();
}

absl::StatusOr<Claim> ClaimsCore::Get(const ClaimViewer& viewer,
                                      absl::string_view claim_id) const {
  absl::StatusOr<Claim> claim = store_->Get(claim_id);
  if (absl::IsNotFound(claim.status()) ||
      (claim.ok() && !Visible(viewer, *claim))) {
    return WithReason(absl::NotFoundError("no such claim"), "CLAIM_NOT_FOUND");
  }
  if (!claim.ok()) return claim.status();
  if (viewer.kind == ClaimOwner::kInsurer) {
    if (absl::Status s = AddAdherentNumber(&*claim); !s.ok()) return s;
  }
  return claim;
}

absl::StatusOr<ClaimPage> ClaimsCore::List(const ClaimViewer& viewer,
                                           const ClaimFilter& filter,
                                           absl::string_view cursor,
                                           size_t max) const {
  ClaimPage page;
  page.next_cursor = std::string(cursor);
  absl::StatusOr<std::vector<Claim>> scanned =
      store_->List(viewer.kind, viewer.id, cursor, options_.list_scan_max);
  if (!scanned.ok()) return scanned.status();
  page.end = scanned->size() < options_.list_scan_max;
  for (Claim& claim : *scanned) {
    if (page.claims.size() >= max) {
      page.end = false;
      break;
    }
    page.next_cursor = claim.claim_id;
    if (filter.status && claim.status != *filter.status) continue;
    if (filter.care_date_from && claim.care_date < *filter.care_date_from) {
      continue;
    }
    if (filter.care_date_to && claim.care_date > *filter.care_date_to) {
      continue;
    }
    if (viewer.kind == ClaimOwner::kInsurer) {
      if (absl::Status s = AddAdherentNumber(&claim); !s.ok()) return s;
    }
    page.claims.push_back(std::move(claim));
  }
  return page;
}

absl::StatusOr<std::string> ClaimsCore::BeginSettlement(
    const std::string& insurer_id) {
  absl::MutexLock lock(&mu_);
  if (settling_.contains(insurer_id)) {
    return WithReason(absl::AbortedError("a settlement of this insurer runs"),
                      "SETTLEMENT_RUNNING");
  }
  if (busy_by_insurer_.contains(insurer_id)) {
    return WithRetryDelay(
        WithReason(absl::UnavailableError(
                       "claims of this insurer are being cancelled; retry"),
                   "CLAIM_BUSY"),
        absl::Milliseconds(100));
  }
  settling_.insert(insurer_id);
  // Every claim reserved from now on gets a larger id.
  id_ms_ = std::max(id_ms_, absl::ToUnixMillis(clock_->Now())) + 1;
  return absl::StrFormat("%012x%016x", id_ms_, 0);
}

void ClaimsCore::EndSettlement(const std::string& insurer_id) {
  absl::MutexLock lock(&mu_);
  settling_.erase(insurer_id);
}

}  // namespace tpp
