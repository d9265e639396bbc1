// Ed25519 signatures for the audit chain's checkpoints (OpenSSL 3 EVP).
//
// The private key lives in an EVP_PKEY built from a 32-byte seed (derived
// from the master key: KeyRing::AuditSigningSeed) and never leaves it; the
// public key is exported with the checkpoints so that they can be checked
// outside the platform.
//
// Thread-safe: Sign builds its own EVP context per call.
#ifndef TPP_STORAGE_CRYPTO_AUDIT_SIGNER_H_
#define TPP_STORAGE_CRYPTO_AUDIT_SIGNER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr size_t kEd25519PublicKeyBytes = 32;
inline constexpr size_t kEd25519SignatureBytes = 64;

class AuditSigner {
 public:
  // INVALID_ARGUMENT unless `seed` is 32 bytes.
  static absl::StatusOr<std::unique_ptr<AuditSigner>> FromSeed(
      const SecureBytes& seed);
  ~AuditSigner();
  AuditSigner(const AuditSigner&) = delete;
  AuditSigner& operator=(const AuditSigner&) = delete;

  // 64 bytes.
  absl::StatusOr<std::string> Sign(absl::string_view message) const;
  // 32 raw bytes.
  const std::string& public_key() const { return public_key_; }

 private:
  struct Key;
  explicit AuditSigner(std::unique_ptr<Key> key, std::string public_key);
  std::unique_ptr<Key> key_;
  std::string public_key_;
};

// Whether `signature` is `public_key`'s Ed25519 signature of `message`.
bool VerifyEd25519(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_AUDIT_SIGNER_H_
