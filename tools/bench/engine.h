// The closed loop: connections x in-flight slots, each slot issuing its
// next call as soon as the previous one ends; a warm-up, then a measured
// window. Errors are counted by code and never as successes.
#ifndef TPP_TOOLS_BENCH_ENGINE_H_
#define TPP_TOOLS_BENCH_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/histogram.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {

// Drives scenario->Issue() until the window ends (or a stop is requested)
// and every call has completed. A call counts if it starts and ends inside
// the window. Blocks the calling thread; the calls run on gRPC's threads.
// REQUIRES: channels.size() == options.connections, options.inflight >= 1.
absl::StatusOr<Result> RunClosedLoop(
    const std::string& name, Scenario* scenario, const BenchOptions& options,
    const std::vector<std::shared_ptr<grpc::Channel>>& channels);

// Ctrl-C: every loop (the engine's and the self-driven scenarios') stops
// issuing, lets what is in flight finish and reports what it measured.
// RequestStop() is async-signal-safe.
void RequestStop();
bool StopRequested();

// The percentiles and max of `latency` into `result`.
void SetLatencies(const Histogram& latency, Result* result);

// VmHWM (peak resident memory) of a process, in MiB; 0 when unknown.
double PeakRssMib(int pid);

// CPU time (user + system) a process has used, in seconds: of `pid` from
// /proc (-1 when unknown), of this process when `pid` is 0.
double CpuSeconds(int pid);

// The gRPC code's name ("UNAVAILABLE").
std::string CodeName(grpc::StatusCode code);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_ENGINE_H_
