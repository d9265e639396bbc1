#include "storage/crypto/aead.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "absl/status/status.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/key_use.h"
#include "storage/crypto/macros.h"

namespace tpp::crypto {
namespace {

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

absl::Status SealedError() {
  return absl::FailedPreconditionError("keys sealed");
}

absl::Status DamagedError() {
  return absl::DataLossError(
      "cannot decrypt: envelope damaged, or wrong key or associated data");
}

absl::Status CheckKey(const SecureBytes& key) {
  if (key.size() != kAeadKeyBytes) {
    return absl::InvalidArgumentError("AEAD key must be 32 bytes");
  }
  return absl::OkStatus();
}

absl::Status CheckSealInputs(const SecureBytes& key, size_t plaintext_size,
                             absl::string_view aad) {
  TPP_CRYPTO_RETURN_IF_ERROR(CheckKey(key));
  if (plaintext_size > kPlaintextBytesMax) {
    return absl::InvalidArgumentError("plaintext too large");
  }
  if (aad.size() > kAadBytesMax) {
    return absl::InvalidArgumentError("associated data too large");
  }
  return absl::OkStatus();
}

// Writes the envelope of plaintext[0, size) to `out`, which holds
// size + kEnvelopeOverheadBytes bytes. REQUIRES: inside `use`, key checked.
absl::Status SealLocked(internal::KeyUse& use, const SecureBytes& key,
                        uint32_t key_version, const unsigned char* plaintext,
                        size_t size, absl::string_view aad,
                        unsigned char* out) {
  out[0] = kEnvelopeVersion;
  internal::StoreBigEndian32(key_version, out + 1);
  unsigned char* nonce = out + kEnvelopeHeaderBytes;
  unsigned char* ciphertext = nonce + kNonceBytes;
  if (!use.PublicRandom(nonce, kNonceBytes)) {
    return absl::UnavailableError("random generator failed");
  }
  EVP_CIPHER_CTX* ctx = use.GcmKeyed(key.data());
  int length = 0;
  if (ctx == nullptr ||
      EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce, 1, nullptr) != 1 ||
      EVP_CipherUpdate(ctx, nullptr, &length, out, kEnvelopeHeaderBytes) != 1 ||
      (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &length, Bytes(aad),
                                        static_cast<int>(aad.size())) != 1) ||
      (size > 0 && EVP_CipherUpdate(ctx, ciphertext, &length, plaintext,
                                    static_cast<int>(size)) != 1) ||
      EVP_CipherFinal_ex(ctx, ciphertext + size, &length) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kTagBytes,
                          ciphertext + size) != 1) {
    return absl::InternalError("AES-GCM encryption failed");
  }
  return absl::OkStatus();
}

// Decrypts `envelope` into `out`, which holds PlaintextSize(envelope) bytes.
// On failure `out` may hold unauthenticated bytes: the caller cleanses it.
// REQUIRES: inside `use`, key checked, envelope size and version checked.
absl::Status OpenLocked(internal::KeyUse& use, const SecureBytes& key,
                        absl::string_view envelope, absl::string_view aad,
                        unsigned char* out) {
  const unsigned char* header = Bytes(envelope);
  const unsigned char* nonce = header + kEnvelopeHeaderBytes;
  const unsigned char* ciphertext = nonce + kNonceBytes;
  const size_t size = envelope.size() - kEnvelopeOverheadBytes;
  // The tag is copied because the ctrl call takes a non-const pointer.
  unsigned char tag[kTagBytes];
  std::copy(ciphertext + size, ciphertext + size + kTagBytes, tag);
  EVP_CIPHER_CTX* ctx = use.GcmKeyed(key.data());
  int length = 0;
  if (ctx == nullptr ||
      EVP_CipherInit_ex2(ctx, nullptr, nullptr, nonce, 0, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kTagBytes, tag) != 1) {
    return absl::InternalError("AES-GCM decryption failed");
  }
  if (EVP_CipherUpdate(ctx, nullptr, &length, header, kEnvelopeHeaderBytes) !=
          1 ||
      (!aad.empty() && EVP_CipherUpdate(ctx, nullptr, &length, Bytes(aad),
                                        static_cast<int>(aad.size())) != 1) ||
      (size > 0 && EVP_CipherUpdate(ctx, out, &length, ciphertext,
                                    static_cast<int>(size)) != 1) ||
      EVP_CipherFinal_ex(ctx, out + size, &length) != 1) {
    return DamagedError();
  }
  return absl::OkStatus();
}

