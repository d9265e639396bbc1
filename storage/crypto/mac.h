// HMAC-SHA256 and HKDF-SHA256, the two keyed hashes tpp::crypto builds on
// (blind indexes, key check values, per-insurer key derivation).
//
// Thread-safe: all functions may be called concurrently. HmacSha256 reuses
// one context per thread and allocates nothing beyond its result.
#ifndef TPP_STORAGE_CRYPTO_MAC_H_
#define TPP_STORAGE_CRYPTO_MAC_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr size_t kHmacSha256Bytes = 32;
inline constexpr size_t kHkdfOutputBytesMax = 255 * 32;  // RFC 5869.

// HMAC-SHA256(key, message), 32 raw bytes.
// Errors: INVALID_ARGUMENT (empty key), FAILED_PRECONDITION "keys sealed"
// (key wiped), INTERNAL (OpenSSL failure).
absl::StatusOr<std::string> HmacSha256(const SecureBytes& key,
                                       absl::string_view message);

// HKDF-SHA256 (RFC 5869) with no salt: `out_bytes` bytes of key derived from
// the uniformly random `ikm` for the purpose named by `info`.
// Errors: INVALID_ARGUMENT (empty ikm, out_bytes 0 or over the maximum),
// FAILED_PRECONDITION "keys sealed" (ikm wiped), INTERNAL.
absl::StatusOr<SecureBytes> HkdfSha256(const SecureBytes& ikm,
                                       absl::string_view info,
                                       size_t out_bytes);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_MAC_H_
