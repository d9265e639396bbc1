// Prometheus metrics of the node, served as text on --metrics_listen:
// per method and status code call counts, latency histograms, in-flight
// gauges. A gRPC server interceptor feeds them for every call, tpp.v1 or not
// (health, reflection).
//
// Thread-safe.
#ifndef TPP_SERVICES_SERVER_METRICS_H_
#define TPP_SERVICES_SERVER_METRICS_H_

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "grpcpp/support/server_interceptor.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "services/common/code_names.h"
#include "services/server/call_guard.h"

namespace tpp {

class Metrics {
 public:
  struct PerMethod {
    std::string method;
    bool tpp = false;  // a tpp.v1 method (in the authorization table)
    prometheus::Histogram* latency = nullptr;
    prometheus::Gauge* inflight = nullptr;
    std::array<std::atomic<prometheus::Counter*>, kStatusCodeCount> calls{};
  };

  Metrics();

  // Starts serving /metrics on `address` ("127.0.0.1:9464"; port 0 picks
  // one). Returns the bound port, or -1 when it could not bind.
  int Serve(const std::string& address);

  // Never null: unknown methods share one entry.
  PerMethod* ForMethod(const char* method);
  void RecordCall(PerMethod* m, int code, double seconds);

  // Stored records that failed their integrity check (tampering or
  // corruption): each answered DATA_LOSS.
  prometheus::Counter& data_loss() { return *data_loss_; }
  // Credentials suspended by the exfiltration breaker.
  prometheus::Counter& breaker_trips() { return *breaker_trips_; }

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // A server interceptor factory feeding these metrics and `counters`, and
  // logging failed calls (method, code, message: never personal data).
  // `counters` outlives the factory.
  std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
  InterceptorFactory(CallCounters* counters);

 private:
  PerMethod* Create(const std::string& method);

  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>& calls_;
  prometheus::Family<prometheus::Histogram>& latency_;
  prometheus::Family<prometheus::Gauge>& inflight_;
  prometheus::Counter* data_loss_;
  prometheus::Counter* breaker_trips_;
  absl::Mutex mu_;
  absl::flat_hash_map<std::string, std::unique_ptr<PerMethod>> methods_
      ABSL_GUARDED_BY(mu_);
  std::unique_ptr<prometheus::Exposer> exposer_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_METRICS_H_
