#include "tools/tppctl/statement_format.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_replace.h"

namespace tpp::ctl {
namespace {

void Put(std::FILE* out, absl::string_view text) {
  std::fwrite(text.data(), 1, text.size(), out);
}

std::string CategoryText(const tpp::v1::StatementLine& line) {
  // StatementCheck refused unknown categories before a line gets here.
  return tpp::v1::Category_Name(line.category());
}

class CsvWriter final : public StatementWriter {
 public:
  explicit CsvWriter(std::FILE* out) : out_(out) {}
  void Begin() override {
    Put(out_, "claim_id,adherent_number,care_date,category,amc_cents\n");
  }
  void Line(const tpp::v1::StatementLine& line) override {
    Put(out_, absl::StrCat(CsvField(line.claim_id()), ",",
                           CsvField(line.adherent_number()), ",",
                           CsvField(line.care_date()), ",",
                           CsvField(CategoryText(line)), ",", line.amc_cents(),
                           "\n"));
  }
  void Trailer(const tpp::v1::StatementTrailer&) override {}

 private:
  std::FILE* const out_;
};

class JsonLinesWriter final : public StatementWriter {
 public:
  explicit JsonLinesWriter(std::FILE* out) : out_(out) {}
  void Begin() override {}
  void Line(const tpp::v1::StatementLine& line) override {
    Put(out_, absl::StrCat(
                  "{\"claim_id\":", JsonString(line.claim_id()),
                  ",\"adherent_number\":", JsonString(line.adherent_number()),
                  ",\"care_date\":", JsonString(line.care_date()),
                  ",\"category\":", JsonString(CategoryText(line)),
                  ",\"amc_cents\":", line.amc_cents(), "}\n"));
  }
  void Trailer(const tpp::v1::StatementTrailer& trailer) override {
    Put(out_,
        absl::StrCat("{\"trailer\":{\"line_count\":", trailer.line_count(),
                     ",\"total_cents\":", trailer.total_cents(),
                     ",\"digest\":", JsonString(trailer.digest()), "}}\n"));
  }

 private:
  std::FILE* const out_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<StatementWriter>> NewStatementWriter(
    absl::string_view format, std::FILE* out) {
  if (format == "csv") return std::make_unique<CsvWriter>(out);
  if (format == "json") return std::make_unique<JsonLinesWriter>(out);
  return absl::InvalidArgumentError("--format must be csv or json");
}

std::string CsvField(absl::string_view text) {
  if (text.find_first_of(",\"\r\n") == absl::string_view::npos) {
    return std::string(text);
  }
  return absl::StrCat("\"", absl::StrReplaceAll(text, {{"\"", "\"\""}}), "\"");
}

std::string JsonString(absl::string_view text) {
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += absl::StrFormat("\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;  // UTF-8 passes through (protobuf checked it)
        }
    }
  }
  out += "\"";
  return out;
}

}  // namespace tpp::ctl
