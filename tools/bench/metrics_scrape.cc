#include "tools/bench/metrics_scrape.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmath>
#include <limits>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace tpp::bench {
namespace {

absl::StatusOr<std::string> HttpGet(const std::string& host_port) {
  std::vector<std::string> parts = absl::StrSplit(host_port, ':');
  int port = 0;
  if (parts.size() != 2 || !absl::SimpleAtoi(parts[1], &port)) {
    return absl::InvalidArgumentError("--metrics must be host:port");
  }
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::UnavailableError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, parts[0].c_str(), &addr.sin_addr) != 1 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    ::close(fd);
    return absl::UnavailableError("cannot reach the metrics endpoint");
  }
  const std::string request =
      "GET /metrics HTTP/1.0\r\nHost: " + parts[0] + "\r\n\r\n";
  if (::write(fd, request.data(), request.size()) !=
      static_cast<ssize_t>(request.size())) {
    ::close(fd);
    return absl::UnavailableError("write");
  }
  std::string response;
  char buf[16384];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) response.append(buf, n);
  ::close(fd);
  return response;
}

}  // namespace

absl::StatusOr<Buckets> ScrapeBuckets(const std::string& host_port,
                                      const std::string& method) {
  absl::StatusOr<std::string> page = HttpGet(host_port);
  if (!page.ok()) return page.status();
  Buckets buckets;
  const std::string prefix = "tpp_grpc_call_seconds_bucket{";
  const std::string needle = "method=\"" + method + "\"";
  for (absl::string_view line : absl::StrSplit(*page, '\n')) {
    if (line.substr(0, prefix.size()) != prefix ||
        line.find(needle) == absl::string_view::npos) {
      continue;
    }
    size_t le = line.find("le=\"");
    size_t end = line.find('"', le + 4);
    size_t space = line.rfind(' ');
    if (le == absl::string_view::npos || end == absl::string_view::npos)
      continue;
    absl::string_view bound = line.substr(le + 4, end - le - 4);
    double upper = std::numeric_limits<double>::infinity();
    double count = 0;
    if (bound != "+Inf" && !absl::SimpleAtod(bound, &upper)) continue;
    if (!absl::SimpleAtod(line.substr(space + 1), &count)) continue;
    buckets[upper] = count;
  }
  return buckets;
}

double Quantile(const Buckets& before, const Buckets& after, double q) {
  if (after.empty()) return 0;
  auto delta = [&](double bound) {
    auto it = before.find(bound);
    return after.at(bound) - (it == before.end() ? 0 : it->second);
  };
  const double total = delta(after.rbegin()->first);
  if (total <= 0) return 0;
  for (const auto& [bound, count] : after) {
    if (delta(bound) >= q * total) return bound;
  }
  return after.rbegin()->first;
}

absl::Status ServerLatency::Start(const std::string& metrics,
                                  const std::string& method) {
  metrics_ = metrics;
  method_ = method;
  if (metrics_.empty()) return absl::OkStatus();
  absl::StatusOr<Buckets> before = ScrapeBuckets(metrics_, method_);
  if (!before.ok()) return before.status();
  before_ = *before;
  return absl::OkStatus();
}

void ServerLatency::AddTo(Result* result) const {
  if (metrics_.empty()) return;
  absl::StatusOr<Buckets> after = ScrapeBuckets(metrics_, method_);
  if (!after.ok()) return;
  result->extra["server_p99_us"] = Quantile(before_, *after, 0.99) * 1e6;
  result->extra["server_p50_us"] = Quantile(before_, *after, 0.50) * 1e6;
}

}  // namespace tpp::bench
