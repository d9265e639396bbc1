// Internal to storage/crypto: unambiguous encodings of several fields into
// one byte string (for HKDF info, AEAD associated data and MAC input), and
// hex for key files and share lines. None of them allocate, so they can
// encode key material into buffers the caller cleanses.
//
// Thread-safe: pure functions.
#ifndef TPP_STORAGE_CRYPTO_ENCODING_H_
#define TPP_STORAGE_CRYPTO_ENCODING_H_

#include <cstddef>
#include <cstdint>
#include <initializer_list>

#include "absl/strings/string_view.h"

namespace tpp::crypto::internal {

inline constexpr size_t kLengthPrefixBytes = 4;

inline void StoreBigEndian32(uint32_t value, unsigned char* out) {
  out[0] = static_cast<unsigned char>(value >> 24);
  out[1] = static_cast<unsigned char>(value >> 16);
  out[2] = static_cast<unsigned char>(value >> 8);
  out[3] = static_cast<unsigned char>(value);
}

inline uint32_t LoadBigEndian32(const unsigned char* in) {
  return (uint32_t{in[0]} << 24) | (uint32_t{in[1]} << 16) |
         (uint32_t{in[2]} << 8) | uint32_t{in[3]};
}

// Bytes LengthPrefixed() writes for `parts`.
size_t LengthPrefixedSize(std::initializer_list<absl::string_view> parts);

// Writes each part as a 4-byte big-endian length then its bytes, so that no
// two different lists of parts encode the same. Returns the bytes written.
// REQUIRES: capacity >= LengthPrefixedSize(parts).
size_t LengthPrefixed(std::initializer_list<absl::string_view> parts,
                      unsigned char* out, size_t capacity);

// Writes 2 * size lowercase hex digits to `out`.
void HexEncode(const unsigned char* in, size_t size, char* out);

// Decodes hex.size() / 2 bytes into `out`; false if hex has an odd length or
// a character that is not a hex digit. Branch-free over the digits, since
// they may be key bytes.
bool HexDecode(absl::string_view hex, unsigned char* out);

}  // namespace tpp::crypto::internal

#endif  // TPP_STORAGE_CRYPTO_ENCODING_H_
