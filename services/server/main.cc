// tppd: the tpp node. Flags are documented in README.md.
#include <grpc/support/log.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "services/common/log.h"
#include "services/server/server.h"

ABSL_FLAG(std::string, data_dir, "./var/tpp", "RocksDB data directory");
ABSL_FLAG(std::string, listen, "127.0.0.1:7443",
          "external listener (providers, insurers); port 0 picks one");
ABSL_FLAG(std::string, admin_listen, "127.0.0.1:7444",
          "admin listener (operators)");
ABSL_FLAG(std::string, metrics_listen, "127.0.0.1:9464",
          "Prometheus /metrics over HTTP; empty: off");
ABSL_FLAG(std::string, health_listen, "",
          "plaintext grpc.health.v1 only, for Kubernetes gRPC probes; "
          "empty: off");
ABSL_FLAG(std::string, trusted_proxy_identity, "",
          "SPIFFE ID of the edge router whose forwarded client certificates "
          "the external listener believes; empty: none");
ABSL_FLAG(std::string, tls_dir, "./var/tls",
          "directory holding ca.pem, server.pem, server.key");
ABSL_FLAG(std::string, trust_domain, "tpp.local",
          "SPIFFE trust domain of client identities");
ABSL_FLAG(std::string, master_key_file, "./var/master.key",
          "development master key (mode 0600)");
ABSL_FLAG(std::string, ready_file, "",
          "if set, written with the bound ports (JSON) once listening");
ABSL_FLAG(int64_t, unary_deadline_ms, 30000,
          "deadline of unary calls whose client set none (or a later one)");
ABSL_FLAG(int64_t, stream_deadline_ms, 1800000, "same, for streams");
ABSL_FLAG(int64_t, shutdown_grace_ms, 10000,
          "on SIGTERM, how long in-flight calls may take to finish");
ABSL_FLAG(int, message_bytes_max, 4 << 20, "largest message, either way");
ABSL_FLAG(int, concurrent_streams_max, 256, "concurrent calls per connection");
ABSL_FLAG(int, inflight_max, 4096, "calls in flight on the node");
ABSL_FLAG(double, rate_per_s, 1000, "sustained calls/s per credential");
ABSL_FLAG(double, rate_burst, 2000, "burst of calls per credential");
ABSL_FLAG(int, breaker_provider_members, 300,
          "exfiltration breaker: distinct members a provider credential may "
          "be answered about per window (0: no limit)");
ABSL_FLAG(int, breaker_insurer_members, 5000,
          "exfiltration breaker: the same for an insurer credential");
ABSL_FLAG(int64_t, breaker_window_s, 3600,
          "exfiltration breaker: the sliding window, in seconds");
ABSL_FLAG(int64_t, audit_checkpoint_records, 10000,
          "a signed audit checkpoint every so many records");
ABSL_FLAG(int64_t, audit_checkpoint_interval_ms, 10000,
          "and at least this often while records come");
ABSL_FLAG(int, isolation_quorum, 2,
          "distinct operators needed to reopen an isolated scope (2..16)");
ABSL_FLAG(std::string, test_fault_file, "",
          "tests only: a file whose content (nospace, readonly) makes the "
          "data directory fail writes (storage/fault_fs.h)");
ABSL_FLAG(int64_t, proposal_ttl_ms, 900000,
          "how long a reopen proposal (or partial unseal shares) stays valid");

namespace {

// gRPC core's own lines (a failed TLS handshake, a transport error) become
// JSON lines like tppd's: otherwise its "E1129 13:38:00 ...  file.cc:123]"
// text lands in the middle of tppd's log. Its ERROR is a peer's failure
// far more often than tppd's own: a warning here.
void LogGrpcCore(gpr_log_func_args* args) {
  absl::string_view file = args->file != nullptr ? args->file : "";
  if (const size_t slash = file.rfind('/'); slash != absl::string_view::npos) {
    file.remove_prefix(slash + 1);
  }
  const tpp::LogLevel level =
      args->severity == GPR_LOG_SEVERITY_ERROR  ? tpp::LogLevel::kWarning
      : args->severity == GPR_LOG_SEVERITY_INFO ? tpp::LogLevel::kInfo
                                                : tpp::LogLevel::kDebug;
  tpp::Log(level, "grpc",
           {{"file", file},
            {"line", args->line},
            {"message", args->message != nullptr ? args->message : ""}});
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("tppd: the tpp third-party payment node");
  absl::ParseCommandLine(argc, argv);
  gpr_set_log_function(LogGrpcCore);
  // Lock-order cycle detection costs every absl::Mutex acquisition a graph
  // update; the tests (and TSan builds) are where lock order is checked.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);

  // Signals are taken synchronously by this thread: block them before any
  // other thread starts, so that every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  tpp::ServerConfig config;
  config.data_dir = absl::GetFlag(FLAGS_data_dir);
  config.test_fault_file = absl::GetFlag(FLAGS_test_fault_file);
  config.listen = absl::GetFlag(FLAGS_listen);
  config.admin_listen = absl::GetFlag(FLAGS_admin_listen);
  config.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  config.health_listen = absl::GetFlag(FLAGS_health_listen);
  config.trusted_proxy_identity = absl::GetFlag(FLAGS_trusted_proxy_identity);
  config.tls_dir = absl::GetFlag(FLAGS_tls_dir);
  config.trust_domain = absl::GetFlag(FLAGS_trust_domain);
  config.master_key_file = absl::GetFlag(FLAGS_master_key_file);
  config.ready_file = absl::GetFlag(FLAGS_ready_file);
  config.unary_deadline =
      absl::Milliseconds(absl::GetFlag(FLAGS_unary_deadline_ms));
  config.stream_deadline =
      absl::Milliseconds(absl::GetFlag(FLAGS_stream_deadline_ms));
  config.shutdown_grace =
      absl::Milliseconds(absl::GetFlag(FLAGS_shutdown_grace_ms));
  config.message_bytes_max = absl::GetFlag(FLAGS_message_bytes_max);
  config.concurrent_streams_max = absl::GetFlag(FLAGS_concurrent_streams_max);
  config.inflight_max = absl::GetFlag(FLAGS_inflight_max);
  config.rate_per_s = absl::GetFlag(FLAGS_rate_per_s);
  config.rate_burst = absl::GetFlag(FLAGS_rate_burst);
  config.isolation_quorum = absl::GetFlag(FLAGS_isolation_quorum);
  config.breaker_provider_members =
      absl::GetFlag(FLAGS_breaker_provider_members);
  config.breaker_insurer_members = absl::GetFlag(FLAGS_breaker_insurer_members);
  config.breaker_window = absl::Seconds(absl::GetFlag(FLAGS_breaker_window_s));
  config.audit_checkpoint_records = static_cast<uint64_t>(
      std::max<int64_t>(1, absl::GetFlag(FLAGS_audit_checkpoint_records)));
  config.audit_checkpoint_interval =
      absl::Milliseconds(absl::GetFlag(FLAGS_audit_checkpoint_interval_ms));
  config.proposal_ttl =
      absl::Milliseconds(absl::GetFlag(FLAGS_proposal_ttl_ms));

  auto server = tpp::Server::Start(config);
  if (!server.ok()) {
    tpp::Log(tpp::LogLevel::kError, "start_failed",
             {{"error", std::string(server.status().message())}});
    return 1;
  }
  int signal = 0;
  sigwait(&stop_signals, &signal);
  tpp::Log(tpp::LogLevel::kInfo, "signal", {{"signal", signal}});
  (*server)->Shutdown();
  return 0;
}
