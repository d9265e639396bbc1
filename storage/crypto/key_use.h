// Internal to storage/crypto. Each thread owns a slot holding its reusable
// OpenSSL state (an AES-256-GCM context and an HMAC-SHA256 context, each with
// a copy of its last key so that a repeated key skips re-keying, and a batch
// of random bytes for nonces) behind a mutex. Every read or write of key
// bytes in tpp::crypto happens inside a KeyUse, which holds the calling
// thread's slot. ZeroizeAllKeys() locks every slot before wiping: it waits
// for the operations in progress, wipes the slots' keys and key schedules
// along with the buffers, and no operation ever sees a half-wiped key.
//
// Lock order (outermost first): KeyRing::mu_, the slot registry, one slot
// (or all slots, in registry order, for a wipe), the SecureBytes registry.
//
// Thread-safe. A KeyUse must not be nested on one thread (it CHECKs): public
// functions take one, internal helpers assume it. Not fork-safe beyond what
// PublicRandom says: fork only a process that holds no KeyUse.
#ifndef TPP_STORAGE_CRYPTO_KEY_USE_H_
#define TPP_STORAGE_CRYPTO_KEY_USE_H_

#include <openssl/evp.h>
#include <openssl/types.h>

#include "absl/functional/function_ref.h"

namespace tpp::crypto::internal {

struct ThreadSlot;

inline constexpr size_t kRandomBatchBytes = 1024;
inline constexpr size_t kGcmKeyBytes = 32;
inline constexpr size_t kHmacCachedKeyBytesMax = 64;

class KeyUse {
 public:
  KeyUse();
  ~KeyUse();
  KeyUse(const KeyUse&) = delete;
  KeyUse& operator=(const KeyUse&) = delete;

  // This thread's AES-256-GCM context keyed with key[0, 32), ready for
  // EVP_CipherInit_ex2(ctx, nullptr, nullptr, iv, enc, nullptr); null if
  // OpenSSL failed. While the same key comes back (a member's fields, one
  // insurer's KEK) its key schedule is reused.
  EVP_CIPHER_CTX* GcmKeyed(const unsigned char* key);

  // This thread's HMAC-SHA256 context, initialized with key[0, size) and
  // ready for EVP_MAC_update; null if OpenSSL failed. Reuses the key's
  // padded state while the same key (of at most 64 bytes) comes back.
  EVP_MAC_CTX* HmacSha256Keyed(const unsigned char* key, size_t size);

  // Fills out[0, size) with bytes from RAND_bytes, drawn in batches: one
  // RAND_bytes call costs about 2 us whatever its size (OpenSSL 3.0), so
  // this makes a nonce 50 times cheaper. Only for values that are published
  // (nonces): the batch waits in memory. A forked child discards the batch
  // it inherited. False if the generator failed.
  // REQUIRES: size <= kRandomBatchBytes.
  bool PublicRandom(unsigned char* out, size_t size);

  // Fills out[0, size) with secret bytes from RAND_priv_bytes, drawn in
  // batches of kRandomBatchBytes for the same reason (an import makes one
  // data key per member). The batch is key material: each slice is cleansed
  // from it as it is handed out, and the rest when the keys are zeroized
  // (WithAllSlotsWiped), the thread exits, or a forked child first draws.
  // False if the generator failed.
  // REQUIRES: size <= kRandomBatchBytes.
  bool PrivateRandom(unsigned char* out, size_t size);

 private:
  ThreadSlot* slot_;
};

// Fetched once per process; null if the provider lacks the algorithm.
EVP_KDF* HkdfAlgorithm();

// Locks every thread's slot, frees the key schedules in their contexts, runs
// `wipe` with all slots held, then unlocks.
void WithAllSlotsWiped(absl::FunctionRef<void()> wipe);

}  // namespace tpp::crypto::internal

#endif  // TPP_STORAGE_CRYPTO_KEY_USE_H_
