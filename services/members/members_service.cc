#include "services/members/members_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* MemberServiceImpl::UpsertContract(
    grpc::CallbackServerContext* ctx, const tpp::v1::Contract* request,
    tpp::v1::UpsertContractResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kUpsertContract, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#3"));
}

grpc::ServerReadReactor<tpp::v1::MemberRecord>*
MemberServiceImpl::ImportMembers(grpc::CallbackServerContext* ctx,
                                 tpp::v1::ImportSummary* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kImportMembers, /*streaming=*/true);
  if (!caller.ok())
    return new FinishedReader<tpp::v1::MemberRecord>(caller.status());
  return new FinishedReader<tpp::v1::MemberRecord>(NotYetImplemented("#3"));
}

grpc::ServerUnaryReactor* MemberServiceImpl::GetMember(
    grpc::CallbackServerContext* ctx, const tpp::v1::GetMemberRequest* request,
    tpp::v1::MemberRecord* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#3"));
}

grpc::ServerUnaryReactor* MemberServiceImpl::EraseMember(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::EraseMemberRequest* request,
    tpp::v1::EraseMemberResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kEraseMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#3"));
}

}  // namespace tpp
