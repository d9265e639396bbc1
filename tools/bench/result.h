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
  std::map<std::string, uint64_t> errors;  // failed ones, by gRPC code name
  double seconds = 0;                      // the measured window
  double rate_per_s = 0;                   // count / seconds: successes only
  // Latency of one successful operation, µs (0 when not measured).
  double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0;
  int concurrency = 0;       // operations in flight
  bool interrupted = false;  // stopped early (Ctrl-C): a shorter window
  std::map<std::string, double> extra;  // scenario-specific figures

  uint64_t error_count() const;
};

// The table's column names, then one row per result (with its errors and
// extra figures on indented lines below it).
std::string TextHeader();
std::string ToText(const Result& r);
// One JSON object on one line.
std::string ToJson(const Result& r);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_RESULT_H_
