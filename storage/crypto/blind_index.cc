#include "storage/crypto/blind_index.h"

#include <openssl/crypto.h>

#include "absl/status/status.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/mac.h"

namespace tpp::crypto {
namespace {

// Names the encoding so that a future one cannot collide with it.
constexpr absl::string_view kBlindIndexLabel = "tpp.blind-index.v1";

}  // namespace

absl::StatusOr<std::string> BlindIndex(const SecureBytes& key,
                                       absl::string_view nir,
                                       absl::string_view birth_date,
                                       int birth_rank) {
  if (key.size() != kBlindIndexBytes) {
    return absl::InvalidArgumentError("blind index key must be 32 bytes");
  }
  if (nir.empty() || nir.size() > kBlindIndexFieldBytesMax) {
    return absl::InvalidArgumentError("blind index: bad NIR length");
  }
  if (birth_date.empty() || birth_date.size() > kBlindIndexFieldBytesMax) {
    return absl::InvalidArgumentError("blind index: bad birth date length");
  }
  if (birth_rank < 0 || birth_rank > kBirthRankMax) {
    return absl::InvalidArgumentError("blind index: birth rank out of range");
  }
  unsigned char rank[internal::kLengthPrefixBytes];
  internal::StoreBigEndian32(static_cast<uint32_t>(birth_rank), rank);
  const absl::string_view rank_bytes(reinterpret_cast<const char*>(rank),
                                     sizeof(rank));
  // Personal data: encoded on the stack and cleansed, never heap-allocated.
  constexpr size_t kMessageBytesMax =
      4 * internal::kLengthPrefixBytes + kBlindIndexLabel.size() +
      2 * kBlindIndexFieldBytesMax + internal::kLengthPrefixBytes;
  unsigned char message[kMessageBytesMax];
  const size_t size =
      internal::LengthPrefixed({kBlindIndexLabel, nir, birth_date, rank_bytes},
                               message, sizeof(message));
  absl::StatusOr<std::string> index = HmacSha256(
      key, absl::string_view(reinterpret_cast<const char*>(message), size));
  OPENSSL_cleanse(message, size);
  return index;
}

}  // namespace tpp::crypto
