// `tppctl statement fetch` (insurers, external listener): streams one of the
// insurer's settlement statements to a file or stdout as the chunks arrive
// (statement_format.h), recomputes line count, total and digest from the
// lines received (statement_check.h) and compares them with the trailer.
// With --acknowledge, a verified statement is then acknowledged with the
// recomputed figures.
//
// stdout carries only the statement (when there is no --out); every message
// goes to stderr. With --out, rows go to a temporary file beside FILE (mode
// 0600: adherent numbers and care) that becomes FILE only once verified; an
// existing FILE is refused unless --force.
//
// Exit codes: 0 verified (and MATCHED with --acknowledge); 1 the lines do not
// match the trailer, the stream had no trailer, or the acknowledgement is a
// DISCREPANCY; 2 a usage, file or call error.
#ifndef TPP_TOOLS_TPPCTL_STATEMENT_COMMAND_H_
#define TPP_TOOLS_TPPCTL_STATEMENT_COMMAND_H_

#include <cstdint>
#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// A statement can be long: its stream's deadline is at least this (the
// node's own --stream_deadline_ms may be shorter).
inline constexpr int64_t kStatementDeadlineMinMs = 60 * 60 * 1000;

struct StatementFetch {
  std::string settlement_id;
  std::string format = "csv";  // csv | json
  std::string out;             // empty: stdout
  bool force = false;          // replace an existing --out
  bool acknowledge = false;
};

int RunStatementFetch(const ClientOptions& options,
                      const StatementFetch& fetch);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_STATEMENT_COMMAND_H_
