// MemberService: the thin adapter from tpp.v1 to the members core. Every method
// passes the call guard first; the methods answer UNIMPLEMENTED until the
// core lands (issue #3).
#ifndef TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_
#define TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp {

class MemberServiceImpl final : public tpp::v1::MemberService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit MemberServiceImpl(const CallGuard& guard) : guard_(guard) {}

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
};

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBERS_SERVICE_H_
