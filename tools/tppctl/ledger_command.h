// `tppctl ledger verify` (operators, admin listener): asks the node to check
// every ledger invariant (VerifyLedger).
//
// Prints `ledger ok` and exits 0, or `ledger violation: <the first one>` and
// exits 1; a refused call exits 2 (so that 1 always means a violation).
#ifndef TPP_TOOLS_TPPCTL_LEDGER_COMMAND_H_
#define TPP_TOOLS_TPPCTL_LEDGER_COMMAND_H_

#include <cstdint>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// The check reads the whole ledger: its deadline is at least this (the
// node's own --unary_deadline_ms may be shorter).
inline constexpr int64_t kLedgerVerifyDeadlineMinMs = 10 * 60 * 1000;

int RunLedgerVerify(const ClientOptions& options);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_LEDGER_COMMAND_H_
