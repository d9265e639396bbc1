// AES-256-GCM envelopes: the one format of encrypted data at rest (member
// fields under a member data key, data keys under an insurer KEK).
//
//   envelope = version      1 byte, kEnvelopeVersion
//              key_version  uint32, big-endian (names the key for the reader)
//              nonce        12 random bytes (RAND_bytes, drawn per thread
//                           in 1 KiB batches)
//              ciphertext   as long as the plaintext
//              tag          16 bytes
//
// The 5-byte header is authenticated along with the caller's associated data
// (aad), so flipping any bit of an envelope makes Open fail. Nonces are
// random: keep a key under 2^32 envelopes (NIST SP 800-38D), which the
// per-member data keys and per-insurer KEKs make unreachable.
//
// Thread-safe: all functions may be called concurrently. Each thread reuses
// one cipher context, so a call allocates nothing beyond its result.
#ifndef TPP_STORAGE_CRYPTO_AEAD_H_
#define TPP_STORAGE_CRYPTO_AEAD_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr uint8_t kEnvelopeVersion = 1;
inline constexpr size_t kAeadKeyBytes = 32;
inline constexpr size_t kEnvelopeHeaderBytes = 5;
inline constexpr size_t kNonceBytes = 12;
inline constexpr size_t kTagBytes = 16;
inline constexpr size_t kEnvelopeOverheadBytes =
    kEnvelopeHeaderBytes + kNonceBytes + kTagBytes;
inline constexpr size_t kPlaintextBytesMax = size_t{64} << 20;
inline constexpr size_t kAadBytesMax = size_t{64} << 10;

// Encrypts `plaintext` under `key`, binding it to `aad`. `key_version` is
// stored in clear for the reader to pick the key (0 for unversioned keys,
// such as member data keys).
// Errors: INVALID_ARGUMENT (key not kAeadKeyBytes, input over its limit),
// FAILED_PRECONDITION "keys sealed" (key wiped), UNAVAILABLE (random
// generator), INTERNAL (OpenSSL failure).
absl::StatusOr<std::string> Seal(const SecureBytes& key, uint32_t key_version,
                                 absl::string_view plaintext,
                                 absl::string_view aad);

// Seal for key material: `secret` is read under the same guard as the key,
// and FAILED_PRECONDITION if it was wiped.
absl::StatusOr<std::string> SealSecret(const SecureBytes& key,
                                       uint32_t key_version,
                                       const SecureBytes& secret,
                                       absl::string_view aad);

// Decrypts an envelope made by Seal with the same key and aad.
// DATA_LOSS if anything is wrong with it (wrong key or aad, any altered or
// missing byte); never returns part of a plaintext.
// Other errors: INVALID_ARGUMENT (key not kAeadKeyBytes), FAILED_PRECONDITION
// "keys sealed" (key wiped), INTERNAL (OpenSSL failure).
absl::StatusOr<std::string> Open(const SecureBytes& key,
                                 absl::string_view envelope,
                                 absl::string_view aad);

// Open for key material: the plaintext never passes through a std::string.
absl::StatusOr<SecureBytes> OpenSecret(const SecureBytes& key,
                                       absl::string_view envelope,
                                       absl::string_view aad);

// The key version in an envelope's header, to choose the key for Open (which
// authenticates it). DATA_LOSS if the envelope is too short to be one or has
// an unknown format version.
absl::StatusOr<uint32_t> EnvelopeKeyVersion(absl::string_view envelope);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_AEAD_H_
