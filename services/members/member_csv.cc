#include "services/members/member_csv.h"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tpp {
namespace {

constexpr size_t kBirthRankColumn = 3;
constexpr absl::string_view kUtf8Bom = "\xEF\xBB\xBF";

// The row's string members, in kMemberCsvColumns order; birth_rank is null.
constexpr std::array<std::string MemberCsvRow::*, kMemberCsvColumnCount>
    kStringMembers = {
        &MemberCsvRow::adherent_number, &MemberCsvRow::nir,
        &MemberCsvRow::birth_date,      nullptr,
        &MemberCsvRow::last_name,       &MemberCsvRow::first_name,
        &MemberCsvRow::relationship,    &MemberCsvRow::marital_status,
        &MemberCsvRow::contract_id,     &MemberCsvRow::coverage_from,
        &MemberCsvRow::coverage_to,
};

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, <= U+10FFFF.
bool IsValidUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    } else {
      return false;
    }
    if (s.size() - i <= extra) return false;
    for (size_t k = 1; k <= extra; ++k) {
      const unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if (cc < (k == 1 ? lo : 0x80) || cc > (k == 1 ? hi : 0xBF)) return false;
    }
    i += extra + 1;
  }
  return true;
}

bool NeedsQuotes(absl::string_view field) {
  return field.find_first_of(",\"\r\n") != absl::string_view::npos;
}

void AppendField(std::string* out, absl::string_view field) {
  if (!NeedsQuotes(field)) {
    out->append(field.data(), field.size());
    return;
  }
  out->push_back('"');
  for (char c : field) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

absl::Status LineError(int64_t line, absl::string_view message) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ": ", message));
}

}  // namespace

bool operator==(const MemberCsvRow& a, const MemberCsvRow& b) {
  for (auto member : kStringMembers) {
    if (member != nullptr && a.*member != b.*member) return false;
  }
  return a.birth_rank == b.birth_rank;
}

std::string FormatMemberCsvRow(const MemberCsvRow& row) {
  std::string out;
  out.reserve(128);
  for (size_t i = 0; i < kMemberCsvColumnCount; ++i) {
    if (i > 0) out.push_back(',');
    if (i == kBirthRankColumn) {
      absl::StrAppend(&out, row.birth_rank);
    } else {
      AppendField(&out, row.*kStringMembers[i]);
    }
  }
  return out;
}

void MemberCsvParser::Feed(absl::string_view chunk) {
  if (read_ > 0) {
    buffer_.erase(0, read_);
    read_ = 0;
  }
  buffer_.append(chunk.data(), chunk.size());
}

void MemberCsvParser::Finish() { finished_ = true; }

std::string MemberCsvParser::FieldName(size_t index) const {
  if (!header_parsed_) return absl::StrCat("header field ", index + 1);
  if (index >= kMemberCsvColumnCount) {
    return absl::StrCat("field ", index + 1);
  }
  return absl::StrCat("field ", kMemberCsvColumns[column_of_[index]]);
}

void MemberCsvParser::SetError(std::string message) {
  if (record_error_.empty()) record_error_ = std::move(message);
}

void MemberCsvParser::Append(char c) {
  if (record_bytes_ > kCsvLineBytesMax) return;  // already reported
  if (field_.size() >= kCsvFieldBytesMax) {
    if (!record_error_.empty()) return;
    SetError(absl::StrCat(FieldName(field_count_), " is longer than ",
                          kCsvFieldBytesMax, " bytes"));
    return;
  }
  field_.push_back(c);
}

void MemberCsvParser::EndField() {
  // Keeping one field beyond the expected count is enough to report it.
  if (fields_.size() <= kMemberCsvColumnCount) {
    fields_.push_back(std::move(field_));
  }
  field_.clear();
  ++field_count_;
}

void MemberCsvParser::ResetRecord() {
  state_ = State::kFieldStart;
  fields_.clear();
  field_count_ = 0;
  field_.clear();
  record_bytes_ = 0;
  record_error_.clear();
  record_line_ = line_;
}

bool MemberCsvParser::EndsField(char c, bool* record_end) {
  switch (c) {
    case ',':
      EndField();
      state_ = State::kFieldStart;
      return true;
    case '\n':
      EndField();
      *record_end = true;
      return true;
    case '\r':
      EndField();
      state_ = State::kAfterCr;
      return true;
    default:
      return false;
  }
}

