// What one scenario run measured, printed as a table row and as JSON.
#ifndef TPP_TOOLS_BENCH_RESULT_H_
#define TPP_TOOLS_BENCH_RESULT_H_

#include <cstdint>
#include <map>
#include <string>

namespace tpp::bench {

struct Result {
  std::string scenario;
  std::string unit = "calls";              // what `count` counts
  uint64_t count = 0;                      // successful operations measured
  std::map<std::string, uint64_t> errors;  // by gRPC code name
  double seconds = 0;
  double rate_per_s = 0;  // count / seconds
  // Latency of one operation, µs (0 when not measured).
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  int concurrency = 0;
  std::map<std::string, double> extra;  // scenario-specific figures
};

std::string ToText(const Result& r);
std::string ToJson(const Result& r);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_RESULT_H_
