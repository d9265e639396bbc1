#include "services/server/call_deadline.h"

namespace tpp {

CallDeadline::CallDeadline(grpc::CallbackServerContext* ctx,
                           absl::Time deadline)
    : shared_(std::make_shared<Shared>()) {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->ctx = ctx;
  }
  alarm_.Set(absl::ToChronoTime(deadline), [shared = shared_](bool fired) {
    if (!fired) return;  // disarmed
    absl::MutexLock lock(&shared->mu);
    if (shared->ctx != nullptr) shared->ctx->TryCancel();
  });
}

CallDeadline::~CallDeadline() {
  {
    absl::MutexLock lock(&shared_->mu);
    shared_->ctx = nullptr;
  }
  alarm_.Cancel();
}

}  // namespace tpp
