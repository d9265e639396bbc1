// MemberService: the thin adapter from tpp.v1 to the member store. Insurers
// only, each on its own members (the insurer is the caller's certificate
// identity). Every method passes the call guard first.
#ifndef TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_
#define TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/members/member_store.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "services/server/stream_registry.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp {

// Records per synced write during an import, and writes in flight before
// the import stops reading (backpressure on the client).
inline constexpr size_t kImportBatchMembers = 8192;
inline constexpr int kImportBatchesInFlightMax = 4;
// Errors listed in an ImportSummary; the rejected count goes on past it.
inline constexpr int kImportErrorsMax = 1000;

class MemberServiceImpl final : public tpp::v1::MemberService::CallbackService {
 public:
  // `guard`, `store`, `executor`, `blocking`, `streams` and `trail`
  // outlive the service; `blocking` runs the store's work at the end of an
  // import (MemberStore::ImportEnded). Import streams register with
  // `streams` (null: none) so that isolating their insurer cancels them.
  // Every call is audited through `trail` (null: not audited, for tests).
  MemberServiceImpl(const CallGuard& guard, MemberStore* store,
                    Executor* executor, Executor* blocking,
                    StreamRegistry* streams, AuditTrail* trail)
      : guard_(guard),
        store_(store),
        executor_(executor),
        blocking_(blocking),
        streams_(streams),
        trail_(trail) {}

  grpc::ServerUnaryReactor* UpsertContract(
      grpc::CallbackServerContext* ctx, const tpp::v1::Contract* request,
      tpp::v1::UpsertContractResponse* response) override;
  grpc::ServerReadReactor<tpp::v1::MemberRecord>* ImportMembers(
      grpc::CallbackServerContext* ctx,
      tpp::v1::ImportSummary* response) override;
  grpc::ServerUnaryReactor* GetMember(grpc::CallbackServerContext* ctx,
                                      const tpp::v1::GetMemberRequest* request,
                                      tpp::v1::MemberRecord* response) override;
  grpc::ServerUnaryReactor* EraseMember(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::EraseMemberRequest* request,
      tpp::v1::EraseMemberResponse* response) override;

 private:
  const CallGuard& guard_;
  MemberStore* const store_;
  Executor* const executor_;
  Executor* const blocking_;
  StreamRegistry* const streams_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_
