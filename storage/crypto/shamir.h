// Shamir secret sharing over GF(2^8) (AES polynomial x^8+x^4+x^3+x+1), to
// split the master key among operators so that unsealing needs several of
// them (DESIGN.md, "The isolation switch", point 5). Any `threshold` shares
// rebuild the secret; fewer reveal nothing about it. Each byte of the secret
// is the constant term of its own random polynomial of degree threshold - 1
// (coefficients from RAND_bytes); share x holds the polynomials' values at x.
//
// Combine cannot detect a wrong result: given fewer than `threshold` shares,
// or shares of different secrets, it returns a wrong secret without error.
// Callers compare KeyCheckValue(result) with the value the shares carry.
//
// Share line, one per operator:
//   tpp-share-v1:<x>:<threshold>:<key check value>:<hex of y>
//
// Thread-safe: the functions share no state.
#ifndef TPP_STORAGE_CRYPTO_SHAMIR_H_
#define TPP_STORAGE_CRYPTO_SHAMIR_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr int kSharesMax = 255;
inline constexpr size_t kShareSecretBytesMax = 64;
inline constexpr size_t kKeyCheckValueHexChars = 16;

struct Share {
  uint8_t x;      // 1..255, distinct within one split.
  SecureBytes y;  // As long as the secret.
};

// What a share line holds.
struct ShareRecord {
  Share share;
  int threshold;
  std::string key_check_value;  // KeyCheckValue of the whole secret.
};

// Splits `secret` into `shares` shares with x = 1..shares, any `threshold`
// of which rebuild it. INVALID_ARGUMENT unless 1 <= threshold <= shares <=
// kSharesMax and 1 <= secret.size() <= kShareSecretBytesMax;
// FAILED_PRECONDITION "keys sealed" (secret wiped); UNAVAILABLE (random
// generator).
absl::StatusOr<std::vector<Share>> Split(const SecureBytes& secret, int shares,
                                         int threshold);

// Lagrange interpolation at 0 of all `shares` (see above: verify the result).
// INVALID_ARGUMENT if empty, an x is 0 or repeated, or the y lengths differ
// or are out of range; FAILED_PRECONDITION "keys sealed" (a share wiped).
absl::StatusOr<SecureBytes> Combine(absl::Span<const Share> shares);

// First 8 bytes of HMAC-SHA256(key, "tpp key check"), in lowercase hex: the
// value identifies a key without revealing it. Errors as HmacSha256.
absl::StatusOr<std::string> KeyCheckValue(const SecureBytes& key);

// The share line of `record`, no line end. A SecureBytes since it holds the
// share: the caller writes it out and lets it be wiped.
// INVALID_ARGUMENT on a field out of range; FAILED_PRECONDITION (y wiped).
absl::StatusOr<SecureBytes> FormatShare(const ShareRecord& record);

// Parses a share line (a trailing line end is ignored). INVALID_ARGUMENT if
// malformed; the message never quotes the line.
absl::StatusOr<ShareRecord> ParseShare(absl::string_view line);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_SHAMIR_H_
