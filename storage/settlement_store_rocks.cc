#include "storage/settlement_store_rocks.h"

#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "storage/audit_log_rocks.h"
#include "storage/claim_store_rocks.h"
#include "storage/int64_add.h"
#include "storage/ledger_rows.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

constexpr absl::string_view kSep("\0", 1);

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}
absl::string_view ToView(const rocksdb::Slice& s) {
  return absl::string_view(s.data(), s.size());
}

std::string BigEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) out[i] = static_cast<char>(v & 0xff);
  return out;
}
uint64_t FromBigEndian(absl::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<unsigned char>(c);
  return v;
}

std::string SettlementKey(absl::string_view id) {
  return absl::StrCat("S", kSep, id);
}
std::string LinePrefix(absl::string_view id) {
  return absl::StrCat("L", kSep, id, kSep);
}
std::string RemittancePrefix(absl::string_view provider) {
  return absl::StrCat("m", kSep, provider, kSep);
}

absl::Status Damaged() {
  return absl::DataLossError("a stored settlement record is damaged");
}

std::string EncodeSettlement(const Settlement& s) {
  StoredSettlement out;
  out.set_settlement_id(s.settlement_id);
  out.set_insurer_id(s.insurer_id);
  out.set_cutoff_date(s.cutoff_date.ToString());
  out.set_claim_count(s.claim_count);
  out.set_line_count(s.line_count);
  out.set_total_cents(s.total_cents);
  out.set_digest(s.digest);
  out.set_created_at_us(absl::ToUnixMicros(s.created_at));
  out.set_closed(s.closed);
  out.set_boundary_claim_id(s.boundary_claim_id);
  for (const Acknowledgement& a : s.acknowledgements) {
    StoredAcknowledgement* ack = out.add_acknowledgements();
    ack->set_result(static_cast<int>(a.result));
    ack->set_line_count(a.line_count);
    ack->set_total_cents(a.total_cents);
    ack->set_digest(a.digest);
    ack->set_at_us(absl::ToUnixMicros(a.at));
    ack->set_by(a.by);
  }
  return out.SerializeAsString();
}

absl::StatusOr<Settlement> DecodeSettlement(absl::string_view bytes) {
  StoredSettlement in;
  if (!in.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Damaged();
  }
  Settlement s;
  s.settlement_id = in.settlement_id();
  s.insurer_id = in.insurer_id();
  absl::StatusOr<Date> cutoff = Date::Parse(in.cutoff_date());
  if (!cutoff.ok()) return Damaged();
  s.cutoff_date = *cutoff;
  s.claim_count = in.claim_count();
  s.line_count = in.line_count();
  s.total_cents = in.total_cents();
  s.digest = in.digest();
  s.created_at = absl::FromUnixMicros(in.created_at_us());
  s.closed = in.closed();
  s.boundary_claim_id = in.boundary_claim_id();
  for (const StoredAcknowledgement& a : in.acknowledgements()) {
    Acknowledgement ack;
    ack.result = a.result() == static_cast<int>(AckResult::kMatched)
                     ? AckResult::kMatched
                     : AckResult::kDiscrepancy;
    ack.line_count = a.line_count();
    ack.total_cents = a.total_cents();
    ack.digest = a.digest();
    ack.at = absl::FromUnixMicros(a.at_us());
    ack.by = a.by();
    s.acknowledgements.push_back(std::move(ack));
  }
  return s;
}

std::string EncodeLine(const StatementLine& line) {
  StoredStatementLine out;
  out.set_claim_id(line.claim_id);
  out.set_adherent_number(line.adherent_number);
  out.set_care_date(line.care_date.ToString());
  out.set_category(static_cast<int>(line.category));
  out.set_amc_cents(line.amc_cents);
  out.set_provider_id(line.provider_id);
  out.set_invoice_number(line.invoice_number);
  out.set_reversal(line.reversal);
  out.set_member_id(line.member_id);
  return out.SerializeAsString();
}

absl::StatusOr<StatementLine> DecodeLine(absl::string_view bytes) {
  StoredStatementLine in;
  if (!in.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Damaged();
  }
  StatementLine line;
  line.claim_id = in.claim_id();
  line.adherent_number = in.adherent_number();
  line.member_id = in.member_id();
  absl::StatusOr<Date> care = Date::Parse(in.care_date());
  absl::StatusOr<Category> category = CategoryFromNumber(in.category());
  if (!care.ok() || !category.ok()) return Damaged();
  line.care_date = *care;
  line.category = *category;
  line.amc_cents = in.amc_cents();
  line.provider_id = in.provider_id();
  line.invoice_number = in.invoice_number();
  line.reversal = in.reversal();
  return line;
}

