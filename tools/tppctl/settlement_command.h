// `tppctl settle` (operators, admin listener): runs an insurer's settlement
// up to a cutoff date and prints it; running it again prints the same one.
// `tppctl settlements list` (operators on the admin listener, insurers on
// the external one): settlements with their acknowledgements, the insurer's
// figures beside the platform's.
//
// Output of settle, one "key: value" line each: settlement_id, insurer_id,
// cutoff_date, claim_count, total ("12.34 EUR (1234 cents)"), digest,
// created_at.
//
// Exit codes: 0 done; 1 the node refused the call (printed with its gRPC
// code and ErrorInfo reason); 2 a usage error.
#ifndef TPP_TOOLS_TPPCTL_SETTLEMENT_COMMAND_H_
#define TPP_TOOLS_TPPCTL_SETTLEMENT_COMMAND_H_

#include <cstdint>
#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// A settlement run can take long: its deadline is at least this (the node's
// own --unary_deadline_ms may be shorter; the run then goes on in the node,
// and running the command again gives its result).
inline constexpr int64_t kSettleDeadlineMinMs = 10 * 60 * 1000;
// Settlements asked per ListSettlements page.
inline constexpr int kSettlementsPageSize = 100;

int RunSettle(const ClientOptions& options, const std::string& insurer_id,
              const std::string& cutoff_date);

// `insurer_id` empty: every settlement the identity may see.
int RunSettlementsList(const ClientOptions& options,
                       const std::string& insurer_id);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_SETTLEMENT_COMMAND_H_
