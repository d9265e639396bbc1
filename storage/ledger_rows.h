// Rows shared by the claim store and the settlement store:
//   ledger       'b' 0 account              -> int64 balance (merged deltas)
//                'e' 0 entry key            -> StoredLedgerEntry
//   settlements  'u' 0 insurer 0 claim_id   -> care date: approved, not yet
//                                              settled (the open window)
//                'r' 0 insurer 0 claim_id   -> care date: cancelled after its
//                                              settlement, reversal pending
// Thread-safety: free functions.
#ifndef TPP_STORAGE_LEDGER_ROWS_H_
#define TPP_STORAGE_LEDGER_ROWS_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "rocksdb/write_batch.h"
#include "services/settlement/ledger.h"
#include "storage/db.h"

namespace tpp::storage {

std::string BalanceKey(absl::string_view account);
std::string EntryKey(absl::string_view entry);
std::string UnsettledKey(absl::string_view insurer_id,
                         absl::string_view claim_id);
std::string ReversalKey(absl::string_view insurer_id,
                        absl::string_view claim_id);
// The prefixes of one insurer's open window and pending reversals.
std::string UnsettledPrefix(absl::string_view insurer_id);
std::string ReversalPrefix(absl::string_view insurer_id);

// Adds the entry `entry` with `postings` and their balance deltas.
void AddPostings(const Db& db, rocksdb::WriteBatch* batch,
                 absl::string_view entry, absl::string_view claim_id,
                 absl::string_view settlement_id, absl::Time at,
                 const std::vector<Posting>& postings);

}  // namespace tpp::storage

#endif  // TPP_STORAGE_LEDGER_ROWS_H_
