#include "storage/crypto/key_use.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <vector>

#include "storage/crypto/macros.h"

namespace tpp::crypto::internal {
namespace {

// Bumped in the child after fork(): a batch of random bytes filled before
// it would otherwise be used by both processes.
std::atomic<uint64_t> fork_generation{0};

void OnForkChild() { fork_generation.fetch_add(1, std::memory_order_relaxed); }

}  // namespace

// The locks here are std::mutex, not absl::Mutex: ThreadSanitizer sees them
// (the system abseil is not instrumented), and they need no reader mode.
struct ThreadSlot {
  std::mutex mu;  // Guards every member below.
  EVP_CIPHER_CTX* gcm = nullptr;
  bool gcm_ready = false;  // Cipher set.
  bool gcm_keyed = false;  // gcm_key set.
  unsigned char gcm_key[kGcmKeyBytes];
  EVP_MAC_CTX* hmac = nullptr;
  size_t hmac_key_size = 0;  // 0: no key cached.
  unsigned char hmac_key[kHmacCachedKeyBytesMax];
  unsigned char random[kRandomBatchBytes];
  size_t random_used = kRandomBatchBytes;
  uint64_t random_generation = 0;
  unsigned char secret[kRandomBatchBytes];  // Unused bytes are not zero.
  size_t secret_used = kRandomBatchBytes;
  uint64_t secret_generation = 0;

  // Frees every key schedule the contexts hold.
  void WipeLocked() {
    if (gcm != nullptr) EVP_CIPHER_CTX_reset(gcm);  // Cleanses the AES state.
    gcm_ready = false;
    gcm_keyed = false;
    OPENSSL_cleanse(gcm_key, sizeof(gcm_key));
    EVP_MAC_CTX_free(hmac);  // Cleanses the HMAC pads.
    hmac = nullptr;
    hmac_key_size = 0;
    OPENSSL_cleanse(hmac_key, sizeof(hmac_key));
    OPENSSL_cleanse(secret, sizeof(secret));
    secret_used = kRandomBatchBytes;
  }
};

namespace {

struct SlotRegistry {
  std::mutex mu;  // Guards slots.
  std::vector<ThreadSlot*> slots;
};

// Leaked on purpose: threads may exit after static destructors have run.
SlotRegistry& Slots() {
  static auto* registry = [] {
    pthread_atfork(nullptr, nullptr, &OnForkChild);
    return new SlotRegistry;
  }();
  return *registry;
}

const EVP_CIPHER* Aes256Gcm() {
  static EVP_CIPHER* cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  return cipher;
}

EVP_MAC* HmacAlgorithm() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

// Registers this thread's slot on first use and unregisters it when the
// thread exits.
class SlotHolder {
 public:
  SlotHolder() : slot_(new ThreadSlot) {
    std::lock_guard<std::mutex> lock(Slots().mu);
    Slots().slots.push_back(slot_);
  }
  ~SlotHolder() {
    {
      std::lock_guard<std::mutex> lock(Slots().mu);
      auto& slots = Slots().slots;
      slots.erase(std::find(slots.begin(), slots.end(), slot_));
    }
    {
      std::lock_guard<std::mutex> lock(slot_->mu);
      slot_->WipeLocked();
      EVP_CIPHER_CTX_free(slot_->gcm);
      slot_->gcm = nullptr;
    }
    delete slot_;
  }
  SlotHolder(const SlotHolder&) = delete;
  SlotHolder& operator=(const SlotHolder&) = delete;

  ThreadSlot* slot() const { return slot_; }