constexpr int kChunksInFlight = 2;
constexpr int kStepsBeforeSeek = 8;

// A run's chunk writes queued in the group commit: their count and the
// first failure. Add() never blocks; WaitBelow(n) waits until fewer than n
// are queued. The writes' callbacks run on the committer thread.
class InFlight {
 public:
  ~InFlight() { WaitBelow(1).IgnoreError(); }
  void Add(CommitQueue* commits, rocksdb::WriteBatch batch) {
    {
      absl::MutexLock lock(&mu_);
      ++count_;
    }
    commits->Commit(std::move(batch), [this](absl::Status s) {
      absl::MutexLock lock(&mu_);
      --count_;
      if (!s.ok() && failure_.ok()) failure_ = s;
    });
  }
  absl::Status WaitBelow(int n) {
    absl::MutexLock lock(&mu_);
    limit_ = n;
    mu_.Await(absl::Condition(this, &InFlight::BelowLimit));
    return failure_;
  }

 private:
  bool BelowLimit() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return count_ < limit_;
  }
  absl::Mutex mu_;
  int count_ ABSL_GUARDED_BY(mu_) = 0;
  int limit_ ABSL_GUARDED_BY(mu_) = 1;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

// One chunk of a run: its batch and what it adds to the settlement.
struct Chunk {
  rocksdb::WriteBatch batch;
  int claims = 0;
  uint64_t first_seq = 0;
  absl::flat_hash_map<std::string, int64_t> by_provider;
};

}  // namespace

absl::Status RocksSettlementStore::Put(const Settlement& settlement,
                                       InBatchAudit* audit) {
  rocksdb::WriteBatch batch;
  batch.Put(db_->cf(Cf::kSettlements),
            ToSlice(SettlementKey(settlement.settlement_id)),
            ToSlice(EncodeSettlement(settlement)));
  absl::Status written = commits_->CommitAndWait(
      std::move(batch), audit != nullptr ? AuditPayloadsOf({audit->event})
                                         : std::vector<AuditPayload>());
  if (audit != nullptr) audit->recorded = written.ok();
  return written;
}

absl::StatusOr<Settlement> RocksSettlementStore::Get(
    absl::string_view settlement_id) const {
  absl::StatusOr<std::string> bytes =
      db_->Get(Cf::kSettlements, SettlementKey(settlement_id));
  if (absl::IsNotFound(bytes.status())) {
    return absl::NotFoundError("no such settlement");
  }
  if (!bytes.ok()) return bytes.status();
  return DecodeSettlement(*bytes);
}