// Checks what Open can check before decrypting; returns the plaintext size.
absl::StatusOr<size_t> CheckOpenInputs(const SecureBytes& key,
                                       absl::string_view envelope,
                                       absl::string_view aad) {
  TPP_CRYPTO_RETURN_IF_ERROR(CheckKey(key));
  TPP_CRYPTO_RETURN_IF_ERROR(EnvelopeKeyVersion(envelope).status());
  const size_t size = envelope.size() - kEnvelopeOverheadBytes;
  // Larger envelopes were never sealed, and sizes must fit OpenSSL's int.
  if (size > kPlaintextBytesMax || aad.size() > kAadBytesMax) {
    return DamagedError();
  }
  return size;
}

}  // namespace

absl::StatusOr<std::string> Seal(const SecureBytes& key, uint32_t key_version,
                                 absl::string_view plaintext,
                                 absl::string_view aad) {
  TPP_CRYPTO_RETURN_IF_ERROR(CheckSealInputs(key, plaintext.size(), aad));
  std::string envelope(plaintext.size() + kEnvelopeOverheadBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(envelope.data());
  internal::KeyUse use;
  if (key.wiped()) return SealedError();
  TPP_CRYPTO_RETURN_IF_ERROR(SealLocked(use, key, key_version, Bytes(plaintext),
                                        plaintext.size(), aad, out));
  return envelope;
}

absl::StatusOr<std::string> SealSecret(const SecureBytes& key,
                                       uint32_t key_version,
                                       const SecureBytes& secret,
                                       absl::string_view aad) {
  TPP_CRYPTO_RETURN_IF_ERROR(CheckSealInputs(key, secret.size(), aad));
  std::string envelope(secret.size() + kEnvelopeOverheadBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(envelope.data());
  internal::KeyUse use;
  if (key.wiped() || secret.wiped()) return SealedError();
  TPP_CRYPTO_RETURN_IF_ERROR(SealLocked(use, key, key_version, secret.data(),
                                        secret.size(), aad, out));
  return envelope;
}

absl::StatusOr<std::string> Open(const SecureBytes& key,
                                 absl::string_view envelope,
                                 absl::string_view aad) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const size_t size,
                              CheckOpenInputs(key, envelope, aad));
  std::string plaintext(size, '\0');
  auto* out = reinterpret_cast<unsigned char*>(plaintext.data());
  internal::KeyUse use;
  if (key.wiped()) return SealedError();
  if (absl::Status status = OpenLocked(use, key, envelope, aad, out);
      !status.ok()) {
    OPENSSL_cleanse(out, size);
    return status;
  }
  return plaintext;
}

absl::StatusOr<SecureBytes> OpenSecret(const SecureBytes& key,
                                       absl::string_view envelope,
                                       absl::string_view aad) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const size_t size,
                              CheckOpenInputs(key, envelope, aad));
  if (size > kSecureBytesMax) return DamagedError();
  internal::KeyUse use;
  if (key.wiped()) return SealedError();
  SecureBytes secret(size);
  TPP_CRYPTO_RETURN_IF_ERROR(
      OpenLocked(use, key, envelope, aad, secret.data()));
  return secret;  // On failure its destructor cleansed it.
}

absl::StatusOr<uint32_t> EnvelopeKeyVersion(absl::string_view envelope) {
  if (envelope.size() < kEnvelopeOverheadBytes) {
    return absl::DataLossError("envelope truncated");
  }
  if (static_cast<uint8_t>(envelope[0]) != kEnvelopeVersion) {
    return absl::DataLossError("unknown envelope version");
  }
  return internal::LoadBigEndian32(Bytes(envelope) + 1);
}

}  // namespace tpp::crypto
