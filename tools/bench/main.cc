// tpp-bench: the load generator every tpp figure is measured with (see
// tools/bench/README.md and BENCHMARKS.md). Runs the named scenarios one
// after another in one invocation, so that they are compared in one run.
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "tools/bench/engine.h"
#include "tools/bench/scenario.h"

namespace tpp::bench {

std::map<std::string, ScenarioFactory>& ScenarioRegistry() {
  static auto* registry = new std::map<std::string, ScenarioFactory>();
  return *registry;
}

namespace {

constexpr int kConnectionsMax = 1024;
constexpr int kInflightMax = 4096;
constexpr int kConcurrencyMax = 65536;  // connections x inflight
constexpr double kSecondsMax = 24 * 3600;
constexpr int kExitInterrupted = 130;  // as a shell reports SIGINT

extern "C" void OnStopSignal(int) { RequestStop(); }

// A second Ctrl-C kills at once (SA_RESETHAND), should a call hang.
void InstallStopHandler() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  action.sa_flags = SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

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
// keeps gRPC from sharing one subchannel), presenting `identity`'s
// certificate (<tls_dir>/<role>-<id>.pem/.key, from tools/dev-certs.sh).
}  // namespace

std::vector<std::shared_ptr<grpc::Channel>> Connect(const BenchOptions& o,
                                                    const std::string& identity,
                                                    int count,
                                                    const std::string& target) {
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
    // The dev server certificate names localhost, whatever the target.
    args.SetSslTargetNameOverride("localhost");
    args.SetInt("tpp.bench.connection", i);
    args.SetMaxReceiveMessageSize(16 << 20);
    channels.push_back(grpc::CreateCustomChannel(target, credentials, args));
  }
  return channels;
}

namespace {

void WriteJson(const std::string& file, const std::vector<Result>& results) {
  std::string lines;
  for (const Result& r : results) absl::StrAppend(&lines, ToJson(r), "\n");
  if (file == "-") {
    std::fputs(lines.c_str(), stdout);
    return;
  }
  std::ofstream out(file, std::ios::trunc);
  out << lines;
  if (!out.flush()) {
    std::fprintf(stderr, "tpp-bench: cannot write %s\n", file.c_str());
  }
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
  std::string known;
  for (const auto& [name, factory] : ScenarioRegistry()) {
    absl::StrAppend(&known, known.empty() ? "" : ",", name);
  }
  app.add_option("--scenario", scenarios,
                 absl::StrCat("comma-separated, run in order; known: ", known))
      ->capture_default_str();
  app.add_option("--target", o.target, "external listener host:port")
      ->capture_default_str();
  app.add_option("--admin", o.admin, "admin listener")->capture_default_str();
  app.add_option("--tls_dir", o.tls_dir,
                 "ca.pem and <role>-<id>.pem/.key (tools/dev-certs.sh)")
      ->capture_default_str();
  app.add_option("--identity", o.identity, "provider scenarios' identity")
      ->capture_default_str();
  app.add_option("--operator_identity", o.operator_identity)
      ->capture_default_str();
  app.add_option("--insurer_identity", o.insurer_identity)
      ->capture_default_str();
  app.add_option("--connections", o.connections,
                 "channels, each its own TCP connection")
      ->check(CLI::Range(1, kConnectionsMax))
      ->capture_default_str();
  app.add_option("--inflight", o.inflight, "calls in flight per connection")
      ->check(CLI::Range(1, kInflightMax))
      ->capture_default_str();
  app.add_option("--warmup_s", o.warmup_s, "load before the measured window")
      ->check(CLI::Range(0.0, kSecondsMax))
      ->capture_default_str();
  app.add_option("--duration_s", o.duration_s, "the measured window")
      ->check(CLI::Range(0.001, kSecondsMax))
      ->capture_default_str();
  app.add_option("--db_dir", o.db_dir,
                 "rocksdb-sync: where (default: a temp dir, removed after)");
  app.add_option("--members", o.members, "import: how many")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--seed", o.seed)->capture_default_str();
  app.add_option("--tppd_pid", o.tppd_pid, "report this tppd's peak memory");
  app.add_option("--metrics", o.metrics,
                 "tppd's metrics host:port, for server-side latency");
  app.add_option("--json", json_file,
                 "also write the results as JSON lines ('-': stdout)");
  CLI11_PARSE(app, argc, argv);
  if (o.connections * o.inflight > kConcurrencyMax) {
    std::fprintf(stderr, "tpp-bench: connections x inflight > %d\n",
                 kConcurrencyMax);
    return 2;
  }

  std::vector<std::string> names =
      absl::StrSplit(scenarios, ',', absl::SkipEmpty());
  for (const std::string& name : names) {
    if (ScenarioRegistry().count(name) == 0) {
      std::fprintf(stderr, "tpp-bench: unknown scenario %s; known: %s\n",
                   name.c_str(), known.c_str());
      return 2;
    }
  }
  InstallStopHandler();

  std::printf(
      "# tpp-bench target %s, %d connections x %d in flight, warm-up %g s, "
      "window %g s\n%s\n",
      o.target.c_str(), o.connections, o.inflight, o.warmup_s, o.duration_s,
      TextHeader().c_str());
  std::fflush(stdout);
  std::vector<Result> results;
  int exit_code = 0;
  for (const std::string& name : names) {
    std::unique_ptr<Scenario> scenario = ScenarioRegistry().at(name)();
    std::vector<std::shared_ptr<grpc::Channel>> channels;
    if (scenario->UsesServer()) {
      channels = Connect(o, scenario->Identity(o), o.connections, o.target);
    }
    absl::Status setup = scenario->Setup(o, channels);
    if (!setup.ok()) {
      std::fprintf(stderr, "tpp-bench: %s setup: %s\n", name.c_str(),
                   setup.ToString().c_str());
      exit_code = 1;
      break;
    }
    absl::StatusOr<Result> result =
        scenario->SelfDriven()
            ? scenario->Run(o, channels)
            : RunClosedLoop(name, scenario.get(), o, channels);
    if (!result.ok()) {
      std::fprintf(stderr, "tpp-bench: %s: %s\n", name.c_str(),
                   result.status().ToString().c_str());
      exit_code = 1;
      break;
    }
    scenario->AddToResult(&*result);
    result->interrupted = StopRequested();
    std::printf("%s\n", ToText(*result).c_str());
    std::fflush(stdout);
    results.push_back(*result);
    if (result->error_count() > 0) exit_code = 1;
    if (StopRequested()) break;
  }
  if (!json_file.empty()) WriteJson(json_file, results);
  return StopRequested() ? kExitInterrupted : exit_code;
}
