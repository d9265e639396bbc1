// Identity through the edge router of a multi-cell deployment (k8s/README.md,
// "Identity through the edge router").
//
// HAProxy terminates the client's mTLS, verifies its certificate against the
// CA, and forwards that certificate (DER, base64) in the `x-tpp-client-cert`
// header over its own mTLS connection to the cell. tppd believes the header
// only on a connection whose verified certificate is exactly the configured
// proxy identity (`--trusted_proxy_identity`); from anyone else the header is
// ignored and the connection's own certificate is the caller. Even from the
// proxy, the forwarded certificate is checked here again (CA signature,
// validity dates, client-auth purpose, exactly one URI SAN): a mistake in the
// proxy's configuration cannot make up an identity the CA never issued.
//
// Thread-safe: VerifiedUriSan() may be called from any thread.
#ifndef TPP_SERVICES_SERVER_FORWARDED_IDENTITY_H_
#define TPP_SERVICES_SERVER_FORWARDED_IDENTITY_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

// The metadata header the edge router sets (and overwrites if a client sent
// one).
inline constexpr char kForwardedCertHeader[] = "x-tpp-client-cert";
// A client certificate is well under 2 KiB; its base64 under 4/3 of that.
inline constexpr size_t kForwardedCertBase64BytesMax = 8192;

class ForwardedCertVerifier {
 public:
  // `ca_pem` holds one or more CA certificates (the node's ca.pem).
  static absl::StatusOr<std::unique_ptr<ForwardedCertVerifier>> Create(
      absl::string_view ca_pem);
  ~ForwardedCertVerifier();
  ForwardedCertVerifier(const ForwardedCertVerifier&) = delete;
  ForwardedCertVerifier& operator=(const ForwardedCertVerifier&) = delete;

  // The single URI SAN of the certificate in `base64_der`, once it is
  // verified against the CA for client authentication at the current time.
  // UNAUTHENTICATED otherwise (bad encoding, unknown issuer, expired, no or
  // several URI SANs).
  absl::StatusOr<std::string> VerifiedUriSan(
      absl::string_view base64_der) const;

 private:
  struct Store;
  explicit ForwardedCertVerifier(std::unique_ptr<Store> store);
  std::unique_ptr<Store> store_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_FORWARDED_IDENTITY_H_
