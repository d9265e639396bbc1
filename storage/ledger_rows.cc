#include "storage/ledger_rows.h"

#include "absl/strings/str_cat.h"
#include "storage/int64_add.h"
#include "storage/records.pb.h"

namespace tpp::storage {
namespace {

constexpr absl::string_view kSep("\0", 1);

rocksdb::Slice ToSlice(absl::string_view s) {
  return rocksdb::Slice(s.data(), s.size());
}

}  // namespace

std::string BalanceKey(absl::string_view account) {
  return absl::StrCat("b", kSep, account);
}
std::string EntryKey(absl::string_view entry) {
  return absl::StrCat("e", kSep, entry);
}
std::string UnsettledPrefix(absl::string_view insurer_id) {
  return absl::StrCat("u", kSep, insurer_id, kSep);
}
std::string ReversalPrefix(absl::string_view insurer_id) {
  return absl::StrCat("r", kSep, insurer_id, kSep);
}
std::string UnsettledKey(absl::string_view insurer_id,
                         absl::string_view claim_id) {
  return absl::StrCat(UnsettledPrefix(insurer_id), claim_id);
}
std::string ReversalKey(absl::string_view insurer_id,
                        absl::string_view claim_id) {
  return absl::StrCat(ReversalPrefix(insurer_id), claim_id);
}

void AddPostings(const Db& db, rocksdb::WriteBatch* batch,
                 absl::string_view entry, absl::string_view claim_id,
                 absl::string_view settlement_id, absl::Time at,
                 const std::vector<Posting>& postings) {
  if (postings.empty()) return;
  StoredLedgerEntry stored;
  stored.set_claim_id(std::string(claim_id));
  stored.set_settlement_id(std::string(settlement_id));
  stored.set_at_us(absl::ToUnixMicros(at));
  for (const Posting& p : postings) {
    StoredPosting* out = stored.add_postings();
    out->set_debit(p.debit);
    out->set_credit(p.credit);
    out->set_amount_cents(p.amount_cents);
    batch->Merge(db.cf(Cf::kLedger), ToSlice(BalanceKey(p.debit)),
                 ToSlice(EncodeInt64(p.amount_cents)));
    batch->Merge(db.cf(Cf::kLedger), ToSlice(BalanceKey(p.credit)),
                 ToSlice(EncodeInt64(-p.amount_cents)));
  }
  batch->Put(db.cf(Cf::kLedger), ToSlice(EntryKey(entry)),
             ToSlice(stored.SerializeAsString()));
}

}  // namespace tpp::storage
