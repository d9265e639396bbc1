#include "services/settlement/settlement_service.h"

#include "services/server/reactors.h"

namespace tpp {

grpc::ServerUnaryReactor* SettlementServiceImpl::RunSettlement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::RunSettlementRequest* request,
    tpp::v1::Settlement* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kRunSettlement, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#5"));
}

grpc::ServerUnaryReactor* SettlementServiceImpl::ListSettlements(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListSettlementsRequest* request,
    tpp::v1::ListSettlementsResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListSettlements, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#5"));
}

grpc::ServerWriteReactor<tpp::v1::Remittance>*
SettlementServiceImpl::ListRemittances(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListRemittancesRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListRemittances, /*streaming=*/true);
  if (!caller.ok())
    return new FinishedWriter<tpp::v1::Remittance>(caller.status());
  return new FinishedWriter<tpp::v1::Remittance>(NotYetImplemented("#5"));
}

grpc::ServerWriteReactor<tpp::v1::StatementChunk>*
SettlementServiceImpl::StreamStatement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::StreamStatementRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kStreamStatement, /*streaming=*/true);
  if (!caller.ok())
    return new FinishedWriter<tpp::v1::StatementChunk>(caller.status());
  return new FinishedWriter<tpp::v1::StatementChunk>(NotYetImplemented("#5"));
}

grpc::ServerUnaryReactor* SettlementServiceImpl::AcknowledgeStatement(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::AcknowledgeStatementRequest* request,
    tpp::v1::AcknowledgeStatementResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kAcknowledgeStatement, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  return FinishUnary(ctx, NotYetImplemented("#5"));
}

}  // namespace tpp
