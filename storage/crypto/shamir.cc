#include "storage/crypto/shamir.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <cstring>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/key_use.h"
#include "storage/crypto/mac.h"
#include "storage/crypto/macros.h"

namespace tpp::crypto {
namespace {

constexpr absl::string_view kShareLinePrefix = "tpp-share-v1";
constexpr absl::string_view kKeyCheckMessage = "tpp key check";
constexpr size_t kKeyCheckValueBytes = kKeyCheckValueHexChars / 2;

// GF(2^8) product, reduced by the AES polynomial 0x11b. Free of branches and
// table look-ups on its operands, which are secret.
uint8_t GfMultiply(uint8_t a, uint8_t b) {
  uint8_t product = 0;
  for (int bit = 0; bit < 8; ++bit) {
    product ^= static_cast<uint8_t>(-(b & 1) & a);
    const uint8_t carry = static_cast<uint8_t>(-(a >> 7));
    a = static_cast<uint8_t>((a << 1) ^ (carry & 0x1b));
    b >>= 1;
  }
  return product;
}

// a^254 = a^-1 for a != 0 (the multiplicative group has order 255).
uint8_t GfInverse(uint8_t a) {
  uint8_t result = 1;
  for (int bit = 7; bit >= 0; --bit) {  // Square-and-multiply over 254.
    result = GfMultiply(result, result);
    if ((254 >> bit) & 1) result = GfMultiply(result, a);
  }
  return result;
}

// A decimal number of 1 to 3 digits, no sign or space, in [1, kSharesMax].
bool ParseSmall(absl::string_view text, int* value) {
  return !text.empty() && text.size() <= 3 &&
         text.find_first_not_of("0123456789") == absl::string_view::npos &&
         absl::SimpleAtoi(text, value) && *value >= 1 && *value <= kSharesMax;
}

bool IsLowerHex(absl::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == absl::string_view::npos;
}

}  // namespace

absl::StatusOr<std::vector<Share>> Split(const SecureBytes& secret, int shares,
                                         int threshold) {
  if (threshold < 1 || shares < threshold || shares > kSharesMax) {
    return absl::InvalidArgumentError("need 1 <= threshold <= shares <= 255");
  }
  if (secret.empty() || secret.size() > kShareSecretBytesMax) {
    return absl::InvalidArgumentError("secret size out of range");
  }
  const size_t size = secret.size();
  std::vector<Share> out;
  out.reserve(static_cast<size_t>(shares));
  internal::KeyUse use;
  if (secret.wiped()) return absl::FailedPreconditionError("keys sealed");
  // coefficients[d * size + i]: coefficient of x^(d+1) for secret byte i.
  SecureBytes coefficients(size * static_cast<size_t>(threshold - 1));
  if (!coefficients.empty() &&
      RAND_bytes(coefficients.data(), static_cast<int>(coefficients.size())) !=
          1) {
    return absl::UnavailableError("random generator failed");
  }
  for (int x = 1; x <= shares; ++x) {
    Share share{static_cast<uint8_t>(x), SecureBytes(size)};
    for (size_t i = 0; i < size; ++i) {
      // Horner's rule from the highest degree down to the secret byte.
      uint8_t value = 0;
      for (int d = threshold - 2; d >= 0; --d) {
        value = GfMultiply(value, share.x) ^
                coefficients.data()[static_cast<size_t>(d) * size + i];
      }
      share.y.data()[i] = GfMultiply(value, share.x) ^ secret.data()[i];
    }
    out.push_back(std::move(share));
  }
  return out;
}

absl::StatusOr<SecureBytes> Combine(absl::Span<const Share> shares) {
  if (shares.empty() || shares.size() > static_cast<size_t>(kSharesMax)) {
    return absl::InvalidArgumentError("need 1 to 255 shares");
  }
  const size_t size = shares[0].y.size();
  if (size == 0 || size > kShareSecretBytesMax) {
    return absl::InvalidArgumentError("share size out of range");
  }
  bool seen[256] = {};
  for (const Share& share : shares) {
    if (share.y.size() != size) {
      return absl::InvalidArgumentError("shares differ in size");
    }
    if (share.x == 0) return absl::InvalidArgumentError("share x is 0");
    if (seen[share.x]) {
      return absl::InvalidArgumentError(
          absl::StrCat("share x ", share.x, " given twice"));
    }
    seen[share.x] = true;
  }
  internal::KeyUse use;
  SecureBytes secret(size);
  for (const Share& share : shares) {
    if (share.y.wiped()) return absl::FailedPreconditionError("keys sealed");
    // Lagrange basis at 0: prod over j != i of x_j / (x_j - x_i); in GF(2^8)
    // subtraction is xor. The x are public, the y secret.
    uint8_t basis = 1;
    for (const Share& other : shares) {
      if (other.x == share.x) continue;
      basis =
          GfMultiply(basis, GfMultiply(other.x, GfInverse(other.x ^ share.x)));
    }
    for (size_t i = 0; i < size; ++i) {
      secret.data()[i] ^= GfMultiply(share.y.data()[i], basis);
    }
  }
  return secret;
}

absl::StatusOr<std::string> KeyCheckValue(const SecureBytes& key) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const std::string mac,
                              HmacSha256(key, kKeyCheckMessage));
  std::string hex(kKeyCheckValueHexChars, '\0');
  internal::HexEncode(reinterpret_cast<const unsigned char*>(mac.data()),
                      kKeyCheckValueBytes, hex.data());
  return hex;
}