absl::StatusOr<std::vector<Settlement>> RocksSettlementStore::List(
    absl::string_view insurer_id, absl::string_view after, size_t max) const {
  std::vector<Settlement> out;
  const std::string prefix = SettlementKey("");
  const std::string start = after.empty() ? "" : SettlementKey(after);
  absl::Status status = db_->Scan(
      Cf::kSettlements, prefix, start,
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (out.size() >= max) return absl::CancelledError();
        if (!after.empty() && key == start) return absl::OkStatus();
        absl::StatusOr<Settlement> s = DecodeSettlement(value);
        if (!s.ok()) return s.status();
        if (insurer_id.empty() || s->insurer_id == insurer_id) {
          out.push_back(*std::move(s));
        }
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return out;
}

absl::StatusOr<Settlement> RocksSettlementStore::Latest(
    absl::string_view insurer_id) const {
  // Ids are "<insurer>-<YYYYMMDD>": the insurer's sort by cutoff.
  const std::string prefix = SettlementKey(absl::StrCat(insurer_id, "-"));
  std::string last;
  absl::Status status = db_->Scan(
      Cf::kSettlements, prefix, "",
      [&](absl::string_view, absl::string_view value) -> absl::Status {
        last = std::string(value);
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (last.empty()) return absl::NotFoundError("no settlement");
  return DecodeSettlement(last);
}

absl::StatusOr<Settlement> RocksSettlementStore::Run(
    const Settlement& opening, const AdherentOf& adherent_of,
    InBatchAudit* audit) {
  Settlement settlement = opening;
  absl::StatusOr<Settlement> stored = Get(opening.settlement_id);
  if (stored.ok()) {
    if (stored->closed) return stored;
    settlement = *std::move(stored);  // left open by a crash: finish it
  } else if (absl::IsNotFound(stored.status())) {
    settlement.closed = false;
    if (absl::Status s = Put(settlement, nullptr); !s.ok()) return s;
  } else {
    return stored.status();
  }
  const std::string& sid = settlement.settlement_id;

  // What earlier chunks wrote.
  StatementDigest digest;
  settlement.claim_count = settlement.line_count = settlement.total_cents = 0;
  uint64_t seq = 0;
  std::string last_claim;
  const std::string line_prefix = LinePrefix(sid);
  absl::Status status = db_->Scan(
      Cf::kSettlements, line_prefix, "",
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        absl::StatusOr<StatementLine> line = DecodeLine(value);
        if (!line.ok()) return line.status();
        digest.Add(*line);
        ++settlement.line_count;
        settlement.total_cents += line->amc_cents;
        if (line->claim_id != last_claim) ++settlement.claim_count;
        last_claim = line->claim_id;
        seq = FromBigEndian(key.substr(line_prefix.size()));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;

  Chunk chunk;
  InFlight writes;
  auto flush = [&]() -> absl::Status {
    if (chunk.claims == 0) return absl::OkStatus();
    for (const auto& [provider, cents] : chunk.by_provider) {
      AddPostings(
          *db_, &chunk.batch,
          absl::StrCat(sid, kSep, BigEndian(chunk.first_seq), kSep, provider),
          "", sid, absl::Now(),
          SettlementPostings(settlement.insurer_id, provider, cents));
    }
    // Written while the next chunk is built: at most kChunksInFlight
    // queued, then wait.
    writes.Add(commits_, std::move(chunk.batch));
    chunk = Chunk();
    return writes.WaitBelow(kChunksInFlight);
  };
  // Claims are read through one iterator in id order, as the window is:
  // consecutive claims are usually the next key, a step instead of a seek.
  // Made at the first read, after the window's iterator: every window entry
  // it shows has its claim (written in the same batch) visible here too;
  // remade once if a claim is still missing.
  std::unique_ptr<rocksdb::Iterator> claims_it;
  auto fresh_claims_it = [&] { claims_it = db_->NewIterator(Cf::kClaims); };
  auto read_claim =
      [&](absl::string_view claim_id) -> absl::StatusOr<absl::string_view> {
    if (claims_it == nullptr) fresh_claims_it();
    for (int step = 0; step < kStepsBeforeSeek && claims_it->Valid() &&
                       ToView(claims_it->key()) < claim_id;
         ++step) {
      claims_it->Next();
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (claims_it->Valid() && ToView(claims_it->key()) == claim_id) break;
      if (attempt == 1) fresh_claims_it();
      claims_it->Seek(ToSlice(claim_id));
    }
    if (!claims_it->Valid() || ToView(claims_it->key()) != claim_id) {
      if (!claims_it->status().ok()) {
        return FromRocks(claims_it->status(), "reading claims");
      }
      return Damaged();  // a window entry without its claim
    }
    return ToView(claims_it->value());
  };
  auto settle = [&](const std::string& window_key, absl::string_view claim_id,
                    bool reversal) -> absl::Status {
    absl::StatusOr<absl::string_view> bytes = read_claim(claim_id);
    if (!bytes.ok()) return bytes.status();
    absl::StatusOr<Claim> claim = RocksClaimStore::Decode(*bytes);
    if (!claim.ok()) return claim.status();
    const bool expected = reversal ? claim->status == ClaimStatus::kCancelled
                                   : (claim->status == ClaimStatus::kApproved ||
                                      claim->status == ClaimStatus::kPartial);
    if (!expected) return Damaged();
    absl::StatusOr<std::string> adherent = adherent_of(*claim);
    if (!adherent.ok()) return adherent.status();
    if (chunk.claims == 0) chunk.first_seq = seq + 1;
    ++chunk.claims;
    ++settlement.claim_count;
    for (const ClaimLine& l : claim->lines) {
      if (l.reject_reason != RejectReason::kNone) continue;
      StatementLine line{claim->claim_id,
                         *adherent,
                         claim->care_date,
                         l.category,
                         reversal ? -l.amc_cents : l.amc_cents,
                         claim->provider_id,
                         claim->invoice_number,
                         reversal,
                         claim->member_id};
      digest.Add(line);
      ++settlement.line_count;
      settlement.total_cents += line.amc_cents;
      chunk.by_provider[claim->provider_id] += line.amc_cents;
      const std::string encoded = EncodeLine(line);
      ++seq;
      chunk.batch.Put(db_->cf(Cf::kSettlements),
                      ToSlice(line_prefix + BigEndian(seq)), encoded);
      chunk.batch.Put(db_->cf(Cf::kSettlements),
                      ToSlice(absl::StrCat(RemittancePrefix(claim->provider_id),
                                           sid, kSep, BigEndian(seq))),
                      encoded);
    }
    chunk.batch.Delete(db_->cf(Cf::kSettlements), ToSlice(window_key));
    if (!reversal) {
      claim->status = ClaimStatus::kSettled;
      claim->settlement_id = sid;
      chunk.batch.Put(db_->cf(Cf::kClaims), ToSlice(claim->claim_id),
                      ToSlice(RocksClaimStore::Encode(*claim)));
    }
    if (chunk.claims >= kSettlementChunkClaims) return flush();
    return absl::OkStatus();
  };

  const std::string cutoff = settlement.cutoff_date.ToString();
  for (bool reversal : {false, true}) {
    const std::string prefix = reversal
                                   ? ReversalPrefix(settlement.insurer_id)
                                   : UnsettledPrefix(settlement.insurer_id);
    // The iterator reads one consistent view: the chunks it writes and
    // claims arriving meanwhile do not move under it.
    status = db_->Scan(Cf::kSettlements, prefix, "",
                       [&](absl::string_view key,
                           absl::string_view care_date) -> absl::Status {
                         const absl::string_view claim_id =
                             key.substr(prefix.size());
                         if (claim_id >= settlement.boundary_claim_id) {
                           return absl::OkStatus();
                         }
                         if (!reversal && care_date > cutoff)
                           return absl::OkStatus();
                         return settle(std::string(key), claim_id, reversal);
                       });
    if (!status.ok()) return status;
  }
  if (absl::Status s = flush(); !s.ok()) return s;
  if (absl::Status s = writes.WaitBelow(1); !s.ok()) return s;
  settlement.digest = digest.Hex();
  settlement.closed = true;
  if (audit != nullptr) audit->event.count = settlement.claim_count;
  if (absl::Status s = Put(settlement, audit); !s.ok()) return s;
  return settlement;
}

absl::StatusOr<std::vector<StatementLine>> RocksSettlementStore::Lines(
    absl::string_view settlement_id, uint64_t after, size_t max,
    uint64_t* last) const {
  std::vector<StatementLine> lines;
  const std::string prefix = LinePrefix(settlement_id);
  *last = after;
  absl::Status status = db_->Scan(
      Cf::kSettlements, prefix, prefix + BigEndian(after + 1),
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (lines.size() >= max) return absl::CancelledError();
        absl::StatusOr<StatementLine> line = DecodeLine(value);
        if (!line.ok()) return line.status();
        lines.push_back(*std::move(line));
        *last = FromBigEndian(key.substr(prefix.size()));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return lines;
}

absl::StatusOr<std::vector<Remittance>> RocksSettlementStore::Remittances(
    absl::string_view provider_id, absl::Time since) const {
  std::vector<Remittance> out;
  const std::string prefix = RemittancePrefix(provider_id);
  bool skipping = false;
  absl::Status status = db_->Scan(
      Cf::kSettlements, prefix, "",
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        absl::string_view rest = key.substr(prefix.size());
        const absl::string_view sid = rest.substr(0, rest.find('\0'));
        if (out.empty() || out.back().settlement_id != sid) {
          absl::StatusOr<Settlement> s = Get(sid);
          if (!s.ok()) return s.status();
          skipping = !s->closed || s->created_at < since;
          if (!out.empty() && out.back().lines.empty()) out.pop_back();
          out.push_back(Remittance{
              s->settlement_id, s->insurer_id, s->created_at, {}, 0});
        }
        if (skipping) return absl::OkStatus();
        absl::StatusOr<StatementLine> line = DecodeLine(value);
        if (!line.ok()) return line.status();
        out.back().total_cents += line->amc_cents;
        out.back().lines.push_back(*std::move(line));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (!out.empty() && out.back().lines.empty()) out.pop_back();
  return out;
}

absl::Status RocksSettlementStore::AddAcknowledgement(
    absl::string_view settlement_id, const Acknowledgement& ack,
    InBatchAudit* audit) {
  absl::MutexLock lock(&ack_mu_);
  absl::StatusOr<Settlement> s = Get(settlement_id);
  if (!s.ok()) return s.status();
  if (s->acknowledgements.size() >= static_cast<size_t>(kAcknowledgementsMax)) {
    return absl::ResourceExhaustedError(
        "too many acknowledgements of this settlement");
  }
  s->acknowledgements.push_back(ack);
  return Put(*s, audit);
}

}  // namespace tpp::storage
