#include "storage/claim_store_rocks.h"

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "storage/audit_log_rocks.h"
#include "storage/int64_add.h"
#include "storage/ledger_rows.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

constexpr absl::string_view kSep("\0", 1);

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

RocksClaimStore::RocksClaimStore(Db* db, CommitQueue* commits,
                                 std::function<void()> on_data_loss)
    : db_(db), commits_(commits), on_data_loss_(std::move(on_data_loss)) {}

std::string RocksClaimStore::InvoiceKey(absl::string_view provider_id,
                                        absl::string_view invoice_number) {
  return absl::StrCat("i", provider_id, kSep, invoice_number);
}

std::string RocksClaimStore::ServiceRowKey(const ServiceKey& key) {
  return absl::StrCat("s", key.provider_id, kSep, key.member_id, kSep,
                      key.act_code, kSep, key.care_date.ToString());
}

std::string RocksClaimStore::UsageRowKey(const UsageKey& key) {
  return absl::StrCat(key.insurer_id, kSep, key.member_id, kSep,
                      static_cast<int>(key.category), kSep, key.year);
}

std::string RocksClaimStore::OwnerKey(absl::string_view owner_id,
                                      absl::string_view claim_id) {
  return absl::StrCat(owner_id, kSep, claim_id);
}

std::string RocksClaimStore::Encode(const Claim& claim) {
  StoredClaim stored;
  stored.set_claim_id(claim.claim_id);
  stored.set_provider_id(claim.provider_id);
  stored.set_insurer_id(claim.insurer_id);
  stored.set_member_id(claim.member_id);
  stored.set_invoice_number(claim.invoice_number);
  stored.set_care_date(claim.care_date.ToString());
  stored.set_status(static_cast<int>(claim.status));
  for (const ClaimLine& line : claim.lines) {
    StoredClaimLine* out = stored.add_lines();
    out->set_act_code(line.act_code);
    out->set_category(static_cast<int>(line.category));
    out->set_quantity(line.quantity);
    out->set_fee_cents(line.fee_cents);
    out->set_base_cents(line.base_cents);
    out->set_amo_cents(line.amo_cents);
    out->set_amc_cents(line.amc_cents);
    out->set_patient_cents(line.patient_cents);
    out->set_reject_reason(static_cast<int>(line.reject_reason));
  }
  stored.set_amc_total_cents(claim.amc_total_cents);
  stored.set_patient_total_cents(claim.patient_total_cents);
  stored.set_created_at_us(absl::ToUnixMicros(claim.created_at));
  stored.set_cancel_reason(claim.cancel_reason);
  if (claim.cancelled_at != absl::InfinitePast()) {
    stored.set_cancelled_at_us(absl::ToUnixMicros(claim.cancelled_at));
  }
  stored.set_settlement_id(claim.settlement_id);
  stored.set_fingerprint(claim.fingerprint);
  for (const auto& [category, cents] : claim.ceiling_consumed) {
    StoredCeilingUse* use = stored.add_ceiling_consumed();
    use->set_category(static_cast<int>(category));
    use->set_cents(cents);
  }
  return stored.SerializeAsString();
}

