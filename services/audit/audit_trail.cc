#include "services/audit/audit_trail.h"

#include <utility>

#include "services/common/errors.h"
#include "services/common/log.h"

namespace tpp {

absl::Status CredentialSuspendedError() {
  return WithReason(absl::PermissionDeniedError("this credential is suspended"),
                    "CREDENTIAL_SUSPENDED");
}

absl::Status AuditUnavailable(const absl::Status& write_error) {
  Log(LogLevel::kError, "audit_write_failed",
      {{"error", std::string(absl::StatusCodeToString(write_error.code()))}});
  return WithReason(
      absl::UnavailableError("the audit record could not be written; retry"),
      "AUDIT_UNAVAILABLE");
}

AuditTrail::AuditTrail(AuditSink* sink,
                       const ExfiltrationBreaker::Options& breaker,
                       const Clock* clock, Hooks hooks)
    : sink_(sink), clock_(clock), hooks_(std::move(hooks)), breaker_(breaker) {}

absl::Status AuditTrail::Touch(const AuditEvent& event) {
  if (event.members.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  ids.reserve(event.members.size());
  for (const AuditMember& member : event.members)
    ids.push_back(member.member_id);
  for (int attempt = 0; attempt < 2; ++attempt) {
    switch (
        breaker_.Touch(event.caller, event.caller_role, ids, clock_->Now())) {
      case ExfiltrationBreaker::Verdict::kAllowed:
        return absl::OkStatus();
      case ExfiltrationBreaker::Verdict::kTripped: {
        const int limit = breaker_.LimitFor(event.caller_role);
        Log(LogLevel::kError, "credential_suspended",
            {{"credential", event.caller},
             {"limit", limit},
             {"action", "exfiltration breaker: two operators must reopen"}});
        if (hooks_.suspend) hooks_.suspend(event.caller, limit);
        breaker_.MarkSuspended(event.caller);
        if (hooks_.on_trip) hooks_.on_trip();
        // The trip itself is an audit record of its own.
        AuditEvent trip;
        trip.caller = event.caller;
        trip.caller_role = event.caller_role;
        trip.caller_id = event.caller_id;
        trip.method = kBreakerTripMethod;
        trip.categories = kAuditPlatform;
        trip.SetOutcome(CredentialSuspendedError());
        trip.count = limit;
        sink_->Record({std::move(trip)}, [](absl::Status status) {
          if (!status.ok()) {
            Log(LogLevel::kError, "audit_write_failed",
                {{"what", "breaker trip"}, {"error", status.ToString()}});
          }
        });
        return CredentialSuspendedError();
      }
      case ExfiltrationBreaker::Verdict::kSuspended: {
        const std::string& credential = event.caller;
        const bool reopened =
            hooks_.refused && breaker_.ResetIfReopened(credential, [&] {
              return hooks_.refused(credential);
            });
        if (!reopened) return CredentialSuspendedError();
        break;  // operators reopened it: count afresh
      }
    }
  }
  return CredentialSuspendedError();
}

void AuditTrail::Record(AuditEvent event, AuditSink::Done done) {
  std::vector<AuditEvent> events;
  events.push_back(std::move(event));
  sink_->Record(std::move(events), std::move(done));
}

}  // namespace tpp
