// tpp-bench: the load generator every tpp figure is measured with (see
// tools/bench/README.md and BENCHMARKS.md). Runs the named scenarios one
// after another in one invocation, so that they are compared in one run.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "tools/bench/engine.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {

std::map<std::string, ScenarioFactory>& ScenarioRegistry() {
  static auto* registry = new std::map<std::string, ScenarioFactory>();
  return *registry;
}

namespace {

std::string ReadOrDie(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tpp-bench: cannot read %s\n", path.c_str());
    std::exit(2);
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// `count` channels, each its own TCP connection (a distinct channel argument
// keeps gRPC from sharing one subchannel), presenting `identity`.
std::vector<std::shared_ptr<grpc::Channel>> Connect(const BenchOptions& o,
                                                    const std::string& identity,
                                                    int count) {
  std::string file = identity;
  std::replace(file.begin(), file.end(), '/', '-');
  grpc::SslCredentialsOptions tls;
  tls.pem_root_certs = ReadOrDie(o.tls_dir + "/ca.pem");
  tls.pem_cert_chain = ReadOrDie(o.tls_dir + "/" + file + ".pem");
  tls.pem_private_key = ReadOrDie(o.tls_dir + "/" + file + ".key");
  auto credentials = grpc::SslCredentials(tls);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt("tpp.bench.connection", i);
    args.SetMaxReceiveMessageSize(16 << 20);
    channels.push_back(grpc::CreateCustomChannel(o.target, credentials, args));
  }
  return channels;
}

}  // namespace
}  // namespace tpp::bench

int main(int argc, char** argv) {
  using namespace tpp::bench;
  CLI::App app{
      "tpp-bench: closed-loop load over real mTLS, throughput and "
      "latency percentiles"};
  BenchOptions o;
  std::string scenarios = "health";
  std::string json_file;
  app.add_option("--scenario", scenarios, "comma-separated, run in order")
      ->capture_default_str();
  app.add_option("--target", o.target, "external listener")
      ->capture_default_str();
  app.add_option("--admin", o.admin, "admin listener")->capture_default_str();
  app.add_option("--tls_dir", o.tls_dir)->capture_default_str();
  app.add_option("--identity", o.identity, "provider scenarios' identity")
      ->capture_default_str();
  app.add_option("--insurer_identity", o.insurer_identity)
      ->capture_default_str();
  app.add_option("--connections", o.connections)->capture_default_str();
  app.add_option("--inflight", o.inflight, "calls in flight per connection")
      ->capture_default_str();
  app.add_option("--warmup_s", o.warmup_s)->capture_default_str();
  app.add_option("--duration_s", o.duration_s)->capture_default_str();
  app.add_option("--db_dir", o.db_dir,
                 "rocksdb-sync: where (default: a temp dir)");
  app.add_option("--members", o.members, "import: how many")
      ->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--tppd_pid", o.tppd_pid, "report this tppd's peak memory");
  app.add_option("--metrics", o.metrics,
                 "tppd's metrics host:port, for server-side latency");
  app.add_option("--json", json_file, "also write the results as JSON lines");
  CLI11_PARSE(app, argc, argv);

  std::vector<Result> results;
  for (absl::string_view name :
       absl::StrSplit(scenarios, ',', absl::SkipEmpty())) {
    auto it = ScenarioRegistry().find(std::string(name));
    if (it == ScenarioRegistry().end()) {
      std::fprintf(stderr, "tpp-bench: unknown scenario %s; known:",
                   std::string(name).c_str());
      for (const auto& [known, f] : ScenarioRegistry()) {
        std::fprintf(stderr, " %s", known.c_str());
      }
      std::fprintf(stderr, "\n");
      return 2;
    }
    std::unique_ptr<Scenario> scenario = it->second();
    auto channels = Connect(o, scenario->Identity(o), o.connections);
    absl::Status setup = scenario->Setup(o, channels);
    if (!setup.ok()) {
      std::fprintf(stderr, "tpp-bench: %s setup: %s\n",
                   std::string(name).c_str(), setup.ToString().c_str());
      return 1;
    }
    absl::StatusOr<Result> result =
        scenario->SelfDriven()
            ? scenario->Run(o, channels)
            : RunClosedLoop(std::string(name), scenario.get(), o, channels);
    if (!result.ok()) {
      std::fprintf(stderr, "tpp-bench: %s: %s\n", std::string(name).c_str(),
                   result.status().ToString().c_str());
      return 1;
    }
    scenario->AddToResult(&*result);
    std::printf("%s\n", ToText(*result).c_str());
    std::fflush(stdout);
    results.push_back(*result);
  }
  if (!json_file.empty()) {
    std::ofstream out(json_file, std::ios::trunc);
    for (const Result& r : results) out << ToJson(r) << "\n";
  }
  for (const Result& r : results) {
    if (!r.errors.empty()) return 1;
  }
  return 0;
}
