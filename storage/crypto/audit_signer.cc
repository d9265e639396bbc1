#include "storage/crypto/audit_signer.h"

#include <openssl/evp.h>

#include <utility>

namespace tpp::crypto {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

const unsigned char* Bytes(absl::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

}  // namespace

struct AuditSigner::Key {
  PkeyPtr pkey;
};

AuditSigner::AuditSigner(std::unique_ptr<Key> key, std::string public_key)
    : key_(std::move(key)), public_key_(std::move(public_key)) {}

AuditSigner::~AuditSigner() = default;

absl::StatusOr<std::unique_ptr<AuditSigner>> AuditSigner::FromSeed(
    const SecureBytes& seed) {
  if (seed.size() != 32) {
    return absl::InvalidArgumentError("an Ed25519 seed is 32 bytes");
  }
  auto key = std::make_unique<Key>();
  key->pkey.reset(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                               seed.data(), seed.size()));
  if (key->pkey == nullptr) {
    return absl::InternalError("cannot build the audit signing key");
  }
  std::string public_key(kEd25519PublicKeyBytes, '\0');
  size_t size = public_key.size();
  if (EVP_PKEY_get_raw_public_key(
          key->pkey.get(), reinterpret_cast<unsigned char*>(public_key.data()),
          &size) != 1 ||
      size != kEd25519PublicKeyBytes) {
    return absl::InternalError("cannot read the audit public key");
  }
  return std::unique_ptr<AuditSigner>(
      new AuditSigner(std::move(key), std::move(public_key)));
}

absl::StatusOr<std::string> AuditSigner::Sign(absl::string_view message) const {
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (ctx == nullptr || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr,
                                           key_->pkey.get()) != 1) {
    return absl::InternalError("cannot start an audit signature");
  }
  std::string signature(kEd25519SignatureBytes, '\0');
  size_t size = signature.size();
  if (EVP_DigestSign(ctx.get(),
                     reinterpret_cast<unsigned char*>(signature.data()), &size,
                     Bytes(message), message.size()) != 1 ||
      size != kEd25519SignatureBytes) {
    return absl::InternalError("cannot sign an audit checkpoint");
  }
  return signature;
}

bool VerifyEd25519(absl::string_view public_key, absl::string_view message,
                   absl::string_view signature) {
  if (public_key.size() != kEd25519PublicKeyBytes ||
      signature.size() != kEd25519SignatureBytes) {
    return false;
  }
  PkeyPtr pkey(EVP_PKEY_new_raw_public_key(
      EVP_PKEY_ED25519, nullptr, Bytes(public_key), public_key.size()));
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (pkey == nullptr || ctx == nullptr ||
      EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, pkey.get()) !=
          1) {
    return false;
  }
  return EVP_DigestVerify(ctx.get(), Bytes(signature), signature.size(),
                          Bytes(message), message.size()) == 1;
}

}  // namespace tpp::crypto
