// tppd: the node. Opens the database, builds the call guards and the
// services, and serves them on two mTLS listeners (external: providers and
// insurers; admin: operators), each with grpc.health.v1 and reflection, plus
// Prometheus metrics over HTTP.
//
// The isolation state is loaded before any listener starts: a node that
// stopped isolated (or sealed) comes back so. Start() returns once every
// listener accepts; Shutdown() may be called from
// any thread, once.
#ifndef TPP_SERVICES_SERVER_SERVER_H_
#define TPP_SERVICES_SERVER_SERVER_H_

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace tpp {

struct ServerConfig {
  std::string data_dir = "./var/tpp";
  // Tests only: storage/fault_fs.h's control file. Empty: off.
  std::string test_fault_file;
  std::string listen = "127.0.0.1:7443";
  std::string admin_listen = "127.0.0.1:7444";
  std::string metrics_listen = "127.0.0.1:9464";  // empty: no metrics
  // Plaintext grpc.health.v1 and nothing else, for Kubernetes' native gRPC
  // probes (which cannot present a client certificate). Empty: off.
  std::string health_listen;
  std::string tls_dir = "./var/tls";
  std::string trust_domain = "tpp.local";
  // The edge router's SPIFFE ID, whose forwarded client certificates the
  // external listener believes (services/server/forwarded_identity.h).
  // Empty: none.
  std::string trusted_proxy_identity;
  std::string master_key_file = "./var/master.key";
  // Written (atomically) with the bound ports once listening, as JSON.
  std::string ready_file;

  absl::Duration unary_deadline = absl::Seconds(30);
  absl::Duration stream_deadline = absl::Minutes(30);
  absl::Duration shutdown_grace = absl::Seconds(10);
  int message_bytes_max = 4 << 20;
  int concurrent_streams_max = 256;  // per connection
  int inflight_max = 4096;           // per node
  double rate_per_s = 1000;          // per credential
  double rate_burst = 2000;

  // The isolation switch: distinct operators needed to reopen (the
  // proposer included), and how long a reopen proposal (or a partial set
  // of unseal shares) stays valid.
  int isolation_quorum = 2;
  absl::Duration proposal_ttl = absl::Minutes(15);

  // The exfiltration breaker: distinct members per credential and window
  // (0: no limit for the role).
  absl::Duration breaker_window = absl::Hours(1);
  int breaker_provider_members = 300;
  int breaker_insurer_members = 5000;
  // Signed audit checkpoints: every so many records or so long.
  uint64_t audit_checkpoint_records = 10000;
  absl::Duration audit_checkpoint_interval = absl::Seconds(10);
};

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(
      const ServerConfig& config);
  ~Server();

  int port() const;
  int admin_port() const;
  int metrics_port() const;
  int health_port() const;  // 0 when --health_listen is off

  // Stops accepting, lets in-flight calls finish within the grace period,
  // cancels the rest, drains the commit queue and flushes the database.
  void Shutdown();

 private:
  struct State;
  explicit Server(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_SERVER_H_
