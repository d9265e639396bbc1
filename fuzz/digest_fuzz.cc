// The statement digest (services/settlement/settlement.h): the canonical
// line encoding both the node and the insurer hash, and tppctl's recompute
// of it (tools/tppctl/statement_check.h). Lines come from the input, with
// ids of the characters validation allows. Properties:
// - an encoded line splits back at '|' into exactly its five fields and
//   ends with one '\n' (so two different lines never encode the same);
// - the digest is the SHA-256 of the concatenated encodings, 64 lowercase
//   hex digits, and reading it changes nothing;
// - tppctl, fed the lines as the node streams them, finds the same count,
//   total and digest, verifies the true trailer and refuses a changed one;
// - FormatEuros writes the exact amount.
#include <fuzzer/FuzzedDataProvider.h>
#include <openssl/sha.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "fuzz/fuzz_check.h"
#include "services/settlement/settlement.h"
#include "tools/tppctl/statement_check.h"
#include "tpp/v1/settlement.pb.h"

namespace {

// 1..max characters of [A-Za-z0-9._-], as IsIdentifier allows.
std::string Identifier(FuzzedDataProvider* in, size_t max) {
  static constexpr char kChars[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  std::string s = in->ConsumeRandomLengthString(max);
  if (s.empty()) s = "0";
  for (char& c : s) c = kChars[static_cast<unsigned char>(c) % 65];
  return s;
}

tpp::StatementLine Line(FuzzedDataProvider* in) {
  tpp::StatementLine line;
  line.claim_id = Identifier(in, 64);
  line.adherent_number = Identifier(in, 32);
  absl::StatusOr<tpp::Date> day =
      tpp::Date::FromDays(in->ConsumeIntegralInRange<int64_t>(-25567, 83000));
  if (day.ok()) line.care_date = *day;
  line.category = tpp::kAllCategories[in->ConsumeIntegralInRange<int>(
      0, tpp::kCategoryCount - 1)];
  line.amc_cents = in->ConsumeIntegral<int64_t>();
  return line;
}

void CheckEncoding(const tpp::StatementLine& line, const std::string& enc) {
  FUZZ_CHECK(!enc.empty() && enc.back() == '\n');
  FUZZ_CHECK(enc.find('\n') == enc.size() - 1);
  std::vector<std::string> fields =
      absl::StrSplit(absl::string_view(enc).substr(0, enc.size() - 1), '|');
  FUZZ_CHECK(fields.size() == 5);
  FUZZ_CHECK(fields[0] == line.claim_id);
  FUZZ_CHECK(fields[1] == line.adherent_number);
  FUZZ_CHECK(fields[2] == line.care_date.ToString());
  FUZZ_CHECK(!fields[3].empty());
  for (char c : fields[3]) FUZZ_CHECK(c >= 'A' && c <= 'Z');
  int64_t cents = 0;
  FUZZ_CHECK(absl::SimpleAtoi(fields[4], &cents) && cents == line.amc_cents);
  FUZZ_CHECK(fields[4] == std::to_string(line.amc_cents));
}

std::string Sha256Hex(const std::string& bytes) {
  unsigned char md[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
         md);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(md), sizeof(md)));
}

void CheckEuros(int64_t cents) {
  const std::string euros = tpp::ctl::FormatEuros(cents);
  std::vector<std::string> parts = absl::StrSplit(euros, '.');
  FUZZ_CHECK(parts.size() == 2 && parts[1].size() == 2);
  // Rebuild the cents from the text without overflowing.
  std::string digits = absl::StrReplaceAll(euros, {{".", ""}, {"-", ""}});
  const bool negative = !euros.empty() && euros[0] == '-';
  FUZZ_CHECK(negative == (cents < 0));
  uint64_t magnitude = 0;
  FUZZ_CHECK(absl::SimpleAtoi(digits, &magnitude));
  const uint64_t expected = cents < 0 ? 0 - static_cast<uint64_t>(cents)
                                      : static_cast<uint64_t>(cents);
  FUZZ_CHECK(magnitude == expected);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  tpp::StatementDigest digest;
  tpp::ctl::StatementCheck check;
  std::string all;
  int64_t total = 0;
  bool overflowed = false;
  std::vector<std::string> encodings;
  const int count = in.ConsumeIntegralInRange<int>(0, 64);
  for (int i = 0; i < count && in.remaining_bytes() > 0; ++i) {
    const tpp::StatementLine line = Line(&in);
    const std::string enc = tpp::EncodeStatementLine(line);
    CheckEncoding(line, enc);
    encodings.push_back(enc);
    digest.Add(line);
    all += enc;
    const std::string hex = digest.Hex();
    FUZZ_CHECK(hex == Sha256Hex(all));
    FUZZ_CHECK(digest.Hex() == hex);

    tpp::v1::StatementLine proto;  // as the node streams it
    proto.set_claim_id(line.claim_id);
    proto.set_adherent_number(line.adherent_number);
    proto.set_care_date(line.care_date.ToString());
    proto.set_category(static_cast<tpp::v1::Category>(line.category));
    proto.set_amc_cents(line.amc_cents);
    int64_t next = 0;
    if (__builtin_add_overflow(total, line.amc_cents, &next)) {
      FUZZ_CHECK(check.Add(proto).code() == absl::StatusCode::kInvalidArgument);
      overflowed = true;
      break;
    }
    FUZZ_CHECK(check.Add(proto).ok());
    total = next;
    CheckEuros(line.amc_cents);
  }
  if (overflowed) return 0;
  FUZZ_CHECK(digest.Hex().size() == 64);
  FUZZ_CHECK(check.digest() == digest.Hex());
  FUZZ_CHECK(check.line_count() == static_cast<int64_t>(encodings.size()));
  FUZZ_CHECK(check.total_cents() == total);
  tpp::v1::StatementTrailer trailer;
  trailer.set_line_count(check.line_count());
  trailer.set_total_cents(total);
  trailer.set_digest(digest.Hex());
  FUZZ_CHECK(check.Verify(trailer).ok());
  trailer.set_digest(Sha256Hex(all + "x"));
  FUZZ_CHECK(check.Verify(trailer).code() == absl::StatusCode::kDataLoss);
  CheckEuros(total);
  return 0;
}
