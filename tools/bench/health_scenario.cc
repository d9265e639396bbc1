// `health`: grpc.health.v1.Health/Check on the external listener. The
// ceiling of gRPC + mTLS (and tppd's interceptor) on this machine, which
// every other scenario is compared to in the same run.
#include "grpc/health/v1/health.grpc.pb.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {
namespace {

class HealthScenario final : public Scenario {
 public:
  absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) override {
    for (const auto& channel : channels) {
      stubs_.push_back(grpc::health::v1::Health::NewStub(channel));
    }
    return absl::OkStatus();
  }

  void Issue(int connection, uint64_t sequence, Done done) override {
    struct Call {
      grpc::ClientContext ctx;
      grpc::health::v1::HealthCheckRequest request;
      grpc::health::v1::HealthCheckResponse response;
    };
    auto* call = new Call();
    call->ctx.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::seconds(10));
    stubs_[connection]->async()->Check(
        &call->ctx, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          if (status.ok() &&
              call->response.status() !=
                  grpc::health::v1::HealthCheckResponse::SERVING) {
            status = grpc::Status(grpc::StatusCode::UNAVAILABLE, "not serving");
          }
          delete call;
          done(status);
        });
  }

 private:
  std::vector<std::unique_ptr<grpc::health::v1::Health::Stub>> stubs_;
};

}  // namespace

TPP_REGISTER_SCENARIO("health", HealthScenario);

}  // namespace tpp::bench
