// SettlementService: the thin adapter from tpp.v1 to the settlement core.
// Every method passes the call guard first, then the isolation gate of the
// insurer concerned. Operators run settlements and verify the ledger
// (admin listener); insurers list their settlements, stream statements and
// acknowledge them; providers list their remittances.
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/common/clock.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "services/server/stream_registry.h"
#include "services/settlement/settlement_core.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp {

inline constexpr int kSettlementsPageMax = 1000;

class SettlementServiceImpl final
    : public tpp::v1::SettlementService::CallbackService {
 public:
  // Every argument outlives the service. `runs` executes the blocking work
  // (settlement runs, acknowledgements, ledger checks); `workers` the reads.
  // Every call is audited through `trail` (null: not audited, for tests).
  SettlementServiceImpl(const CallGuard& guard, SettlementCore* core,
                        SettlementStore* store, Executor* workers,
                        Executor* runs, const Clock* clock,
                        StreamRegistry* streams, AuditTrail* trail)
      : guard_(guard),
        core_(core),
        store_(store),
        workers_(workers),
        runs_(runs),
        clock_(clock),
        streams_(streams),
        trail_(trail) {}

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
  grpc::ServerUnaryReactor* VerifyLedger(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::VerifyLedgerRequest* request,
      tpp::v1::VerifyLedgerResponse* response) override;

 private:
  const CallGuard& guard_;
  SettlementCore* const core_;
  SettlementStore* const store_;
  Executor* const workers_;
  Executor* const runs_;
  const Clock* const clock_;
  StreamRegistry* const streams_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_SERVICE_H_
