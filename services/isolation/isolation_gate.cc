#include "services/isolation/isolation_gate.h"

#include <utility>

#include "absl/time/clock.h"

namespace tpp {
namespace {

isolation::Principal PrincipalOf(const Caller& caller) {
  isolation::Principal p;
  switch (caller.identity.role) {
    case Role::kProvider:
      p.kind = isolation::Principal::Kind::kProvider;
      break;
    case Role::kInsurer:
      p.kind = isolation::Principal::Kind::kInsurer;
      break;
    case Role::kOperator:
      p.kind = isolation::Principal::Kind::kOther;
      break;
  }
  p.id = caller.identity.id;
  p.spiffe_id = caller.identity.spiffe_id;
  return p;
}

}  // namespace

IsolationGate::IsolationGate()
    : state_(std::make_shared<const isolation::IsolationState>(
          isolation::IsolationState::PlatformIsolated(
              "the isolation state is not loaded yet", absl::Now()))) {}

void IsolationGate::Publish(isolation::StatePtr state) {
  absl::MutexLock lock(&mu_);
  state_ = std::move(state);
}

isolation::StatePtr IsolationGate::Current() const {
  absl::ReaderMutexLock lock(&mu_);
  return state_;
}

absl::Status IsolationGate::Admit(const Caller& caller) const {
  return Current()->Admit(PrincipalOf(caller));
}

absl::Status IsolationGate::AdmitInsurer(const Caller& caller,
                                         absl::string_view insurer_id) const {
  return Current()->AdmitInsurer(PrincipalOf(caller), insurer_id);
}

}  // namespace tpp
