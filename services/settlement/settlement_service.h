// SettlementService: the thin adapter from tpp.v1 to the settlement core. Every
// method passes the call guard first; the methods answer UNIMPLEMENTED until
// the core lands (issue #5).
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_

#include "services/server/call_guard.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp {

class SettlementServiceImpl final
    : public tpp::v1::SettlementService::CallbackService {
 public:
  // `guard` outlives the service.
  explicit SettlementServiceImpl(const CallGuard& guard) : guard_(guard) {}

  grpc::ServerUnaryReactor* RunSettlement(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::RunSettlementRequest* request,
      tpp::v1::Settlement* response) override;
  grpc::ServerUnaryReactor* ListSettlements(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ListSettlementsRequest* request,
      tpp::v1::ListSettlementsResponse* response) override;
  grpc::ServerWriteReactor<tpp::v1::Remittance>* ListRemittances(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::ListRemittancesRequest* request) override;
  grpc::ServerWriteReactor<tpp::v1::StatementChunk>* StreamStatement(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::StreamStatementRequest* request) override;
  grpc::ServerUnaryReactor* AcknowledgeStatement(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::AcknowledgeStatementRequest* request,
      tpp::v1::AcknowledgeStatementResponse* response) override;

 private:
  const CallGuard& guard_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_