 private:
  ThreadSlot* const slot_;
};

ThreadSlot* ThisThreadSlot() {
  thread_local SlotHolder holder;
  return holder.slot();
}

}  // namespace

namespace {
// A nested KeyUse would deadlock on the slot; fail loudly instead.
thread_local bool key_use_held = false;
}  // namespace

KeyUse::KeyUse() : slot_(ThisThreadSlot()) {
  TPP_CRYPTO_CHECK(!key_use_held);
  key_use_held = true;
  slot_->mu.lock();
}

KeyUse::~KeyUse() {
  slot_->mu.unlock();
  key_use_held = false;
}

EVP_CIPHER_CTX* KeyUse::GcmKeyed(const unsigned char* key) {
  ThreadSlot& slot = *slot_;
  if (!slot.gcm_ready) {
    if (Aes256Gcm() == nullptr) return nullptr;
    if (slot.gcm == nullptr) slot.gcm = EVP_CIPHER_CTX_new();
    if (slot.gcm == nullptr ||
        EVP_CipherInit_ex2(slot.gcm, Aes256Gcm(), nullptr, nullptr, 1,
                           nullptr) != 1) {
      return nullptr;
    }
    slot.gcm_ready = true;
    slot.gcm_keyed = false;
  }
  if (slot.gcm_keyed && CRYPTO_memcmp(slot.gcm_key, key, kGcmKeyBytes) == 0) {
    return slot.gcm;
  }
  slot.gcm_keyed = false;
  if (EVP_CipherInit_ex2(slot.gcm, nullptr, key, nullptr, 1, nullptr) != 1) {
    return nullptr;
  }
  std::memcpy(slot.gcm_key, key, kGcmKeyBytes);
  slot.gcm_keyed = true;
  return slot.gcm;
}

EVP_MAC_CTX* KeyUse::HmacSha256Keyed(const unsigned char* key, size_t size) {
  ThreadSlot& slot = *slot_;
  if (slot.hmac == nullptr) {
    if (HmacAlgorithm() == nullptr) return nullptr;
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(HmacAlgorithm());
    if (ctx == nullptr) return nullptr;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    if (EVP_MAC_CTX_set_params(ctx, params) != 1) {
      EVP_MAC_CTX_free(ctx);
      return nullptr;
    }
    slot.hmac = ctx;
    slot.hmac_key_size = 0;
  }
  if (slot.hmac_key_size == size && size > 0 &&
      CRYPTO_memcmp(slot.hmac_key, key, size) == 0) {
    // A null key restarts the MAC with the key already set.
    return EVP_MAC_init(slot.hmac, nullptr, 0, nullptr) == 1 ? slot.hmac
                                                             : nullptr;
  }
  slot.hmac_key_size = 0;
  if (EVP_MAC_init(slot.hmac, key, size, nullptr) != 1) return nullptr;
  if (size <= kHmacCachedKeyBytesMax) {
    std::memcpy(slot.hmac_key, key, size);
    slot.hmac_key_size = size;
  }
  return slot.hmac;
}

bool KeyUse::PublicRandom(unsigned char* out, size_t size) {
  TPP_CRYPTO_CHECK(size <= kRandomBatchBytes);
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (slot_->random_generation != generation ||
      kRandomBatchBytes - slot_->random_used < size) {
    if (RAND_bytes(slot_->random, kRandomBatchBytes) != 1) return false;
    slot_->random_used = 0;
    slot_->random_generation = generation;
  }
  std::memcpy(out, slot_->random + slot_->random_used, size);
  slot_->random_used += size;
  return true;
}

bool KeyUse::PrivateRandom(unsigned char* out, size_t size) {
  TPP_CRYPTO_CHECK(size <= kRandomBatchBytes);
  ThreadSlot& slot = *slot_;
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (slot.secret_generation != generation ||
      kRandomBatchBytes - slot.secret_used < size) {
    // What a forked child inherited is the parent's: never used.
    if (RAND_priv_bytes(slot.secret, kRandomBatchBytes) != 1) {
      OPENSSL_cleanse(slot.secret, sizeof(slot.secret));
      slot.secret_used = kRandomBatchBytes;
      return false;
    }
    slot.secret_used = 0;
    slot.secret_generation = generation;
  }
  unsigned char* slice = slot.secret + slot.secret_used;
  std::memcpy(out, slice, size);
  OPENSSL_cleanse(slice, size);
  slot.secret_used += size;
  return true;
}

EVP_KDF* HkdfAlgorithm() {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  return kdf;
}

void WithAllSlotsWiped(absl::FunctionRef<void()> wipe) {
  SlotRegistry& registry = Slots();
  std::lock_guard<std::mutex> lock(registry.mu);
  for (ThreadSlot* slot : registry.slots) slot->mu.lock();
  for (ThreadSlot* slot : registry.slots) slot->WipeLocked();
  wipe();
  for (ThreadSlot* slot : registry.slots) slot->mu.unlock();
}

}  // namespace tpp::crypto::internal
