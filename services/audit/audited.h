// Helpers for service adapters: the audit event of an admitted call,
// finishing a call once its audit record is durable, and the isolation
// gate with its refusals audited.
#ifndef TPP_SERVICES_AUDIT_AUDITED_H_
#define TPP_SERVICES_AUDIT_AUDITED_H_

#include <functional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "grpcpp/grpcpp.h"
#include "services/audit/audit_trail.h"
#include "services/server/call_guard.h"
#include "services/server/grpc_status.h"

namespace tpp {

// The event skeleton of `caller`'s call to `method` (a full gRPC name).
AuditEvent AuditEventFor(const Caller& caller, absl::string_view method);

// Records `event` with `status` as its outcome, then calls `finish` with
// what the caller gets: `status`, or UNAVAILABLE (AUDIT_UNAVAILABLE) when
// the record of an OK answer could not be written: nothing leaves
// unaudited. `trail` may be null (tests without audit): finishes at once.
void RecordThenFinish(AuditTrail* trail, AuditEvent event,
                      const absl::Status& status,
                      std::function<void(const grpc::Status&)> finish);

// Sets `event`'s outcome from `status`, records it, then finishes
// `reactor` with `status`; if the record cannot be written, an answer that
// was OK becomes UNAVAILABLE (nothing leaves unaudited). `trail` may be
// null (tests without audit): finishes at once.
void FinishAudited(AuditTrail* trail, grpc::ServerUnaryReactor* reactor,
                   AuditEvent event, const absl::Status& status);

// For a call whose store wrote its record in the action's own batch
// (InBatchAudit): finishes with `status` at once when `audit.recorded`,
// else like FinishAudited. REQUIRES: the store records in its last write,
// so that a recorded call cannot fail after it.
void FinishAuditedUnlessRecorded(AuditTrail* trail,
                                 grpc::ServerUnaryReactor* reactor,
                                 InBatchAudit audit,
                                 const absl::Status& status);

// The same for a call refused or failed before any reactor was made.
grpc::ServerUnaryReactor* FinishUnaryAudited(AuditTrail* trail,
                                             grpc::CallbackServerContext* ctx,
                                             AuditEvent event,
                                             const absl::Status& status);

// For the operators' isolation and key calls, which must work and tell the
// truth during a storage incident (DESIGN.md: the admin listener and the
// operators' views stay up): records `event` and finishes once the record
// is durable, like FinishAudited, but with `status` even when the record
// could not be written (that failure is logged). Their transitions are
// durable on their own (the isolation control log, the key file): an
// operator must never read "failed" for an isolation in force.
void FinishAuditedKeepingStatus(AuditTrail* trail,
                                grpc::ServerUnaryReactor* reactor,
                                AuditEvent event, const absl::Status& status);

// The same for an operator's call whose record its store may have written
// in the call's own batch (InBatchAudit): finishes at once when
// `audit.recorded`.
void FinishAuditedKeepingStatusUnlessRecorded(AuditTrail* trail,
                                              grpc::ServerUnaryReactor* reactor,
                                              const InBatchAudit& audit,
                                              const absl::Status& status);

// A server-streaming call that ends before its first message (a bad
// request, an unknown object): finishes once `event`, with `status` as its
// outcome, is durable. `trail` may be null.
template <class Response>
class AuditedFinishedWriter final : public grpc::ServerWriteReactor<Response> {
 public:
  AuditedFinishedWriter(AuditTrail* trail, AuditEvent event,
                        const absl::Status& status) {
    RecordThenFinish(trail, std::move(event), status,
                     [this](const grpc::Status& s) { this->Finish(s); });
  }
  void OnDone() override { delete this; }
};

// The same for a client-streaming call.
template <class Request>
class AuditedFinishedReader final : public grpc::ServerReadReactor<Request> {
 public:
  AuditedFinishedReader(AuditTrail* trail, AuditEvent event,
                        const absl::Status& status) {
    RecordThenFinish(trail, std::move(event), status,
                     [this](const grpc::Status& s) { this->Finish(s); });
  }
  void OnDone() override { delete this; }
};

// The external listener's isolation gate, its refusals audited: a call
// refused because its scope is isolated or its credential suspended leaves
// a record (caller, method, outcome and reason; no member, no category), so
// that a breach investigation sees what a suspended credential still tried.
// One place for every handler, eligibility and claims included.
//
// Cheap on purpose: calls reach the gate only once authenticated, allowed
// and within their credential's rate, which bounds the records a refused
// credential can cause; Record() never blocks (group commit). The refusal
// carries no data, so it is not held back until its record is durable: a
// crash in the milliseconds between may lose that record, never an answer's.
// Calls refused before the gate (unauthenticated, not allowed for the role,
// rate-limited, overloaded) are not recorded.
//
// Thread-safe.
class AuditedAdmissionGate final : public AdmissionGate {
 public:
  // `gate` and `trail` outlive this.
  AuditedAdmissionGate(const AdmissionGate* gate, AuditTrail* trail)
      : gate_(gate), trail_(trail) {}

  absl::Status Admit(const Caller& caller) const override;
  // Not recorded here: the handler that asks knows the insurer and records
  // the refusal with the rest of its call.
  absl::Status AdmitInsurer(const Caller& caller,
                            absl::string_view insurer_id) const override {
    return gate_->AdmitInsurer(caller, insurer_id);
  }

 private:
  const AdmissionGate* const gate_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_AUDITED_H_
