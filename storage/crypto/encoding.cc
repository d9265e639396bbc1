#include "storage/crypto/encoding.h"

#include <cstring>

#include "storage/crypto/macros.h"

namespace tpp::crypto::internal {
namespace {

// The value of hex digit `c`, or a negative number; no branch on `c`.
int HexValue(unsigned char c) {
  const int digit = c - '0';
  const int lower = (c | 0x20) - 'a';  // Folds 'A'-'F' onto 'a'-'f'.
  // Masks are all ones when the range test holds, zero otherwise.
  const int is_digit = ((digit >= 0) & (digit <= 9)) * -1;
  const int is_letter = ((lower >= 0) & (lower <= 5)) * -1;
  return (is_digit & digit) | (is_letter & (lower + 10)) |
         (~(is_digit | is_letter) & -1);
}

}  // namespace

size_t LengthPrefixedSize(std::initializer_list<absl::string_view> parts) {
  size_t size = 0;
  for (absl::string_view part : parts) size += kLengthPrefixBytes + part.size();
  return size;
}

size_t LengthPrefixed(std::initializer_list<absl::string_view> parts,
                      unsigned char* out, size_t capacity) {
  TPP_CRYPTO_CHECK(capacity >= LengthPrefixedSize(parts));
  size_t at = 0;
  for (absl::string_view part : parts) {
    TPP_CRYPTO_CHECK(part.size() <= UINT32_MAX);
    StoreBigEndian32(static_cast<uint32_t>(part.size()), out + at);
    at += kLengthPrefixBytes;
    if (!part.empty()) std::memcpy(out + at, part.data(), part.size());
    at += part.size();
  }
  return at;
}

void HexEncode(const unsigned char* in, size_t size, char* out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = kDigits[in[i] >> 4];
    out[2 * i + 1] = kDigits[in[i] & 0x0f];
  }
}

bool HexDecode(absl::string_view hex, unsigned char* out) {
  if (hex.size() % 2 != 0) return false;
  int bad = 0;
  for (size_t i = 0; i < hex.size() / 2; ++i) {
    const int high = HexValue(static_cast<unsigned char>(hex[2 * i]));
    const int low = HexValue(static_cast<unsigned char>(hex[2 * i + 1]));
    bad |= (high | low) & 0x100;  // Negative values have bit 8 set.
    // Shifted as unsigned: shifting a negative int (a bad digit) left is
    // undefined behaviour before C++20.
    out[i] =
        static_cast<unsigned char>(((static_cast<unsigned>(high) & 0x0f) << 4) |
                                   (static_cast<unsigned>(low) & 0x0f));
  }
  return bad == 0;
}

}  // namespace tpp::crypto::internal
