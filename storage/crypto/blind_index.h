// Blind indexes: members are looked up by NIR without the NIR being stored.
// The index is HMAC-SHA256, under a per-insurer key (KeyRing::BlindIndexKey),
// of an unambiguous encoding of (NIR, birth date, birth rank): equal inputs
// give equal indexes for one insurer and unrelated ones across insurers.
//
// Thread-safe: may be called concurrently; reuses one HMAC context per
// thread.
#ifndef TPP_STORAGE_CRYPTO_BLIND_INDEX_H_
#define TPP_STORAGE_CRYPTO_BLIND_INDEX_H_

#include <cstddef>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr size_t kBlindIndexBytes = 32;
inline constexpr size_t kBlindIndexFieldBytesMax = 64;
inline constexpr int kBirthRankMax = 999;

// The 32-byte index of a member. The caller normalizes the inputs first
// (e.g. NIR digits only, ISO 8601 date): the index sees bytes, not meaning.
// Errors: INVALID_ARGUMENT (empty or over-long field, birth rank outside
// [0, kBirthRankMax], key not 32 bytes), FAILED_PRECONDITION "keys sealed"
// (key wiped), INTERNAL.
absl::StatusOr<std::string> BlindIndex(const SecureBytes& key,
                                       absl::string_view nir,
                                       absl::string_view birth_date,
                                       int birth_rank);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_BLIND_INDEX_H_
