// Enforces an admitted call's deadline (Caller::deadline: the client's, or
// the server default when the client set none or a later one) on a
// long-running reactor: when it passes, the call is cancelled, which ends
// it with CANCELLED/DEADLINE_EXCEEDED on the client and makes gRPC fail the
// reactor's pending operations.
//
// Owned by the reactor: construct after admission, destroy in OnDone().
// Thread-safe with respect to the timer firing concurrently with OnDone().
#ifndef TPP_SERVICES_SERVER_CALL_DEADLINE_H_
#define TPP_SERVICES_SERVER_CALL_DEADLINE_H_

#include <memory>

#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "grpcpp/alarm.h"
#include "grpcpp/grpcpp.h"

namespace tpp {

class CallDeadline {
 public:
  CallDeadline(grpc::CallbackServerContext* ctx, absl::Time deadline);
  // Disarms: after it returns the timer never touches the call.
  ~CallDeadline();
  CallDeadline(const CallDeadline&) = delete;
  CallDeadline& operator=(const CallDeadline&) = delete;

 private:
  // Shared with the timer's callback, which may outlive the reactor.
  struct Shared {
    absl::Mutex mu;
    grpc::CallbackServerContext* ctx ABSL_GUARDED_BY(mu);
  };
  std::shared_ptr<Shared> shared_;
  grpc::Alarm alarm_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_CALL_DEADLINE_H_
