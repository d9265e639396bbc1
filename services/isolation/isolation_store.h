// IsolationStore: where the isolation state and the control log live. The
// isolation switch reaches storage only through this interface; storage/
// implements it on the control column family, tests may fake it.
//
// Implementations are thread-safe. Save and Append never block on I/O: they
// call `done` once the write is durable (synced) or has failed, in the order
// they were called.
#ifndef TPP_SERVICES_ISOLATION_ISOLATION_STORE_H_
#define TPP_SERVICES_ISOLATION_ISOLATION_STORE_H_

#include <functional>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "services/audit/audit_event.h"
#include "services/isolation/isolation_state.h"

namespace tpp::isolation {

struct LoadedState {
  enum class Origin : uint8_t {
    kFresh,       // a new node: nothing stored yet, platform OPEN
    kStored,      // read back
    kFailClosed,  // unreadable, or missing when expected: platform ISOLATED
  };
  Origin origin = Origin::kFresh;
  IsolationState state;
};

class IsolationStore {
 public:
  using Done = std::function<void(absl::Status)>;
  virtual ~IsolationStore() = default;

  // At start-up, before the listeners accept. Blocks. A state that cannot
  // be read (corrupt, unknown format) or is missing while the node holds
  // data comes back as kFailClosed with the platform ISOLATED (and its
  // events are already logged). An error only when the database itself
  // fails.
  virtual absl::StatusOr<LoadedState> Load() = 0;

  // Replaces the stored state and appends `events` to the control log, in
  // one synced write, with the audit records `audit` (the operator's call
  // that made the change).
  virtual void Save(const IsolationState& state,
                    std::vector<ControlEvent> events,
                    std::vector<AuditEvent> audit, Done done) = 0;
  // Appends `events` alone (refusals, unseal shares), synced, with `audit`.
  virtual void Append(std::vector<ControlEvent> events,
                      std::vector<AuditEvent> audit, Done done) = 0;
};

}  // namespace tpp::isolation

#endif  // TPP_SERVICES_ISOLATION_ISOLATION_STORE_H_
