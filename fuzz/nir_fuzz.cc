// The NIR parser (services/common/nir.h) on arbitrary text. Properties:
// - a parsed NIR is 15 canonical characters that parse to themselves;
// - its last two characters are ComputeKey() of its first thirteen;
// - the same input with any spaces or dots added (within the input limit)
//   parses to the same NIR, and lower-case Corsican letters too;
// - ComputeKey() of a 13-character number, when it gives a key, makes a NIR
//   that parses; a Status message never contains the canonical digits.
#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "services/common/nir.h"

namespace {

// Every letter and digit moved by one: the same shape, other content.
std::string Shift(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= '0' && c <= '9') c = c == '9' ? '0' : c + 1;
    if (c >= 'a' && c <= 'z') c = c == 'z' ? 'a' : c + 1;
    if (c >= 'A' && c <= 'Z') c = c == 'Z' ? 'A' : c + 1;
  }
  return out;
}

// Whether the refusal of `text` quotes it: its message holds the input, and
// the message for the shifted input holds the shifted input (a fixed text
// that happens to contain the input is not an echo).
bool Echoes(const absl::Status& status, absl::string_view text) {
  if (text.size() < 6 || !absl::StrContains(status.message(), text)) {
    return false;
  }
  const std::string shifted = Shift(text);
  if (shifted == text) return false;  // no letter or digit: nothing personal
  absl::StatusOr<tpp::Nir> other = tpp::Nir::Parse(shifted);
  return !other.ok() && absl::StrContains(other.status().message(), shifted);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  absl::StatusOr<tpp::Nir> nir = tpp::Nir::Parse(text);
  if (!nir.ok()) {
    FUZZ_CHECK(nir.status().code() == absl::StatusCode::kInvalidArgument);
    FUZZ_CHECK(!Echoes(nir.status(), text));
  } else {
    const std::string& digits = nir->digits();
    FUZZ_CHECK(digits.size() == tpp::Nir::kNirChars);
    FUZZ_CHECK(absl::AsciiStrToUpper(digits) == digits);
    absl::StatusOr<tpp::Nir> again = tpp::Nir::Parse(digits);
    FUZZ_CHECK(again.ok() && *again == *nir);
    FUZZ_CHECK(tpp::Nir::ComputeKey(digits.substr(0, 13)) == digits.substr(13));
    // Separators anywhere change nothing; lower case neither.
    std::string spaced;
    for (size_t i = 0; i < digits.size(); ++i) {
      spaced.push_back(absl::ascii_tolower(digits[i]));
      if (i % 3 == 2) spaced.push_back(i % 2 == 0 ? ' ' : '.');
    }
    absl::StatusOr<tpp::Nir> relaxed = tpp::Nir::Parse(spaced);
    FUZZ_CHECK(relaxed.ok() && *relaxed == *nir);
  }

  // Any 13 characters of the input: a key computed for them completes a
  // valid NIR, and a key other than it is refused.
  if (size >= 13) {
    const std::string thirteen(text.substr(0, 13));
    const std::string key = tpp::Nir::ComputeKey(thirteen);
    if (!key.empty()) {
      FUZZ_CHECK(key.size() == 2);
      absl::StatusOr<tpp::Nir> made = tpp::Nir::Parse(thirteen + key);
      FUZZ_CHECK(made.ok());
      FUZZ_CHECK(made->digits() == absl::AsciiStrToUpper(thirteen) + key);
      const int k = (key[0] - '0') * 10 + (key[1] - '0');
      const int other = k % 97 + 1;  // another key in 1..97
      const std::string wrong = {static_cast<char>('0' + other / 10),
                                 static_cast<char>('0' + other % 10)};
      absl::StatusOr<tpp::Nir> refused = tpp::Nir::Parse(thirteen + wrong);
      FUZZ_CHECK(!refused.ok());
      FUZZ_CHECK(!Echoes(refused.status(), thirteen + wrong));
    }
  }
  return 0;
}
