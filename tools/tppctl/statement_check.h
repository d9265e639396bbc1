// StatementCheck: what an insurer recomputes from the statement lines it
// received (line count, total, digest) and compares with the trailer the
// node sent, so that a statement is never taken on the node's word alone.
// The digest's canonical encoding lives in one place,
// services/settlement/settlement.h (EncodeStatementLine, StatementDigest);
// this class only feeds it.
//
// Thread-compatible: one thread at a time.
#ifndef TPP_TOOLS_TPPCTL_STATEMENT_CHECK_H_
#define TPP_TOOLS_TPPCTL_STATEMENT_CHECK_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "services/settlement/settlement.h"
#include "tpp/v1/settlement.pb.h"

namespace tpp::ctl {

class StatementCheck {
 public:
  // Adds one received line. INVALID_ARGUMENT when it cannot be encoded
  // canonically (a care date that is not YYYY-MM-DD, an unknown category)
  // or the total would overflow: such a statement cannot be verified.
  absl::Status Add(const tpp::v1::StatementLine& line);

  int64_t line_count() const { return line_count_; }
  int64_t total_cents() const { return total_cents_; }
  // Lowercase hex SHA-256 of the lines added so far.
  std::string digest() const { return digest_.Hex(); }

  // OK when the recomputed figures equal the trailer's; otherwise
  // DATA_LOSS naming each figure that differs, both values side by side.
  absl::Status Verify(const tpp::v1::StatementTrailer& trailer) const;

 private:
  StatementDigest digest_;
  int64_t line_count_ = 0;
  int64_t total_cents_ = 0;
};

// "1234.56", "-0.05": cents as euros, exact (no floating point).
std::string FormatEuros(int64_t cents);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_STATEMENT_CHECK_H_
