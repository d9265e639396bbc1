// The insurer's member import file: CSV (RFC 4180: quoted fields, doubled
// quotes, CRLF or LF line ends, UTF-8, an optional UTF-8 byte order mark),
// with a header row naming exactly the kMemberCsvColumns, in any order.
//
// The parser only splits and bounds the input: the strings come out as given
// and their meaning (NIR, dates, relationship, ...) is checked elsewhere.
// Errors name the line and the column, never a value: the file holds NIRs,
// names and birth dates.
#ifndef TPP_SERVICES_MEMBERS_MEMBER_CSV_H_
#define TPP_SERVICES_MEMBERS_MEMBER_CSV_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

inline constexpr size_t kCsvFieldBytesMax = 256;
// A record's bytes, quoted line breaks included, its line end excluded.
inline constexpr size_t kCsvLineBytesMax = 4096;
inline constexpr size_t kBirthRankDigitsMax = 3;

inline constexpr size_t kMemberCsvColumnCount = 11;
inline constexpr std::array<absl::string_view, kMemberCsvColumnCount>
    kMemberCsvColumns = {
        "adherent_number", "nir",           "birth_date",   "birth_rank",
        "last_name",       "first_name",    "relationship", "marital_status",
        "contract_id",     "coverage_from", "coverage_to",
};
// The header row, columns in the order above, without a line end.
inline constexpr char kMemberCsvHeader[] =
    "adherent_number,nir,birth_date,birth_rank,last_name,first_name,"
    "relationship,marital_status,contract_id,coverage_from,coverage_to";

struct MemberCsvRow {
  std::string adherent_number;
  std::string nir;
  std::string birth_date;
  int birth_rank = 0;
  std::string last_name;
  std::string first_name;
  std::string relationship;
  std::string marital_status;
  std::string contract_id;
  std::string coverage_from;
  std::string coverage_to;

  friend bool operator==(const MemberCsvRow& a, const MemberCsvRow& b);
  friend bool operator!=(const MemberCsvRow& a, const MemberCsvRow& b) {
    return !(a == b);
  }
};

// One CSV record in kMemberCsvHeader's column order, quoting the fields that
// hold a comma, a quote or a line break. No line end.
std::string FormatMemberCsvRow(const MemberCsvRow& row);

// A streaming parser: Feed() bytes as they arrive, call Next() until it
// returns false, Feed() again; Finish() after the last chunk.
//
//   MemberCsvParser parser;
//   parser.Feed(chunk);  // ... parser.Finish() after the last one
//   MemberCsvRow row;
//   while (true) {
//     absl::StatusOr<bool> got = parser.Next(&row);
//     if (!got.ok()) {
//       if (parser.failed()) return got.status();
//       Report(got.status());  // that record was skipped
//     } else if (!*got) {
//       break;  // Feed() more, or the end of the input
//     } else {
//       Use(row);
//     }
//   }
//
// It never holds more than the unread part of the chunks fed plus one record
// of at most kCsvLineBytesMax bytes.
//
// Thread-compatible: one thread at a time.
class MemberCsvParser {
 public:
  MemberCsvParser() = default;
  MemberCsvParser(const MemberCsvParser&) = delete;
  MemberCsvParser& operator=(const MemberCsvParser&) = delete;

  // REQUIRES: Finish() has not been called.
  void Feed(absl::string_view chunk);
  // Marks the end of the input.
  void Finish();

  // Reads the next record:
  //  - true: *row holds the next member.
  //  - false: no complete record is buffered; Feed() more, or, after
  //    Finish(), the input is exhausted.
  //  - INVALID_ARGUMENT "line N: ...": this record is bad and was skipped;
  //    call Next() again for the following ones. *row is then unspecified.
  //  - when failed() is true, the header (or its absence) makes the whole
  //    input unusable and every further call returns the same error.
  absl::StatusOr<bool> Next(MemberCsvRow* row);

  bool failed() const { return !fatal_.ok(); }
  // The 1-based line on which the record last returned (row or error)
  // started.
  int64_t record_line() const { return returned_line_; }

 private:
  enum class State {
    kFieldStart,
    kUnquoted,
    kQuoted,
    kQuoteInQuoted,
    kAfterCr
  };

  // Returns true when `c` ends a record.
  bool Consume(char c);
  // Ends the field at a comma or a line end (true), and says in
  // *record_end whether the record ended too; false for any other `c`.
  bool EndsField(char c, bool* record_end);
  // At the end of the input; returns true when it ends a record.
  bool ConsumeEnd();
  void Append(char c);
  void EndField();
  void SetError(std::string message);
  bool HasContent() const {
    return record_bytes_ > 0 || !record_error_.empty();
  }
  void ResetRecord();
  std::string FieldName(size_t index) const;
  absl::Status ParseHeader();
  absl::Status BuildRow(MemberCsvRow* row) const;

  std::string buffer_;
  size_t read_ = 0;  // bytes of buffer_ already consumed
  bool finished_ = false;
  bool ended_ = false;  // ConsumeEnd() ran

  State state_ = State::kFieldStart;
  std::vector<std::string> fields_;  // at most kMemberCsvColumnCount + 1
  size_t field_count_ = 0;
  std::string field_;
  size_t record_bytes_ = 0;
  std::string record_error_;  // the record's first error; empty when none
  int64_t line_ = 1;
  int64_t record_line_ = 1;
  int64_t returned_line_ = 0;

  bool header_parsed_ = false;
  // column_of_[i]: index in kMemberCsvColumns of the record's i-th field.
  std::array<size_t, kMemberCsvColumnCount> column_of_{};
  absl::Status fatal_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBER_CSV_H_
