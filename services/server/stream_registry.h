// StreamRegistry: the open streaming calls of the external listener, so
// that isolating a scope cancels the streams it covers within milliseconds
// (DESIGN.md, "The isolation switch", rule 3). A streaming handler
// registers right after CallGuard::Admit, with the insurer whose data the
// stream touches when it knows it, and keeps the Registration until its
// reactor is done:
//
//   absl::StatusOr<StreamRegistry::Registration> registration =
//       registry->Register(ctx, *caller, insurer_id);  // "" when none
//   if (!registration.ok()) return new
//   FinishedWriter<T>(registration.status()); return new MyReactor(...,
//   *std::move(registration));  // a member
//
// Register re-checks the gate after registering: an Isolate that lands
// between the guard and the registration is never missed. CancelRefused()
// (called by the isolation switch after every tightening) calls TryCancel()
// on every registered stream the gate now refuses; the reactor sees it as a
// cancellation (reads/writes fail, IsCancelled() is true) and finishes.
//
// Thread-safe. Reactor callbacks that TryCancel() runs inline on the
// cancelling thread may drop their Registration there.
#ifndef TPP_SERVICES_SERVER_STREAM_REGISTRY_H_
#define TPP_SERVICES_SERVER_STREAM_REGISTRY_H_

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/grpcpp.h"
#include "services/server/call_guard.h"

namespace tpp {

// Open streams per node past which new ones are refused (RESOURCE_EXHAUSTED):
// far above inflight_max's default, a bound on this table.
inline constexpr size_t kRegisteredStreamsMax = 65536;

class StreamRegistry {
 public:
  // Unregisters when destroyed. Move-only; an empty one does nothing.
  class Registration {
   public:
    Registration() = default;
    Registration(Registration&& other) noexcept;
    Registration& operator=(Registration&& other) noexcept;
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;
    ~Registration();

   private:
    friend class StreamRegistry;
    Registration(StreamRegistry* registry, uint64_t id)
        : registry_(registry), id_(id) {}
    StreamRegistry* registry_ = nullptr;
    uint64_t id_ = 0;
  };

  // `gate` (may be null: nothing is ever refused) outlives the registry.
  explicit StreamRegistry(const AdmissionGate* gate) : gate_(gate) {}

  // Registers the stream of `ctx` (external listener only: on the admin
  // listener, an empty Registration) and re-checks the gate. The gate's
  // refusal, or RESOURCE_EXHAUSTED past kRegisteredStreamsMax.
  // REQUIRES: the Registration is dropped before the reactor's OnDone
  // returns (ctx must stay valid while registered).
  absl::StatusOr<Registration> Register(grpc::CallbackServerContext* ctx,
                                        const Caller& caller,
                                        absl::string_view insurer_id = "");

  // Cancels every registered stream the gate now refuses; returns how many.
  int CancelRefused();

  size_t size() const;

 private:
  struct Entry {
    grpc::CallbackServerContext* ctx;
    Caller caller;
    std::string insurer_id;
  };

  bool Refused(const Entry& entry) const;
  void Unregister(uint64_t id) ABSL_NO_THREAD_SAFETY_ANALYSIS;

  const AdmissionGate* const gate_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint64_t, Entry> entries_ ABSL_GUARDED_BY(mu_);
  uint64_t next_id_ ABSL_GUARDED_BY(mu_) = 1;
  // The thread inside CancelRefused (holding mu_), so that a Registration
  // dropped by a callback TryCancel() ran inline does not relock mu_.
  std::atomic<std::thread::id> cancelling_{std::thread::id()};
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_STREAM_REGISTRY_H_