bool MemberCsvParser::Consume(char c) {
  const bool line_end = state_ != State::kQuoted && (c == '\n' || c == '\r');
  if (c == '\n') ++line_;
  if (!line_end && ++record_bytes_ == kCsvLineBytesMax + 1) {
    SetError(
        absl::StrCat("record is longer than ", kCsvLineBytesMax, " bytes"));
  }
  switch (state_) {
    case State::kFieldStart:
    case State::kUnquoted:
      switch (c) {
        case '"':
          if (state_ == State::kFieldStart) {
            state_ = State::kQuoted;
          } else {
            SetError(absl::StrCat(FieldName(field_count_),
                                  " has a quote but is not quoted"));
            Append(c);
          }
          return false;
        default: {
          bool record_end = false;
          if (EndsField(c, &record_end)) return record_end;
          Append(c);
          state_ = State::kUnquoted;
          return false;
        }
      }
    case State::kQuoted:
      if (c == '"') {
        state_ = State::kQuoteInQuoted;
      } else {
        Append(c);
      }
      return false;
    case State::kQuoteInQuoted:
      switch (c) {
        case '"':  // a doubled quote stands for one
          Append(c);
          state_ = State::kQuoted;
          return false;
        default: {
          bool record_end = false;
          if (EndsField(c, &record_end)) return record_end;
          SetError(absl::StrCat(FieldName(field_count_),
                                " has characters after its closing quote"));
          Append(c);
          state_ = State::kUnquoted;
          return false;
        }
      }
    case State::kAfterCr:
      if (c == '\n') return true;
      if (c == '\r') {
        SetError("carriage return without line feed");
        return false;
      }
      // A lone CR: the record is rejected; `c` was counted and starts a
      // field, and the record ends at the next line end.
      SetError("carriage return without line feed");
      state_ = c == '"' ? State::kQuoted : State::kUnquoted;
      if (c == ',') {
        EndField();
        state_ = State::kFieldStart;
      } else if (c != '"') {
        Append(c);
      }
      return false;
  }
  return false;
}

bool MemberCsvParser::ConsumeEnd() {
  ended_ = true;
  switch (state_) {
    case State::kFieldStart:
      if (!HasContent()) return false;
      EndField();
      return true;
    case State::kQuoted:
      SetError(absl::StrCat(FieldName(field_count_),
                            " has a quote that is never closed"));
      EndField();
      return true;
    case State::kUnquoted:
    case State::kQuoteInQuoted:
      EndField();
      return true;
    case State::kAfterCr:
      return true;
  }
  return false;
}

absl::Status MemberCsvParser::ParseHeader() {
  if (!record_error_.empty()) return LineError(record_line_, record_error_);
  if (!fields_.empty() && absl::StartsWith(fields_[0], kUtf8Bom)) {
    fields_[0].erase(0, kUtf8Bom.size());
  }
  std::array<bool, kMemberCsvColumnCount> seen{};
  for (size_t i = 0; i < fields_.size(); ++i) {
    size_t column = 0;
    while (column < kMemberCsvColumnCount &&
           kMemberCsvColumns[column] != fields_[i]) {
      ++column;
    }
    if (column == kMemberCsvColumnCount) {
      // The name is not echoed: a file without a header starts with a member.
      return LineError(
          record_line_,
          absl::StrCat("header column ", i + 1, " is not a member CSV column"));
    }
    if (seen[column]) {
      return LineError(record_line_,
                       absl::StrCat("header column ", kMemberCsvColumns[column],
                                    " appears twice"));
    }
    seen[column] = true;
    column_of_[i] = column;
  }
  for (size_t column = 0; column < kMemberCsvColumnCount; ++column) {
    if (!seen[column]) {
      return LineError(record_line_, absl::StrCat("header is missing column ",
                                                  kMemberCsvColumns[column]));
    }
  }
  header_parsed_ = true;
  return absl::OkStatus();
}

absl::Status MemberCsvParser::BuildRow(MemberCsvRow* row) const {
  if (!record_error_.empty()) return LineError(record_line_, record_error_);
  if (field_count_ != kMemberCsvColumnCount) {
    return LineError(record_line_,
                     absl::StrCat("expected ", kMemberCsvColumnCount,
                                  " fields, got ", field_count_));
  }
  for (size_t i = 0; i < kMemberCsvColumnCount; ++i) {
    const size_t column = column_of_[i];
    const std::string& value = fields_[i];
    if (!IsValidUtf8(value)) {
      return LineError(record_line_,
                       absl::StrCat(FieldName(i), " is not valid UTF-8"));
    }
    if (column == kBirthRankColumn) {
      bool digits = !value.empty() && value.size() <= kBirthRankDigitsMax;
      for (char c : value) {
        digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
      }
      if (!digits || !absl::SimpleAtoi(value, &row->birth_rank)) {
        return LineError(record_line_,
                         absl::StrCat(FieldName(i), " is not a number"));
      }
    } else {
      row->*kStringMembers[column] = value;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<bool> MemberCsvParser::Next(MemberCsvRow* row) {
  while (true) {
    if (!fatal_.ok()) return fatal_;
    bool record_ended = false;
    while (!record_ended && read_ < buffer_.size()) {
      record_ended = Consume(buffer_[read_++]);
    }
    if (!record_ended && finished_ && !ended_) record_ended = ConsumeEnd();
    if (!record_ended) {
      if (ended_ && !header_parsed_) {
        returned_line_ = line_;
        fatal_ = LineError(line_, "the header row is missing");
        return fatal_;
      }
      return false;  // more input needed, or the end
    }
    if (!HasContent()) {  // a blank line
      ResetRecord();
      continue;
    }
    if (!header_parsed_) {
      // A bad header is returned as this record's error: its line too.
      returned_line_ = record_line_;
      fatal_ = ParseHeader();  // returned at the top when not OK
      ResetRecord();
      continue;
    }
    returned_line_ = record_line_;
    absl::Status status = BuildRow(row);
    ResetRecord();
    if (!status.ok()) return status;
    return true;
  }
}

}  // namespace tpp
