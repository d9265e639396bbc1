#include "storage/crypto/secure_bytes.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <atomic>
#include <cstring>
#include <mutex>
#include <new>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "storage/crypto/key_use.h"
#include "storage/crypto/macros.h"

namespace tpp::crypto {
namespace internal {

// Header of one allocation; the `size` bytes follow it.
struct SecureBlock {
  explicit SecureBlock(size_t n) : size(n) {}
  unsigned char* bytes() { return reinterpret_cast<unsigned char*>(this + 1); }

  // Set by ZeroizeAllKeys() with every slot held; read inside a KeyUse.
  std::atomic<bool> wiped{false};
  const size_t size;
};

}  // namespace internal

namespace {

using internal::SecureBlock;

// std::mutex, not absl::Mutex, so that ThreadSanitizer sees it (the system
// abseil is not instrumented).
struct BufferRegistry {
  std::mutex mu;  // Guards the members below.
  absl::flat_hash_set<SecureBlock*> live;
  void (*release_hook)(const unsigned char*, size_t) = nullptr;
};

// Leaked on purpose: SecureBytes in other static objects may outlive it.
BufferRegistry& Buffers() {
  static auto* registry = new BufferRegistry;
  return *registry;
}

absl::Status SealedError() {
  return absl::FailedPreconditionError("keys sealed");
}

}  // namespace

SecureBytes::SecureBytes(size_t size) {
  TPP_CRYPTO_CHECK(size <= kSecureBytesMax);
  if (size == 0) return;
  void* memory = ::operator new(sizeof(SecureBlock) + size);
  block_ = new (memory) SecureBlock(size);
  std::memset(block_->bytes(), 0, size);
  BufferRegistry& registry = Buffers();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.live.insert(block_);
}

absl::StatusOr<SecureBytes> SecureBytes::Random(size_t size) {
  if (size > kSecureBytesMax) {
    return absl::InvalidArgumentError("secure buffer too large");
  }
  internal::KeyUse use;
  SecureBytes out(size);
  if (size == 0) return out;
  // Keys (one per imported member) come from a per-thread batch.
  const bool drawn =
      size <= internal::kRandomBatchBytes
          ? use.PrivateRandom(out.data(), size)
          : RAND_priv_bytes(out.data(), static_cast<int>(size)) == 1;
  if (!drawn) return absl::UnavailableError("random generator failed");
  return out;
}

absl::StatusOr<SecureBytes> SecureBytes::CopyOf(absl::string_view bytes) {
  if (bytes.size() > kSecureBytesMax) {
    return absl::InvalidArgumentError("secure buffer too large");
  }
  internal::KeyUse use;
  SecureBytes out(bytes.size());
  if (!bytes.empty()) std::memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

SecureBytes::SecureBytes(SecureBytes&& other) noexcept
    : block_(std::exchange(other.block_, nullptr)) {}

SecureBytes& SecureBytes::operator=(SecureBytes&& other) noexcept {
  if (this != &other) {
    Release();
    block_ = std::exchange(other.block_, nullptr);
  }
  return *this;
}

SecureBytes::~SecureBytes() { Release(); }

void SecureBytes::Release() {
  if (block_ == nullptr) return;
  {
    BufferRegistry& registry = Buffers();
    std::lock_guard<std::mutex> lock(registry.mu);
    registry.live.erase(block_);
    OPENSSL_cleanse(block_->bytes(), block_->size);
    if (registry.release_hook != nullptr) {
      registry.release_hook(block_->bytes(), block_->size);
    }
  }
  block_->~SecureBlock();
  ::operator delete(static_cast<void*>(block_));
  block_ = nullptr;
}

absl::StatusOr<SecureBytes> SecureBytes::Clone() const {
  internal::KeyUse use;
  if (wiped()) return SealedError();
  SecureBytes out(size());
  if (!empty()) std::memcpy(out.data(), data(), size());
  return out;
}

size_t SecureBytes::size() const {
  return block_ == nullptr ? 0 : block_->size;
}

const unsigned char* SecureBytes::data() const {
  return block_ == nullptr ? nullptr : block_->bytes();
}

unsigned char* SecureBytes::data() {
  return block_ == nullptr ? nullptr : block_->bytes();
}

absl::string_view SecureBytes::view() const {
  return absl::string_view(reinterpret_cast<const char*>(data()), size());
}

bool SecureBytes::wiped() const {
  return block_ != nullptr && block_->wiped.load(std::memory_order_acquire);
}

bool SecureEquals(const SecureBytes& a, const SecureBytes& b) {
  internal::KeyUse use;
  if (a.wiped() || b.wiped() || a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

void ZeroizeAllKeys() {
  internal::WithAllSlotsWiped([] {
    BufferRegistry& registry = Buffers();
    std::lock_guard<std::mutex> lock(registry.mu);
    for (SecureBlock* block : registry.live) {
      OPENSSL_cleanse(block->bytes(), block->size);
      block->wiped.store(true, std::memory_order_release);
    }
  });
}

namespace test_hooks {

size_t LiveBufferCount() {
  BufferRegistry& registry = Buffers();
  std::lock_guard<std::mutex> lock(registry.mu);
  return registry.live.size();
}

void ForEachLiveBuffer(
    absl::FunctionRef<void(const unsigned char* data, size_t size)> visit) {
  BufferRegistry& registry = Buffers();
  std::lock_guard<std::mutex> lock(registry.mu);
  for (SecureBlock* block : registry.live) visit(block->bytes(), block->size);
}

void SetReleaseHook(void (*hook)(const unsigned char* data, size_t size)) {
  BufferRegistry& registry = Buffers();
  std::lock_guard<std::mutex> lock(registry.mu);
  registry.release_hook = hook;
}

}  // namespace test_hooks

}  // namespace tpp::crypto
