#include "storage/crypto/mac.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "absl/status/status.h"
#include "storage/crypto/key_use.h"

namespace tpp::crypto {

absl::StatusOr<std::string> HmacSha256(const SecureBytes& key,
                                       absl::string_view message) {
  if (key.empty()) return absl::InvalidArgumentError("HMAC key is empty");
  std::string mac(kHmacSha256Bytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(mac.data());
  internal::KeyUse use;
  if (key.wiped()) return absl::FailedPreconditionError("keys sealed");
  EVP_MAC_CTX* ctx = use.HmacSha256Keyed(key.data(), key.size());
  size_t length = 0;
  if (ctx == nullptr ||
      EVP_MAC_update(ctx,
                     reinterpret_cast<const unsigned char*>(message.data()),
                     message.size()) != 1 ||
      EVP_MAC_final(ctx, out, &length, kHmacSha256Bytes) != 1 ||
      length != kHmacSha256Bytes) {
    return absl::InternalError("HMAC-SHA256 failed");
  }
  return mac;
}

absl::StatusOr<SecureBytes> HkdfSha256(const SecureBytes& ikm,
                                       absl::string_view info,
                                       size_t out_bytes) {
  if (ikm.empty()) return absl::InvalidArgumentError("HKDF key is empty");
  if (out_bytes == 0 || out_bytes > kHkdfOutputBytesMax) {
    return absl::InvalidArgumentError("HKDF output size out of range");
  }
  internal::KeyUse use;
  if (ikm.wiped()) return absl::FailedPreconditionError("keys sealed");
  SecureBytes out(out_bytes);
  EVP_KDF* kdf = internal::HkdfAlgorithm();
  EVP_KDF_CTX* ctx = kdf == nullptr ? nullptr : EVP_KDF_CTX_new(kdf);
  if (ctx == nullptr) return absl::InternalError("HKDF unavailable");
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                        const_cast<unsigned char*>(ikm.data()),
                                        ikm.size()),
      OSSL_PARAM_construct_octet_string(
          OSSL_KDF_PARAM_INFO, const_cast<char*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  const int derived = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);  // Cleanses its copy of the key.
  if (derived != 1) return absl::InternalError("HKDF-SHA256 failed");
  return out;
}

}  // namespace tpp::crypto
