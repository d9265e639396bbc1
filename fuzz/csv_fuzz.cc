// The insurer's member import CSV parser (services/members/member_csv.h)
// and its mapping to tpp.v1.MemberRecord, on arbitrary bytes. The first
// byte sets the chunk size the input is fed in (and whether the canonical
// header is put before it, to reach the records sooner). Properties:
// - fed in chunks or whole, the parser returns the same rows and errors;
// - every call ends (no more results than bytes) and every error is
//   INVALID_ARGUMENT;
// - a row, formatted back (FormatMemberCsvRow), parses to the same row;
// - MemberRecordFromCsv copies the row's fields as they are.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "services/members/member_csv.h"
#include "services/members/member_record_csv.h"

namespace {

struct Result {
  bool is_row = false;
  tpp::MemberCsvRow row;
  std::string error;
  int64_t line = 0;
  bool operator==(const Result& o) const {
    return is_row == o.is_row && row == o.row && error == o.error &&
           line == o.line;
  }
};

// Reads every available result; false once the input is exhausted.
bool Drain(tpp::MemberCsvParser* parser, size_t budget,
           std::vector<Result>* out) {
  for (size_t i = 0; i <= budget; ++i) {
    Result r;
    absl::StatusOr<bool> got = parser->Next(&r.row);
    r.line = parser->record_line();
    if (!got.ok()) {
      FUZZ_CHECK(got.status().code() == absl::StatusCode::kInvalidArgument);
      r.error = std::string(got.status().message());
      r.row = tpp::MemberCsvRow();
      out->push_back(std::move(r));
      if (parser->failed()) return false;  // fatal: the same error forever
      continue;
    }
    if (!*got) return true;
    r.is_row = true;
    out->push_back(std::move(r));
  }
  FUZZ_CHECK(false && "Next() returned more results than bytes fed");
  return false;
}

std::vector<Result> ParseAll(absl::string_view text, size_t chunk) {
  tpp::MemberCsvParser parser;
  std::vector<Result> out;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n = std::min(chunk, text.size() - pos);
    parser.Feed(text.substr(pos, n));
    pos += n;
    if (!Drain(&parser, text.size() + 2, &out)) return out;
  }
  parser.Finish();
  Drain(&parser, text.size() + 2, &out);
  if (parser.failed()) {
    // A fatal error stays.
    tpp::MemberCsvRow row;
    FUZZ_CHECK(!parser.Next(&row).ok());
  }
  return out;
}

void CheckRoundTrip(const tpp::MemberCsvRow& row) {
  const std::string text =
      absl::StrCat(tpp::kMemberCsvHeader, "\r\n", tpp::FormatMemberCsvRow(row));
  std::vector<Result> again = ParseAll(text, text.size());
  FUZZ_CHECK(again.size() == 1);
  FUZZ_CHECK(again[0].is_row);
  FUZZ_CHECK(again[0].row == row);
  FUZZ_CHECK(again[0].line == 2);
}

void CheckRecord(const tpp::MemberCsvRow& row) {
  absl::StatusOr<tpp::v1::MemberRecord> record = tpp::MemberRecordFromCsv(row);
  if (!record.ok()) {
    FUZZ_CHECK(record.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  FUZZ_CHECK(record->adherent_number() == row.adherent_number);
  FUZZ_CHECK(record->nir() == row.nir);
  FUZZ_CHECK(record->birth_date() == row.birth_date);
  FUZZ_CHECK(record->birth_rank() == row.birth_rank);
  FUZZ_CHECK(record->last_name() == row.last_name);
  FUZZ_CHECK(record->first_name() == row.first_name);
  FUZZ_CHECK(record->contract_id() == row.contract_id);
  FUZZ_CHECK(record->coverage_from() == row.coverage_from);
  FUZZ_CHECK(record->coverage_to() == row.coverage_to);
  FUZZ_CHECK(record->relationship() != tpp::v1::RELATIONSHIP_UNSPECIFIED);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > 3 * tpp::kCsvLineBytesMax) return 0;
  const size_t chunk = (data[0] & 0x3f) + 1;
  std::string text;
  if (data[0] & 0x80) absl::StrAppend(&text, tpp::kMemberCsvHeader, "\n");
  text.append(reinterpret_cast<const char*>(data + 1), size - 1);

  const std::vector<Result> whole = ParseAll(text, text.size() + 1);
  const std::vector<Result> chunked = ParseAll(text, chunk);
  FUZZ_CHECK(whole == chunked);
  for (const Result& r : whole) {
    FUZZ_CHECK(r.line >= 1);
    if (!r.is_row) continue;
    CheckRoundTrip(r.row);
    CheckRecord(r.row);
  }
  return 0;
}
