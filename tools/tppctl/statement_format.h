// How `tppctl statement fetch` writes a statement, one line at a time as
// the chunks arrive (nothing is held back, whatever the statement's size):
//
//  - csv: RFC 4180. The header
//      claim_id,adherent_number,care_date,category,amc_cents
//    then one row per statement line; category is the tpp.v1 enum name
//    (PHARMACY...), amc_cents a signed integer (negative for a reversal).
//    Nothing else, so that any CSV reader takes the file as it is; the
//    trailer and the verification go to stderr (statement_command.h).
//  - json: JSON Lines. One object per statement line,
//      {"claim_id":"...","adherent_number":"...","care_date":"YYYY-MM-DD",
//       "category":"PHARMACY","amc_cents":-1234}
//    then one object for the trailer,
//      {"trailer":{"line_count":N,"total_cents":N,"digest":"<hex>"}}
//    Amounts are JSON numbers (exact up to 2^53 cents).
//
// Thread-compatible: one thread at a time.
#ifndef TPP_TOOLS_TPPCTL_STATEMENT_FORMAT_H_
#define TPP_TOOLS_TPPCTL_STATEMENT_FORMAT_H_

#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tpp/v1/settlement.pb.h"

namespace tpp::ctl {

class StatementWriter {
 public:
  virtual ~StatementWriter() = default;
  // Before the first line.
  virtual void Begin() = 0;
  virtual void Line(const tpp::v1::StatementLine& line) = 0;
  // After the last line.
  virtual void Trailer(const tpp::v1::StatementTrailer& trailer) = 0;
};

// "csv" or "json"; INVALID_ARGUMENT otherwise. REQUIRES: `out` outlives
// the writer. Write errors are left in `out` (see ferror).
absl::StatusOr<std::unique_ptr<StatementWriter>> NewStatementWriter(
    absl::string_view format, std::FILE* out);

// `text` as one CSV field: quoted (quotes doubled) only when it must be.
std::string CsvField(absl::string_view text);
// `text` as a JSON string, quotes included.
std::string JsonString(absl::string_view text);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_STATEMENT_FORMAT_H_
