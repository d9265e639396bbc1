// The admission rules of IsolationState (isolation_state.h): what the gate
// answers an external call, on every call. Kept apart from the transitions;
// cheap when nothing is isolated.
#include "absl/time/time.h"
#include "services/common/errors.h"
#include "services/isolation/isolation_state.h"

namespace tpp::isolation {
namespace {

// Refused callers may retry: isolation is lifted by operators, not by time.
constexpr absl::Duration kRefusedRetryDelay = absl::Seconds(30);

absl::Status Refused(absl::string_view message, absl::string_view reason) {
  return WithRetryDelay(WithReason(absl::UnavailableError(message), reason),
                        kRefusedRetryDelay);
}

bool Allowed(const ScopeState& scope, absl::string_view id) {
  return std::binary_search(scope.allowlist.begin(), scope.allowlist.end(), id);
}

bool IsPrincipal(const Principal& p) {
  return p.kind == Principal::Kind::kProvider ||
         p.kind == Principal::Kind::kInsurer;
}

}  // namespace

absl::Status IsolationState::Admit(const Principal& caller) const {
  if (quiet_) return absl::OkStatus();
  const ScopeState* credential = Find(ScopeKind::kCredential, caller.spiffe_id);
  if (credential != nullptr && credential->state != State::kOpen) {
    return WithReason(
        absl::PermissionDeniedError("this credential is suspended"),
        "CREDENTIAL_SUSPENDED");
  }
  const ScopeState* platform = Find(ScopeKind::kPlatform, "");
  if (platform->state == State::kIsolated ||
      (platform->state == State::kReopening &&
       !(IsPrincipal(caller) && Allowed(*platform, caller.id)))) {
    return Refused("the platform is isolated", "PLATFORM_ISOLATED");
  }
  if (caller.kind == Principal::Kind::kProvider &&
      Find(ScopeKind::kProvider, caller.id) != nullptr) {
    return Refused("this provider is isolated", "PROVIDER_ISOLATED");
  }
  if (caller.kind == Principal::Kind::kInsurer) {
    return AdmitInsurer(caller, caller.id);
  }
  return absl::OkStatus();
}

absl::Status IsolationState::AdmitInsurer(const Principal& caller,
                                          absl::string_view insurer_id) const {
  if (quiet_) return absl::OkStatus();
  const ScopeState* insurer = Find(ScopeKind::kInsurer, insurer_id);
  if (insurer == nullptr || insurer->state == State::kOpen) {
    return absl::OkStatus();
  }
  if (insurer->state == State::kReopening) {
    const bool allowed =
        (caller.kind == Principal::Kind::kProvider &&
         Allowed(*insurer, caller.id)) ||
        (caller.kind == Principal::Kind::kInsurer && caller.id == insurer_id &&
         Allowed(*insurer, caller.id));
    if (allowed) return absl::OkStatus();
  }
  return Refused("this insurer is isolated", "INSURER_ISOLATED");
}

}  // namespace tpp::isolation
