#include "services/server/call_guard.h"

#include <algorithm>
#include <iterator>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "services/common/errors.h"
#include "services/common/status_macros.h"

namespace tpp {

CallGuard::CallGuard(const Options& options, Listener listener,
                     CallCounters* counters, RateLimiter* limiter,
                     const AdmissionGate* gate)
    : options_(options),
      listener_(listener),
      counters_(counters),
      limiter_(limiter),
      gate_(gate) {}

namespace {

// The single URI SAN of the connection's verified certificate.
absl::StatusOr<std::string> PeerSpiffeId(const grpc::ServerContextBase& ctx) {
  std::shared_ptr<const grpc::AuthContext> auth = ctx.auth_context();
  if (auth == nullptr || !auth->IsPeerAuthenticated()) {
    return absl::UnauthenticatedError("no verified client certificate");
  }
  // gRPC sets peer_spiffe_id only when the certificate holds exactly one URI
  // SAN: none, or several, leave it absent.
  std::vector<grpc::string_ref> ids =
      auth->FindPropertyValues(GRPC_PEER_SPIFFE_ID_PROPERTY_NAME);
  if (ids.size() != 1) {
    return absl::UnauthenticatedError(
        "client certificate must hold exactly one URI SAN (a SPIFFE ID)");
  }
  return std::string(ids[0].data(), ids[0].size());
}

}  // namespace

absl::StatusOr<Identity> IdentityOf(const grpc::ServerContextBase& ctx,
                                    absl::string_view trust_domain) {
  TPP_ASSIGN_OR_RETURN(std::string uri, PeerSpiffeId(ctx));
  return ParseSpiffeId(uri, trust_domain);
}

absl::StatusOr<Identity> CallGuard::Authenticate(
    const grpc::ServerContextBase& ctx) const {
  TPP_ASSIGN_OR_RETURN(std::string uri, PeerSpiffeId(ctx));
  if (options_.trusted_proxy_id.empty() || uri != options_.trusted_proxy_id) {
    // Anyone but the edge router: a forwarded-certificate header, if any, is
    // ignored.
    return ParseSpiffeId(uri, options_.trust_domain);
  }
  auto forwarded = ctx.client_metadata().equal_range(kForwardedCertHeader);
  if (forwarded.first == forwarded.second ||
      std::next(forwarded.first) != forwarded.second ||
      options_.forwarded_certs == nullptr) {
    return absl::UnauthenticatedError(
        "the edge router forwarded no (or several) client certificates");
  }
  const grpc::string_ref& value = forwarded.first->second;
  TPP_ASSIGN_OR_RETURN(std::string client_uri,
                       options_.forwarded_certs->VerifiedUriSan(
                           absl::string_view(value.data(), value.size())));
  return ParseSpiffeId(client_uri, options_.trust_domain);
}

absl::StatusOr<Caller> CallGuard::Admit(grpc::CallbackServerContext* ctx,
                                        absl::string_view method,
                                        bool streaming) const {
  absl::StatusOr<Identity> identity = Authenticate(*ctx);
  if (!identity.ok()) {
    return WithReason(identity.status(), "UNAUTHENTICATED");
  }
  Caller caller;
  caller.identity = *std::move(identity);
  caller.listener = listener_;
  caller.rule = FindRule(method);
  absl::Status allowed =
      Authorize(caller.rule, caller.identity.role, listener_);
  if (!allowed.ok()) return allowed;

  const absl::Time now = absl::Now();
  if (counters_->draining.load(std::memory_order_relaxed)) {
    return WithRetryDelay(
        WithReason(absl::UnavailableError("the node is shutting down"),
                   "SHUTTING_DOWN"),
        absl::Seconds(1));
  }
  if (counters_->inflight.load(std::memory_order_relaxed) >
      options_.inflight_max) {
    return WithRetryDelay(
        WithReason(absl::ResourceExhaustedError("the node is at capacity"),
                   "OVERLOADED"),
        absl::Milliseconds(100));
  }
  absl::Status rate = limiter_->Acquire(caller.identity.spiffe_id, now);
  if (!rate.ok()) return rate;

  absl::Time client_deadline = absl::FromChrono(ctx->deadline());
  caller.deadline = std::min(
      client_deadline,
      now + (streaming ? options_.stream_deadline : options_.unary_deadline));

  if (gate_ != nullptr && listener_ == Listener::kExternal) {
    absl::Status open = gate_->Admit(caller);
    if (!open.ok()) return open;
  }
  return caller;
}

absl::Status CallGuard::AdmitInsurer(const Caller& caller,
                                     absl::string_view insurer_id) const {
  if (gate_ == nullptr || listener_ != Listener::kExternal) {
    return absl::OkStatus();
  }
  return gate_->AdmitInsurer(caller, insurer_id);
}

}  // namespace tpp
