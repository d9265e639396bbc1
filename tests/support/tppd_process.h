// Test support: a real tppd process on free loopback ports, with fresh
// certificates and a temporary data directory, and mTLS channels for each
// role. Used by every end-to-end test.
//
// Not thread-safe: one test thread drives a TppdProcess; the channels it
// hands out may be used from any thread.
#ifndef TPP_TESTS_SUPPORT_TPPD_PROCESS_H_
#define TPP_TESTS_SUPPORT_TPPD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"

namespace tpp::testing {

// Certificates made once per test binary with tools/dev-certs.sh.
class TestCerts {
 public:
  // The identities every test can use, plus special ones:
  // "bad/other-domain" (trust domain other.test), "bad/two-sans" (two URI
  // SANs), "bad/no-san" (no URI SAN), "edge/haproxy" (the edge router of
  // the cells tests: a role tppd does not know).
  static const TestCerts& Get();
  const std::string& dir() const { return dir_; }
  // `identity` is "provider/750100001" and the like; one not made yet is
  // made on first use.
  std::shared_ptr<grpc::ChannelCredentials> Credentials(
      const std::string& identity) const;
  // TLS with the right CA but no client certificate.
  std::shared_ptr<grpc::ChannelCredentials> NoClientCert() const;

 private:
  explicit TestCerts(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;
};

class TppdProcess {
 public:
  enum class Port { kExternal, kAdmin };

  // `extra_flags` are appended to tppd's command line.
  explicit TppdProcess(std::vector<std::string> extra_flags = {});
  ~TppdProcess();

  // Starts tppd and waits until it listens. The data directory is kept
  // across Stop()/Start(), so a restart sees the same database.
  absl::Status Start();
  // SIGTERM, then waits; returns the exit code (or -signal).
  int Stop(absl::Duration timeout = absl::Seconds(30));
  // SIGKILL, then waits.
  void Kill();
  bool running() const { return pid_ > 0; }
  // The process id while running: a test may signal it from any thread
  // (e.g. SIGKILL at an exact moment), then call Kill() to reap it.
  pid_t pid() const { return pid_; }

  int port() const { return port_; }
  int admin_port() const { return admin_port_; }
  int metrics_port() const { return metrics_port_; }
  // 0 unless started with --health_listen.
  int health_port() const { return health_port_; }
  const std::string& data_dir() const { return data_dir_; }
  // What tppd wrote on stderr so far.
  std::string Stderr() const;

  std::shared_ptr<grpc::Channel> Channel(const std::string& identity,
                                         Port port = Port::kExternal) const;
  std::shared_ptr<grpc::Channel> ChannelWith(
      std::shared_ptr<grpc::ChannelCredentials> credentials, Port port) const;

 private:
  std::vector<std::string> extra_flags_;
  std::string work_dir_;
  std::string data_dir_;
  std::string ready_file_;
  std::string stderr_file_;
  pid_t pid_ = -1;
  int port_ = 0;
  int admin_port_ = 0;
  int metrics_port_ = 0;
  int health_port_ = 0;
};

// Reads a whole file; empty when absent.
std::string ReadFileOrEmpty(const std::string& path);

// A plain HTTP GET on 127.0.0.1:port; returns the body or an error.
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_TPPD_PROCESS_H_
