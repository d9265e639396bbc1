// tpp-bench scenarios. A closed-loop scenario issues one asynchronous call
// at a time per slot (connections x in-flight slots); the engine measures
// each call from Issue() to `done`. A scenario that is not a closed loop of
// calls (a stream import, raw RocksDB writes) runs itself with Run().
//
// To add a scenario: a file <name>_scenario.cc defining a class derived from
// Scenario and one TPP_REGISTER_SCENARIO line, added to CMakeLists.txt;
// tools/bench/README.md lists them.
//
// Thread safety: Setup(), AddToResult() and Run() are called on the main
// thread; Issue() is called from any thread, concurrently, several times
// per connection (once per in-flight slot).
#ifndef TPP_TOOLS_BENCH_SCENARIO_H_
#define TPP_TOOLS_BENCH_SCENARIO_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"
#include "tools/bench/result.h"

namespace tpp::bench {

struct BenchOptions {
  std::string target = "127.0.0.1:7443";
  std::string admin = "127.0.0.1:7444";
  std::string tls_dir = "./var/tls";
  std::string identity = "provider/750100001";
  std::string insurer_identity = "insurer/100000001";
  std::string operator_identity = "operator/alice";  // admin scenarios
  int connections = 4;
  int inflight = 16;  // per connection
  double warmup_s = 2;
  double duration_s = 10;
  std::string db_dir;        // rocksdb-sync; empty: a temporary folder
  int64_t members = 100000;  // import
  uint64_t seed = 1;
  int tppd_pid = 0;     // to report tppd's peak memory
  std::string metrics;  // tppd's metrics host:port, for server-side figures
};

class Scenario {
 public:
  using Done = std::function<void(const grpc::Status&)>;
  virtual ~Scenario() = default;

  // False for scenarios that need no server (rocksdb-sync): they get no
  // channels, and no certificate is read.
  virtual bool UsesServer() const { return true; }

  // Whose certificate the scenario's connections present.
  virtual std::string Identity(const BenchOptions& options) const {
    return options.identity;
  }

  // Prepares (stubs per connection, test data); channels[i] is connection
  // i, each its own TCP connection. An error ends the run before any load.
  virtual absl::Status Setup(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    return absl::OkStatus();
  }
  // Starts one asynchronous call on connection `connection` (the callback
  // API: stub->async()->Method(ctx, request, response, callback); never a
  // thread per call, never a blocking wait) and returns. `done` is run once
  // with the call's status, on any thread, possibly before Issue() returns;
  // it must be the last thing the call's callback does (the scenario may be
  // destroyed as soon as the last `done` returns). A response that is OK
  // for gRPC but wrong for the scenario is reported as a non-OK status.
  // `sequence` numbers the calls of a run from 0 (to pick varied requests).
  virtual void Issue(int connection, uint64_t sequence, Done done) {}

  // Adds scenario-specific figures once a closed loop ends.
  virtual void AddToResult(Result* result) {}

  // Scenarios that are not closed loops of calls override this and return
  // true; main() then calls Run() instead of driving Issue(). Run() honours
  // options.warmup_s/duration_s (or another bound of its own) and
  // StopRequested() (engine.h).
  virtual bool SelfDriven() const { return false; }
  virtual absl::StatusOr<Result> Run(
      const BenchOptions& options,
      const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    return absl::UnimplementedError("not self-driven");
  }
};

// `count` channels to `target`, each its own TCP connection, presenting
// `identity`'s certificate from options.tls_dir. Exits if it is missing.
std::vector<std::shared_ptr<grpc::Channel>> Connect(const BenchOptions& options,
                                                    const std::string& identity,
                                                    int count,
                                                    const std::string& target);

using ScenarioFactory = std::function<std::unique_ptr<Scenario>()>;
std::map<std::string, ScenarioFactory>& ScenarioRegistry();

struct ScenarioRegistration {
  ScenarioRegistration(const std::string& name, ScenarioFactory factory) {
    ScenarioRegistry()[name] = std::move(factory);
  }
};

#define TPP_REGISTER_SCENARIO(name, type)                        \
  static ::tpp::bench::ScenarioRegistration tpp_scenario_##type( \
      name, [] { return std::make_unique<type>(); })

}  // namespace tpp::bench

#endif  // TPP_TOOLS_BENCH_SCENARIO_H_
