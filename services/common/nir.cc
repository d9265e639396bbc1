#include "services/common/nir.h"

#include <cstdint>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace tpp {
namespace {

constexpr int kKeyModulus = 97;
// Corsica's département letters stand for these digits in the key formula.
constexpr int64_t kCorsicaAValue = 19;
constexpr int64_t kCorsicaBValue = 18;
// 0-based position of the département's letter (2A/2B): character 7.
constexpr size_t kCorsicaLetterIndex = 6;

bool IsCorsicaLetter(char c) { return c == 'A' || c == 'B'; }

// Checks that a canonical (upper-case, separator-free) 13-character number
// has digits everywhere except an optional `2A`/`2B` at characters 6-7.
// Returns the 1-based position of the first bad character, or 0.
size_t FirstBadCharacter(absl::string_view number) {
  for (size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) continue;
    if (i == kCorsicaLetterIndex && IsCorsicaLetter(c) &&
        number[i - 1] == '2') {
      continue;
    }
    return i + 1;
  }
  return 0;
}

// REQUIRES: FirstBadCharacter(number) == 0 and number.size() == 13.
int KeyOf(absl::string_view number) {
  int64_t n = 0;
  for (size_t i = 0; i < number.size(); ++i) {
    const char c = number[i];
    if (i == kCorsicaLetterIndex - 1 && IsCorsicaLetter(number[i + 1])) {
      // "2A" -> 19, "2B" -> 18: consume both characters here.
      n = n * 100 + (number[i + 1] == 'A' ? kCorsicaAValue : kCorsicaBValue);
      ++i;
      continue;
    }
    n = n * 10 + (c - '0');
  }
  return kKeyModulus - static_cast<int>(n % kKeyModulus);
}

}  // namespace

absl::StatusOr<Nir> Nir::Parse(absl::string_view text) {
  if (text.size() > kNirInputBytesMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("NIR input is longer than ", kNirInputBytesMax, " bytes"));
  }
  std::string canonical;
  canonical.reserve(kNirChars);
  for (char c : text) {
    if (c == ' ' || c == '.') continue;
    canonical.push_back(absl::ascii_toupper(static_cast<unsigned char>(c)));
  }
  if (canonical.size() != kNirChars) {
    return absl::InvalidArgumentError(absl::StrCat(
        "NIR must have ", kNirChars,
        " characters without spaces and dots, got ", canonical.size()));
  }
  const absl::string_view number =
      absl::string_view(canonical).substr(0, kNumberChars);
  const absl::string_view key =
      absl::string_view(canonical).substr(kNumberChars);
  if (const size_t bad = FirstBadCharacter(number); bad != 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("NIR character ", bad, " is not allowed there"));
  }
  for (size_t i = 0; i < key.size(); ++i) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(key[i]))) {
      return absl::InvalidArgumentError(absl::StrCat(
          "NIR character ", kNumberChars + i + 1, " is not a digit"));
    }
  }
  const int given = (key[0] - '0') * 10 + (key[1] - '0');
  if (given < 1 || given > kKeyModulus) {
    return absl::InvalidArgumentError("NIR key is not in 01..97");
  }
  if (given != KeyOf(number)) {
    return absl::InvalidArgumentError("NIR key does not match");
  }
  return Nir(std::move(canonical));
}

std::string Nir::ComputeKey(absl::string_view thirteen) {
  if (thirteen.size() != kNumberChars || FirstBadCharacter(thirteen) != 0) {
    return "";
  }
  const int key = KeyOf(thirteen);
  return std::string{static_cast<char>('0' + key / 10),
                     static_cast<char>('0' + key % 10)};
}

}  // namespace tpp
