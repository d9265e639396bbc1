#include "tests/support/tppd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

#ifndef TPP_TPPD_PATH
#error "TPP_TPPD_PATH must name the tppd binary"
#endif
#ifndef TPP_SOURCE_DIR
#error "TPP_SOURCE_DIR must name the source tree"
#endif

namespace tpp::testing {
namespace {

std::string MakeTempDir(const std::string& prefix) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / (prefix + "XXXXXX")).string();
  char* dir = ::mkdtemp(pattern.data());
  if (dir == nullptr) {
    std::perror("mkdtemp");
    std::abort();
  }
  return dir;
}

void RunOrDie(const std::string& command) {
  int rc = std::system(command.c_str());
  if (rc != 0) {
    std::fprintf(stderr, "command failed (%d): %s\n", rc, command.c_str());
    std::abort();
  }
}

int ParseInt(const std::string& json, const std::string& key) {
  std::smatch match;
  std::regex re("\"" + key + "\":([0-9]+)");
  if (!std::regex_search(json, match, re)) return 0;
  return std::stoi(match[1].str());
}

}  // namespace

std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

const TestCerts& TestCerts::Get() {
  static const TestCerts* certs = [] {
    std::string dir = MakeTempDir("tpp-certs-");
    std::string script = std::string(TPP_SOURCE_DIR) + "/tools/dev-certs.sh";
    RunOrDie(absl::StrCat(
        script, " ", dir,
        " provider/750100001 provider/750100002 insurer/100000001"
        " insurer/100000002 insurer/100000003 operator/alice operator/bob"
        " operator/carol edge/haproxy"
        " 2>/dev/null"));
    // The special certificates are signed by the same CA, made in a side
    // folder and renamed so their files do not clash with the good ones.
    std::string side = dir + "/side";
    RunOrDie(absl::StrCat("mkdir -p ", side, " && cp ", dir, "/ca.pem ", dir,
                          "/ca.key ", side));
    auto make = [&](const std::string& env, const std::string& name) {
      RunOrDie(absl::StrCat(
          env, " ", script, " ", side, " provider/750100009 2>/dev/null && mv ",
          side, "/provider-750100009.pem ", dir, "/bad-", name, ".pem && mv ",
          side, "/provider-750100009.key ", dir, "/bad-", name, ".key"));
    };
    make("TPP_TRUST_DOMAIN=other.test", "other-domain");
    make("TPP_EXTRA_URI_SAN=spiffe://tpp.local/operator/mallory", "two-sans");
    make("TPP_NO_URI_SAN=1", "no-san");
    return new TestCerts(dir);
  }();
  return *certs;
}

std::shared_ptr<grpc::ChannelCredentials> TestCerts::Credentials(
    const std::string& identity) const {
  std::string file = identity;
  std::replace(file.begin(), file.end(), '/', '-');
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrEmpty(dir_ + "/ca.pem");
  options.pem_cert_chain = ReadFileOrEmpty(dir_ + "/" + file + ".pem");
  if (options.pem_cert_chain.empty() &&
      identity.find_first_of(" '\"$;&|<>") == std::string::npos) {
    // Any other well-formed identity is made on first use, same CA.
    static absl::Mutex mu(absl::kConstInit);
    absl::MutexLock lock(&mu);
    RunOrDie(absl::StrCat(TPP_SOURCE_DIR, "/tools/dev-certs.sh ", dir_, " ",
                          identity, " 2>/dev/null"));
    options.pem_cert_chain = ReadFileOrEmpty(dir_ + "/" + file + ".pem");
  }
  options.pem_private_key = ReadFileOrEmpty(dir_ + "/" + file + ".key");
  if (options.pem_cert_chain.empty()) {
    std::fprintf(stderr, "no certificate for %s\n", identity.c_str());
    std::abort();
  }
  return grpc::SslCredentials(options);
}

std::shared_ptr<grpc::ChannelCredentials> TestCerts::NoClientCert() const {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = ReadFileOrEmpty(dir_ + "/ca.pem");
  return grpc::SslCredentials(options);
}

TppdProcess::TppdProcess(std::vector<std::string> extra_flags)
    : extra_flags_(std::move(extra_flags)) {
  work_dir_ = MakeTempDir("tppd-");
  data_dir_ = work_dir_ + "/data";
  ready_file_ = work_dir_ + "/ready.json";
  stderr_file_ = work_dir_ + "/stderr.log";
  RunOrDie(absl::StrCat(TPP_SOURCE_DIR, "/tools/dev-master-key.sh ", work_dir_,
                        "/master.key 2>/dev/null"));
}

TppdProcess::~TppdProcess() {
  if (running()) Kill();
  std::error_code ignored;
  std::filesystem::remove_all(work_dir_, ignored);
}

absl::Status TppdProcess::Start() {
  if (running()) return absl::FailedPreconditionError("already running");
  std::remove(ready_file_.c_str());
  std::vector<std::string> args = {
      TPP_TPPD_PATH,
      "--data_dir=" + data_dir_,
      "--listen=127.0.0.1:0",
      "--admin_listen=127.0.0.1:0",
      "--metrics_listen=127.0.0.1:0",
      "--tls_dir=" + TestCerts::Get().dir(),
      "--master_key_file=" + work_dir_ + "/master.key",
      "--ready_file=" + ready_file_,
  };
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  pid_t pid = ::fork();
  if (pid < 0) return absl::InternalError("fork failed");
  if (pid == 0) {
    int fd = ::open(stderr_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (fd >= 0) ::dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    std::_Exit(127);
  }
  pid_ = pid;
  absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (absl::Now() < deadline) {
    std::string ready = ReadFileOrEmpty(ready_file_);
    if (!ready.empty()) {
      port_ = ParseInt(ready, "port");
      admin_port_ = ParseInt(ready, "admin_port");
      metrics_port_ = ParseInt(ready, "metrics_port");
      health_port_ = ParseInt(ready, "health_port");
      return absl::OkStatus();
    }
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::InternalError("tppd exited at start: " + Stderr());
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Kill();
  return absl::DeadlineExceededError("tppd did not become ready: " + Stderr());
}

int TppdProcess::Stop(absl::Duration timeout) {
  if (!running()) return -1;
  ::kill(pid_, SIGTERM);
  absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return -WTERMSIG(status);
    }
    absl::SleepFor(absl::Milliseconds(10));
  }
  Kill();
  return -SIGKILL;
}

void TppdProcess::Kill() {
  if (!running()) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string TppdProcess::Stderr() const {
  return ReadFileOrEmpty(stderr_file_);
}

std::shared_ptr<grpc::Channel> TppdProcess::ChannelWith(
    std::shared_ptr<grpc::ChannelCredentials> credentials, Port port) const {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  // Each channel its own connection: tests compare identities side by side.
  args.SetInt("tpp.test.channel", static_cast<int>(::random()));
  int p = port == Port::kExternal ? port_ : admin_port_;
  return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", p), credentials,
                                   args);
}

std::shared_ptr<grpc::Channel> TppdProcess::Channel(const std::string& identity,
                                                    Port port) const {
  return ChannelWith(TestCerts::Get().Credentials(identity), port);
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return absl::UnavailableError("connect");
  }
  std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
  if (::write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return absl::UnavailableError("write");
  }
  std::string response;
  char buf[8192];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) response.append(buf, n);
  ::close(fd);
  size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::UnavailableError("no body");
  return response.substr(body + 4);
}

}  // namespace tpp::testing