absl::StatusOr<SecureBytes> FormatShare(const ShareRecord& record) {
  const Share& share = record.share;
  if (share.x == 0 || record.threshold < 1 || record.threshold > kSharesMax) {
    return absl::InvalidArgumentError("share x or threshold out of range");
  }
  if (record.key_check_value.size() != kKeyCheckValueHexChars ||
      !IsLowerHex(record.key_check_value)) {
    return absl::InvalidArgumentError("key check value must be 16 hex digits");
  }
  if (share.y.empty() || share.y.size() > kShareSecretBytesMax) {
    return absl::InvalidArgumentError("share size out of range");
  }
  const std::string head =
      absl::StrCat(kShareLinePrefix, ":", share.x, ":", record.threshold, ":",
                   record.key_check_value, ":");
  internal::KeyUse use;
  if (share.y.wiped()) return absl::FailedPreconditionError("keys sealed");
  SecureBytes line(head.size() + 2 * share.y.size());
  std::memcpy(line.data(), head.data(), head.size());
  internal::HexEncode(share.y.data(), share.y.size(),
                      reinterpret_cast<char*>(line.data() + head.size()));
  return line;
}

absl::StatusOr<ShareRecord> ParseShare(absl::string_view line) {
  const absl::Status malformed = absl::InvalidArgumentError(
      "malformed share line: expected "
      "tpp-share-v1:<x>:<threshold>:<16 hex>:<hex>");
  line = absl::StripTrailingAsciiWhitespace(line);
  const std::vector<absl::string_view> parts = absl::StrSplit(line, ':');
  if (parts.size() != 5 || parts[0] != kShareLinePrefix) return malformed;
  int x = 0;
  int threshold = 0;
  if (!ParseSmall(parts[1], &x) || !ParseSmall(parts[2], &threshold)) {
    return malformed;
  }
  if (parts[3].size() != kKeyCheckValueHexChars || !IsLowerHex(parts[3])) {
    return malformed;
  }
  const absl::string_view hex = parts[4];
  if (hex.empty() || hex.size() % 2 != 0 ||
      hex.size() > 2 * kShareSecretBytesMax) {
    return malformed;
  }
  internal::KeyUse use;
  SecureBytes y(hex.size() / 2);
  if (!internal::HexDecode(hex, y.data())) return malformed;
  return ShareRecord{Share{static_cast<uint8_t>(x), std::move(y)}, threshold,
                     std::string(parts[3])};
}

}  // namespace tpp::crypto