absl::StatusOr<Claim> RocksClaimStore::Decode(absl::string_view bytes) {
  auto damaged = [] {
    return absl::DataLossError("a stored claim is damaged");
  };
  StoredClaim stored;
  if (!stored.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return damaged();
  }
  Claim claim;
  claim.claim_id = stored.claim_id();
  claim.provider_id = stored.provider_id();
  claim.insurer_id = stored.insurer_id();
  claim.member_id = stored.member_id();
  claim.invoice_number = stored.invoice_number();
  absl::StatusOr<Date> care_date = Date::Parse(stored.care_date());
  if (!care_date.ok()) return damaged();
  claim.care_date = *care_date;
  if (stored.status() < static_cast<int>(ClaimStatus::kApproved) ||
      stored.status() > static_cast<int>(ClaimStatus::kPaid)) {
    return damaged();
  }
  claim.status = static_cast<ClaimStatus>(stored.status());
  for (const StoredClaimLine& in : stored.lines()) {
    ClaimLine line;
    line.act_code = in.act_code();
    absl::StatusOr<Category> category = CategoryFromNumber(in.category());
    if (!category.ok()) return damaged();
    line.category = *category;
    line.quantity = in.quantity();
    line.fee_cents = in.fee_cents();
    line.base_cents = in.base_cents();
    line.amo_cents = in.amo_cents();
    line.amc_cents = in.amc_cents();
    line.patient_cents = in.patient_cents();
    if (in.reject_reason() < 0 ||
        in.reject_reason() > static_cast<int>(RejectReason::kInsurerUnknown)) {
      return damaged();
    }
    line.reject_reason = static_cast<RejectReason>(in.reject_reason());
    claim.lines.push_back(std::move(line));
  }
  claim.amc_total_cents = stored.amc_total_cents();
  claim.patient_total_cents = stored.patient_total_cents();
  claim.created_at = absl::FromUnixMicros(stored.created_at_us());
  claim.cancel_reason = stored.cancel_reason();
  if (stored.cancelled_at_us() != 0) {
    claim.cancelled_at = absl::FromUnixMicros(stored.cancelled_at_us());
  }
  claim.settlement_id = stored.settlement_id();
  claim.fingerprint = stored.fingerprint();
  for (const StoredCeilingUse& use : stored.ceiling_consumed()) {
    absl::StatusOr<Category> category = CategoryFromNumber(use.category());
    if (!category.ok()) return damaged();
    claim.ceiling_consumed.emplace_back(*category, use.cents());
  }
  if (!CheckClaim(claim).ok()) return damaged();
  return claim;
}

absl::Status RocksClaimStore::DataLoss() const {
  if (on_data_loss_) on_data_loss_();
  return absl::DataLossError("a stored claim is damaged");
}

absl::StatusOr<std::string> RocksClaimStore::FindInvoice(
    absl::string_view provider_id, absl::string_view invoice_number) const {
  return db_->Get(Cf::kClaimIdempotency,
                  InvoiceKey(provider_id, invoice_number));
}

absl::StatusOr<bool> RocksClaimStore::HasService(const ServiceKey& key) const {
  absl::StatusOr<std::string> found =
      db_->Get(Cf::kClaimIdempotency, ServiceRowKey(key));
  if (absl::IsNotFound(found.status())) return false;
  if (!found.ok()) return found.status();
  return true;
}

absl::StatusOr<int64_t> RocksClaimStore::Usage(const UsageKey& key) const {
  absl::StatusOr<std::string> value = db_->Get(Cf::kUsage, UsageRowKey(key));
  if (absl::IsNotFound(value.status())) return 0;
  if (!value.ok()) return value.status();
  std::optional<int64_t> cents = DecodeInt64(*value);
  if (!cents || *cents < 0) return DataLoss();
  return *cents;
}

absl::StatusOr<Claim> RocksClaimStore::Get(absl::string_view claim_id) const {
  if (claim_id.empty() || claim_id.size() > kClaimIdBytesMax) {
    return absl::NotFoundError("no such claim");
  }
  absl::StatusOr<std::string> bytes = db_->Get(Cf::kClaims, claim_id);
  if (absl::IsNotFound(bytes.status())) {
    return absl::NotFoundError("no such claim");
  }
  if (!bytes.ok()) return bytes.status();
  absl::StatusOr<Claim> claim = Decode(*bytes);
  if (!claim.ok() || claim->claim_id != claim_id) return DataLoss();
  return claim;
}

