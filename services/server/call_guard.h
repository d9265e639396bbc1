// The one gate every tpp.v1 call passes at its start, before any handler
// logic: authentication (the certificate's SPIFFE ID), authorization (the
// table), the per-credential rate limit, the in-flight bound, and the
// isolation gate on the external listener.
//
// Thread-safe.
#ifndef TPP_SERVICES_SERVER_CALL_GUARD_H_
#define TPP_SERVICES_SERVER_CALL_GUARD_H_

#include <atomic>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "services/server/authorization.h"
#include "services/server/forwarded_identity.h"
#include "services/server/identity.h"
#include "services/server/rate_limiter.h"

namespace tpp {

// An admitted call: who, on which listener, under which rule, until when.
struct Caller {
  Identity identity;
  Listener listener = Listener::kExternal;
  const MethodRule* rule = nullptr;
  absl::Time deadline;  // the client's, capped by the server default
};

// The node's live call counts and drain flag, shared by the guards (which
// read them) and the metrics interceptor (which keeps the counts).
struct CallCounters {
  std::atomic<int> inflight{0};       // every call, health included
  std::atomic<int> tpp_inflight{0};   // tpp.v1 calls only
  std::atomic<bool> draining{false};  // shutting down: refuse new calls
};

// Decides whether an external call may start given the isolation state.
// Implemented by the isolation switch (services/isolation).
class AdmissionGate {
 public:
  virtual ~AdmissionGate() = default;
  // At the start of every external call: platform, provider and credential
  // scopes, and the insurer scope when the caller is an insurer.
  virtual absl::Status Admit(const Caller& caller) const = 0;
  // Once the handler knows which insurer's members, claims or settlements
  // the call touches (a request field, or the stored claim): the insurer
  // scope, whoever the caller is.
  virtual absl::Status AdmitInsurer(const Caller& caller,
                                    absl::string_view insurer_id) const = 0;
};

class CallGuard {
 public:
  struct Options {
    std::string trust_domain = "tpp.local";
    absl::Duration unary_deadline = absl::Seconds(30);
    absl::Duration stream_deadline = absl::Minutes(30);
    int inflight_max = 4096;
    // The edge router's own SPIFFE ID: on a connection presenting exactly
    // it, the caller is the certificate forwarded in kForwardedCertHeader,
    // checked by `forwarded_certs` (which then outlives the guard). Empty:
    // every caller is its connection's certificate. External listener only.
    std::string trusted_proxy_id;
    const ForwardedCertVerifier* forwarded_certs = nullptr;
  };

  // `counters`, `limiter` and `gate` (may be null) outlive the guard.
  CallGuard(const Options& options, Listener listener, CallCounters* counters,
            RateLimiter* limiter, const AdmissionGate* gate);

  // REQUIRES: `method` is the full gRPC method name of the handler calling.
  absl::StatusOr<Caller> Admit(grpc::CallbackServerContext* ctx,
                               absl::string_view method, bool streaming) const;

  // The insurer scope of the isolation gate, for a call already admitted
  // that touches `insurer_id`'s data. OK on the admin listener.
  absl::Status AdmitInsurer(const Caller& caller,
                            absl::string_view insurer_id) const;

  // The caller's identity: the connection's certificate, or the one the
  // trusted edge router forwards (see Options::trusted_proxy_id).
  absl::StatusOr<Identity> Authenticate(
      const grpc::ServerContextBase& ctx) const;

  Listener listener() const { return listener_; }
  const Options& options() const { return options_; }

 private:
  const Options options_;
  const Listener listener_;
  CallCounters* const counters_;
  RateLimiter* const limiter_;
  const AdmissionGate* const gate_;
};

// The caller's identity from the verified certificate's single URI SAN.
absl::StatusOr<Identity> IdentityOf(const grpc::ServerContextBase& ctx,
                                    absl::string_view trust_domain);

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_CALL_GUARD_H_
