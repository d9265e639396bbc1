#include "services/server/forwarded_identity.h"

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <string>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"

namespace tpp {

struct ForwardedCertVerifier::Store {
  X509_STORE* store = nullptr;
  ~Store() { X509_STORE_free(store); }
};

ForwardedCertVerifier::ForwardedCertVerifier(std::unique_ptr<Store> store)
    : store_(std::move(store)) {}

ForwardedCertVerifier::~ForwardedCertVerifier() = default;

absl::StatusOr<std::unique_ptr<ForwardedCertVerifier>>
ForwardedCertVerifier::Create(absl::string_view ca_pem) {
  auto store = std::make_unique<Store>();
  store->store = X509_STORE_new();
  if (store->store == nullptr) return absl::InternalError("X509_STORE_new");
  BIO* bio = BIO_new_mem_buf(ca_pem.data(), static_cast<int>(ca_pem.size()));
  if (bio == nullptr) return absl::InternalError("BIO_new_mem_buf");
  int added = 0;
  while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    const int ok = X509_STORE_add_cert(store->store, ca);
    X509_free(ca);
    if (ok != 1) {
      BIO_free(bio);
      return absl::InvalidArgumentError("cannot add a CA certificate");
    }
    ++added;
  }
  BIO_free(bio);
  if (added == 0) {
    return absl::InvalidArgumentError("no CA certificate in the CA file");
  }
  return std::unique_ptr<ForwardedCertVerifier>(
      new ForwardedCertVerifier(std::move(store)));
}

absl::StatusOr<std::string> ForwardedCertVerifier::VerifiedUriSan(
    absl::string_view base64_der) const {
  if (base64_der.empty() || base64_der.size() > kForwardedCertBase64BytesMax) {
    return absl::UnauthenticatedError(
        "forwarded client certificate is missing or too large");
  }
  std::string der;
  if (!absl::Base64Unescape(base64_der, &der) || der.empty()) {
    return absl::UnauthenticatedError(
        "forwarded client certificate is not base64");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (cert == nullptr ||
      p != reinterpret_cast<const unsigned char*>(der.data()) + der.size()) {
    X509_free(cert);
    return absl::UnauthenticatedError(
        "forwarded client certificate is not one DER certificate");
  }
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  bool verified =
      ctx != nullptr &&
      X509_STORE_CTX_init(ctx, store_->store, cert, nullptr) == 1 &&
      X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_CLIENT) == 1 &&
      X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  if (!verified) {
    X509_free(cert);
    return absl::UnauthenticatedError(
        "forwarded client certificate does not verify against the CA");
  }
  // As gRPC does for a direct peer: exactly one URI SAN, or no identity.
  std::string uri;
  int uris = 0;
  auto* names = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type != GEN_URI) continue;
    ++uris;
    const ASN1_IA5STRING* value = name->d.uniformResourceIdentifier;
    uri.assign(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
               static_cast<size_t>(ASN1_STRING_length(value)));
  }
  GENERAL_NAMES_free(names);
  X509_free(cert);
  if (uris != 1) {
    return absl::UnauthenticatedError(
        "forwarded client certificate must hold exactly one URI SAN");
  }
  return uri;
}

}  // namespace tpp
