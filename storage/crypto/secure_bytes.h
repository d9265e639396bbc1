// SecureBytes: an owned, move-only byte buffer for key material (master
// keys, derived keys, member data keys, key shares). Its bytes are wiped with
// OPENSSL_cleanse when it is destroyed or reassigned.
//
// Every live buffer is listed in a process-wide registry so that sealing the
// platform (DESIGN.md, "The isolation switch", point 5) can wipe them all:
// ZeroizeAllKeys() zeroes every live SecureBytes and the key schedules kept
// in the per-thread OpenSSL contexts. A wiped buffer keeps its size, reads as
// zeros and reports wiped(); every tpp::crypto function refuses it with
// FAILED_PRECONDITION "keys sealed" instead of using zeros as a key.
//
// Thread safety: like std::string, const methods may run concurrently and a
// non-const method needs exclusive access. ZeroizeAllKeys() is thread-safe:
// it waits for tpp::crypto operations in progress, and later ones see wiped
// keys. Reading or writing bytes through data() directly is not synchronized
// with ZeroizeAllKeys(); outside tests, use the tpp::crypto functions.
#ifndef TPP_STORAGE_CRYPTO_SECURE_BYTES_H_
#define TPP_STORAGE_CRYPTO_SECURE_BYTES_H_

#include <cstddef>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp::crypto {

namespace internal {
struct SecureBlock;
}  // namespace internal

// Key material is small; a larger request is a bug.
inline constexpr size_t kSecureBytesMax = 1 << 20;

class SecureBytes {
 public:
  // An empty buffer (also the state of a moved-from one).
  SecureBytes() = default;
  // `size` zero bytes.
  // REQUIRES: size <= kSecureBytesMax.
  explicit SecureBytes(size_t size);

  // `size` bytes from RAND_bytes. UNAVAILABLE if the generator fails,
  // INVALID_ARGUMENT if size > kSecureBytesMax.
  static absl::StatusOr<SecureBytes> Random(size_t size);
  // A copy of `bytes` (e.g. a test vector, or a key decoded elsewhere).
  // INVALID_ARGUMENT if bytes.size() > kSecureBytesMax.
  static absl::StatusOr<SecureBytes> CopyOf(absl::string_view bytes);

  SecureBytes(SecureBytes&& other) noexcept;
  SecureBytes& operator=(SecureBytes&& other) noexcept;
  SecureBytes(const SecureBytes&) = delete;
  SecureBytes& operator=(const SecureBytes&) = delete;
  ~SecureBytes();

  // A copy; FAILED_PRECONDITION "keys sealed" if this buffer was wiped.
  absl::StatusOr<SecureBytes> Clone() const;

  size_t size() const;
  bool empty() const { return size() == 0; }
  // Null when empty.
  const unsigned char* data() const;
  unsigned char* data();
  absl::string_view view() const;

  // True once ZeroizeAllKeys() has zeroed this buffer.
  bool wiped() const;

 private:
  void Release();

  internal::SecureBlock* block_ = nullptr;
};

// Constant-time comparison (CRYPTO_memcmp); false if either is wiped.
bool SecureEquals(const SecureBytes& a, const SecureBytes& b);

// Zeroes every live SecureBytes in the process and the key schedules held by
// every thread's OpenSSL contexts. Used when the platform is sealed; buffers
// created afterwards are unaffected.
void ZeroizeAllKeys();

// Observation points for tests only.
namespace test_hooks {

// Number of live, non-empty SecureBytes in the process.
size_t LiveBufferCount();

// Calls `visit` on the bytes of every live SecureBytes, under the registry
// lock: `visit` must not create or destroy a SecureBytes.
void ForEachLiveBuffer(
    absl::FunctionRef<void(const unsigned char* data, size_t size)> visit);

// Installs `hook` (null to remove), called with a buffer's bytes after they
// are cleansed and just before they are freed, under the registry lock.
void SetReleaseHook(void (*hook)(const unsigned char* data, size_t size));

}  // namespace test_hooks

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_SECURE_BYTES_H_
