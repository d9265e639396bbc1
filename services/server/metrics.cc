#include "services/server/metrics.h"

#include <chrono>

#include "absl/strings/match.h"
#include "services/common/code_names.h"
#include "services/common/log.h"
#include "services/server/authorization.h"
#include "services/server/call_guard.h"

namespace tpp {
namespace {

// Methods outside the authorization table and gRPC's own services are
// folded into one label so that a client cannot grow the metric set with
// made-up names.
bool KnownMethod(const char* method) {
  static constexpr absl::string_view kGrpcMethods[] = {
      "/grpc.health.v1.Health/Check",
      "/grpc.health.v1.Health/Watch",
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
  };
  if (FindRule(method) != nullptr) return true;
  for (absl::string_view known : kGrpcMethods) {
    if (known == method) return true;
  }
  return false;
}

class MetricsInterceptor final : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(Metrics* metrics, Metrics::PerMethod* method,
                     CallCounters* counters)
      : metrics_(metrics),
        method_(method),
        counters_(counters),
        start_(std::chrono::steady_clock::now()) {
    method_->inflight->Increment();
    counters_->inflight.fetch_add(1, std::memory_order_relaxed);
    if (method_->tpp) counters_->tpp_inflight.fetch_add(1);
  }
  ~MetricsInterceptor() override {
    method_->inflight->Decrement();
    counters_->inflight.fetch_sub(1, std::memory_order_relaxed);
    if (method_->tpp) counters_->tpp_inflight.fetch_sub(1);
  }

  void Intercept(
      grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_STATUS)) {
      grpc::Status status = methods->GetSendStatus();
      std::chrono::duration<double> elapsed =
          std::chrono::steady_clock::now() - start_;
      metrics_->RecordCall(method_, status.error_code(), elapsed.count());
      if (!status.ok()) {
        Log(LogLevel::kInfo, "call_failed",
            {{"method", method_->method},
             {"code", StatusCodeName(status.error_code())},
             {"message", status.error_message()}});
      }
    }
    methods->Proceed();
  }

 private:
  Metrics* const metrics_;
  Metrics::PerMethod* const method_;
  CallCounters* const counters_;
  const std::chrono::steady_clock::time_point start_;
};

class MetricsInterceptorFactory final
    : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MetricsInterceptorFactory(Metrics* metrics, CallCounters* counters)
      : metrics_(metrics), counters_(counters) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override {
    return new MetricsInterceptor(metrics_, metrics_->ForMethod(info->method()),
                                  counters_);
  }

 private:
  Metrics* const metrics_;
  CallCounters* const counters_;
};

}  // namespace

Metrics::Metrics()
    : registry_(std::make_shared<prometheus::Registry>()),
      calls_(prometheus::BuildCounter()
                 .Name("tpp_grpc_calls_total")
                 .Help("gRPC calls handled, by method and status code")
                 .Register(*registry_)),
      latency_(prometheus::BuildHistogram()
                   .Name("tpp_grpc_call_seconds")
                   .Help("gRPC call latency inside the server, by method")
                   .Register(*registry_)),
      inflight_(prometheus::BuildGauge()
                    .Name("tpp_grpc_calls_in_flight")
                    .Help("gRPC calls in flight, by method")
                    .Register(*registry_)),
      data_loss_(&prometheus::BuildCounter()
                      .Name("tpp_member_data_loss_total")
                      .Help("stored member records that failed to decrypt "
                            "or decode (tampering, corruption)")
                      .Register(*registry_)
                      .Add({})),
      breaker_trips_(&prometheus::BuildCounter()
                          .Name("tpp_breaker_trips_total")
                          .Help("credentials suspended by the exfiltration "
                                "breaker")
                          .Register(*registry_)
                          .Add({})) {}

int Metrics::Serve(const std::string& address) {
  try {
    exposer_ = std::make_unique<prometheus::Exposer>(address);
  } catch (const std::exception&) {
    // civetweb reports a failed bind by throwing: the only exception we
    // catch, turned into a start-up error by the caller.
    return -1;
  }
  exposer_->RegisterCollectable(registry_);
  std::vector<int> ports = exposer_->GetListeningPorts();
  return ports.empty() ? -1 : ports.front();
}

Metrics::PerMethod* Metrics::Create(const std::string& method) {
  auto m = std::make_unique<PerMethod>();
  m->method = method;
  m->tpp = FindRule(method) != nullptr;
  m->latency =
      &latency_.Add({{"method", method}},
                    prometheus::Histogram::BucketBoundaries{
                        0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                        0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  m->inflight = &inflight_.Add({{"method", method}});
  PerMethod* raw = m.get();
  methods_.emplace(method, std::move(m));
  return raw;
}

Metrics::PerMethod* Metrics::ForMethod(const char* method) {
  std::string name = KnownMethod(method) ? method : "other";
  {
    absl::ReaderMutexLock lock(&mu_);
    auto it = methods_.find(name);
    if (it != methods_.end()) return it->second.get();
  }
  absl::MutexLock lock(&mu_);
  auto it = methods_.find(name);
  if (it != methods_.end()) return it->second.get();
  return Create(name);
}

void Metrics::RecordCall(PerMethod* m, int code, double seconds) {
  if (code < 0 || code >= kStatusCodeCount) code = 2;  // UNKNOWN
  prometheus::Counter* counter = m->calls[code].load(std::memory_order_acquire);
  if (counter == nullptr) {
    absl::MutexLock lock(&mu_);
    counter = m->calls[code].load(std::memory_order_relaxed);
    if (counter == nullptr) {
      counter = &calls_.Add(
          {{"method", m->method}, {"code", std::string(StatusCodeName(code))}});
      m->calls[code].store(counter, std::memory_order_release);
    }
  }
  counter->Increment();
  m->latency->Observe(seconds);
}

std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>
Metrics::InterceptorFactory(CallCounters* counters) {
  return std::make_unique<MetricsInterceptorFactory>(this, counters);
}

}  // namespace tpp
