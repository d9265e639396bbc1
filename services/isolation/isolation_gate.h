// IsolationGate: the AdmissionGate of the external listener. Every external
// call reads the state the isolation switch last published (an immutable
// snapshot behind a shared_ptr, swapped whole): cheap, and a call sees one
// consistent generation. Until the first publication it refuses everything
// (platform isolated): a node never serves before its state is loaded.
//
// Thread-safe.
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_GATE_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_GATE_H_

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "services/isolation/isolation_switch.h"
#include "services/server/call_guard.h"

namespace tpp {

class IsolationGate final : public AdmissionGate {
 public:
  IsolationGate();

  void Publish(isolation::StatePtr state);
  isolation::StatePtr Current() const;

  absl::Status Admit(const Caller& caller) const override;
  absl::Status AdmitInsurer(const Caller& caller,
                            absl::string_view insurer_id) const override;

 private:
  mutable absl::Mutex mu_;
  isolation::StatePtr state_ ABSL_GUARDED_BY(mu_);
};

}  // namespace tpp

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_GATE_H_
