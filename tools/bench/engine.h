// The closed loop: connections x in-flight slots, each slot issuing its
// next call as soon as the previous one ends; a warm-up, then a measured
// window. Errors are counted by code and never as successes.
#ifndef TPP_TOOLS_BENCH_ENGINE_H_
#define TPP_TOOLS_BENCH_ENGINE_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {

absl::StatusOr<Result> RunClosedLoop(
    const std::string& name, Scenario* scenario, const BenchOptions& options,
    const std::vector<std::shared_ptr<grpc::Channel>>& channels);

// The gRPC code's name ("UNAVAILABLE").
std::string CodeName(grpc::StatusCode code);

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_ENGINE_H_