absl::StatusOr<std::vector<Claim>> RocksClaimStore::List(
    ClaimOwner owner, absl::string_view owner_id, absl::string_view cursor,
    size_t max) const {
  const Cf cf = owner == ClaimOwner::kProvider ? Cf::kClaimsByProvider
                                               : Cf::kClaimsByInsurer;
  const std::string prefix = OwnerKey(owner_id, "");
  const std::string start = OwnerKey(owner_id, cursor);
  std::vector<std::string> ids;
  absl::Status scanned =
      db_->Scan(cf, prefix, start,
                [&](absl::string_view key, absl::string_view) -> absl::Status {
                  if (ids.size() >= max) return absl::CancelledError();
                  if (!cursor.empty() && key == start) return absl::OkStatus();
                  ids.emplace_back(key.substr(prefix.size()));
                  return absl::OkStatus();
                });
  if (!scanned.ok()) return scanned;
  std::vector<Claim> claims;
  claims.reserve(ids.size());
  for (const std::string& id : ids) {
    absl::StatusOr<Claim> claim = Get(id);
    // An index entry without its claim is damage, not absence.
    if (absl::IsNotFound(claim.status())) return DataLoss();
    if (!claim.ok()) return claim.status();
    claims.push_back(*std::move(claim));
  }
  return claims;
}

void RocksClaimStore::Write(ClaimWrite write, Done done) {
  if (absl::Status valid = CheckClaim(write.claim); !valid.ok()) {
    Log(LogLevel::kError, "claim_invariant_broken",
        {{"error", std::string(valid.message())}});
    done(valid);
    return;
  }
  const Claim& claim = write.claim;
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kClaims), ToSlice(claim.claim_id),
            ToSlice(Encode(claim)));
  if (write.created) {
    batch.Put(db_->cf(Cf::kClaimIdempotency),
              ToSlice(InvoiceKey(claim.provider_id, claim.invoice_number)),
              ToSlice(claim.claim_id));
    batch.Put(db_->cf(Cf::kClaimsByProvider),
              ToSlice(OwnerKey(claim.provider_id, claim.claim_id)), "");
    batch.Put(db_->cf(Cf::kClaimsByInsurer),
              ToSlice(OwnerKey(claim.insurer_id, claim.claim_id)), "");
  }
  for (const ServiceKey& key : write.services_added) {
    batch.Put(db_->cf(Cf::kClaimIdempotency), ToSlice(ServiceRowKey(key)),
              ToSlice(claim.claim_id));
  }
  for (const ServiceKey& key : write.services_removed) {
    batch.Delete(db_->cf(Cf::kClaimIdempotency), ToSlice(ServiceRowKey(key)));
  }
  for (const auto& [key, delta] : write.usage_deltas) {
    batch.Merge(db_->cf(Cf::kUsage), ToSlice(UsageRowKey(key)),
                ToSlice(EncodeInt64(delta)));
  }
  // The ledger and the settlement window move in the same batch.
  const bool was = write.before.has_value() && Consumes(*write.before);
  const bool is = Consumes(claim.status);
  if (!was && is) {
    batch.Put(db_->cf(Cf::kSettlements),
              ToSlice(UnsettledKey(claim.insurer_id, claim.claim_id)),
              ToSlice(claim.care_date.ToString()));
  } else if (was && !is) {
    if (*write.before == ClaimStatus::kApproved ||
        *write.before == ClaimStatus::kPartial) {
      batch.Delete(db_->cf(Cf::kSettlements),
                   ToSlice(UnsettledKey(claim.insurer_id, claim.claim_id)));
    } else {
      batch.Put(db_->cf(Cf::kSettlements),
                ToSlice(ReversalKey(claim.insurer_id, claim.claim_id)),
                ToSlice(claim.care_date.ToString()));
    }
  }
  AddPostings(*db_, &batch, absl::StrCat(claim.claim_id, kSep, is ? "a" : "c"),
              claim.claim_id, "", absl::Now(),
              ClaimPostings(write.before, claim));
  commits_->Commit(std::move(batch), AuditPayloadsOf(write.audit),
                   std::move(done));
}

}  // namespace tpp::storage
