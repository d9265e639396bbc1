// The double-entry ledger's rules: which postings each change of a claim
// and each settlement makes (DOMAIN.md, "Settlement and reconciliation").
// Balances are debit-positive: balance = debits - credits, so the sum of
// every account's balance is zero at every instant.
//
// Accounts:
//   insurer/<id>/receivable   the insurer owes it for approved claims not
//                             yet settled
//   insurer/<id>/invoiced     settled: on a statement, to be collected
//   provider/<id>/payable     owed to the provider for approved claims not
//                             yet settled (credit balance)
//   provider/<id>/remitted    settled: on a remittance, to be paid
//
//   approve a claim (AMC a)   Dr insurer receivable  Cr provider payable   a
//   cancel it (before or      Dr provider payable    Cr insurer receivable a
//     after its settlement)
//   settle a line (AMC a,     Dr insurer invoiced    Cr insurer receivable a
//     negative for a          Dr provider payable    Cr provider remitted  a
//     reversal)
//
// Thread-safety: pure functions.
#ifndef TPP_SERVICES_SETTLEMENT_LEDGER_H_
#define TPP_SERVICES_SETTLEMENT_LEDGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/claims/claim.h"

namespace tpp {

struct Posting {
  std::string debit;   // account
  std::string credit;  // account
  int64_t amount_cents = 0;
};

std::string InsurerReceivable(absl::string_view insurer_id);
std::string InsurerInvoiced(absl::string_view insurer_id);
std::string ProviderPayable(absl::string_view provider_id);
std::string ProviderRemitted(absl::string_view provider_id);

// What a claim's change from `before` (nullopt: a new claim) to `after`
// posts: an approval when it starts consuming, a cancellation when it stops.
std::vector<Posting> ClaimPostings(std::optional<ClaimStatus> before,
                                   const Claim& after);

// What settling `amount_cents` of `provider_id`'s claims on `insurer_id`
// posts (negative amounts for reversals).
std::vector<Posting> SettlementPostings(absl::string_view insurer_id,
                                        absl::string_view provider_id,
                                        int64_t amount_cents);

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_LEDGER_H_
