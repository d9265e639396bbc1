// Reads one method's latency histogram from tppd's Prometheus endpoint, so
// that tpp-bench can report latency inside the server next to what the
// client saw.
#ifndef TPP_TOOLS_BENCH_METRICS_SCRAPE_H_
#define TPP_TOOLS_BENCH_METRICS_SCRAPE_H_

#include <map>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "tools/bench/result.h"

namespace tpp::bench {

// Upper bound (seconds; +Inf as infinity) -> cumulative count.
using Buckets = std::map<double, double>;

// GET http://<host:port>/metrics and the tpp_grpc_call_seconds buckets of
// `method`.
absl::StatusOr<Buckets> ScrapeBuckets(const std::string& host_port,
                                      const std::string& method);

// The q-quantile (seconds, a bucket's upper bound) of the calls counted
// between two scrapes.
double Quantile(const Buckets& before, const Buckets& after, double q);

// One method's server-side p50/p99 over a measured window: scraped when the
// window starts and when it ends. Does nothing when `metrics` is empty.
class ServerLatency {
 public:
  absl::Status Start(const std::string& metrics, const std::string& method);
  // Adds server_p50_us and server_p99_us to `result`.
  void AddTo(Result* result) const;

 private:
  std::string metrics_;
  std::string method_;
  Buckets before_;
};

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_METRICS_SCRAPE_H_
