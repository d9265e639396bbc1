// AuditTrail: what the service adapters call around every audited call.
//   - Touch(event) before an answer about members leaves: the exfiltration
//     breaker counts them; past the limit the credential is suspended
//     (credential-scope isolation through the `suspend` hook) and the call
//     refused with PERMISSION_DENIED / CREDENTIAL_SUSPENDED.
//   - Record(event, done): the event made durable (group commit) before
//     `done` runs; a write carries its events in its own batch instead.
//
// Thread-safe. Touch does no I/O; Record never blocks.
#ifndef TPP_SERVICES_AUDIT_AUDIT_TRAIL_H_
#define TPP_SERVICES_AUDIT_AUDIT_TRAIL_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "services/audit/audit_event.h"
#include "services/audit/breaker.h"
#include "services/common/clock.h"

namespace tpp {

// PERMISSION_DENIED with reason CREDENTIAL_SUSPENDED.
absl::Status CredentialSuspendedError();

// What a caller gets instead of an answer whose audit record could not be
// written (UNAVAILABLE, reason AUDIT_UNAVAILABLE): nothing leaves unaudited.
absl::Status AuditUnavailable(const absl::Status& write_error);

class AuditTrail {
 public:
  struct Hooks {
    // Suspends `credential` (credential-scope isolation). Must publish the
    // suspension to the gate before returning, and not block on I/O.
    std::function<void(const std::string& credential, int limit)> suspend;
    // Whether the gate refuses `credential` (credential scope).
    std::function<bool(const std::string& credential)> refused;
    std::function<void()> on_trip;  // a metric
  };

  // `sink` and `clock` outlive the trail.
  AuditTrail(AuditSink* sink, const ExfiltrationBreaker::Options& breaker,
             const Clock* clock, Hooks hooks);

  // OK, or CREDENTIAL_SUSPENDED: then the answer must not leave, and the
  // caller records `event` with that outcome.
  absl::Status Touch(const AuditEvent& event);

  // Durable before `done` runs.
  void Record(AuditEvent event, AuditSink::Done done);

  ExfiltrationBreaker& breaker() { return breaker_; }

 private:
  AuditSink* const sink_;
  const Clock* const clock_;
  const Hooks hooks_;
  ExfiltrationBreaker breaker_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDIT_TRAIL_H_
