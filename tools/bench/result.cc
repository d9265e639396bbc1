#include "tools/bench/result.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tpp::bench {

std::string ToText(const Result& r) {
  std::string errors;
  for (const auto& [code, n] : r.errors)
    absl::StrAppend(&errors, " ", code, "=", n);
  std::string out = absl::StrFormat(
      "%-14s %10.0f %s/s  p50 %8.0f us  p99 %8.0f us  p99.9 %8.0f us  max "
      "%8.0f us  (%llu %s in %.1f s, concurrency %d)%s",
      r.scenario, r.rate_per_s, r.unit, r.p50_us, r.p99_us, r.p999_us, r.max_us,
      static_cast<unsigned long long>(r.count), r.unit, r.seconds,
      r.concurrency, errors.empty() ? "" : absl::StrCat("  ERRORS:", errors));
  for (const auto& [key, value] : r.extra) {
    absl::StrAppend(&out, absl::StrFormat("  %s=%.1f", key, value));
  }
  return out;
}

std::string ToJson(const Result& r) {
  std::string errors;
  for (const auto& [code, n] : r.errors) {
    absl::StrAppend(&errors, errors.empty() ? "" : ",", "\"", code, "\":", n);
  }
  std::string extra;
  for (const auto& [key, value] : r.extra) {
    absl::StrAppend(&extra, ",\"", key, "\":", absl::StrFormat("%.3f", value));
  }
  return absl::StrFormat(
      "{\"scenario\":\"%s\",\"unit\":\"%s\",\"count\":%llu,\"seconds\":%.3f,"
      "\"rate_per_s\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
      "\"p999_us\":%.1f,\"max_us\":%.1f,\"concurrency\":%d,\"errors\":{%s}%s}",
      r.scenario, r.unit, static_cast<unsigned long long>(r.count), r.seconds,
      r.rate_per_s, r.p50_us, r.p90_us, r.p99_us, r.p999_us, r.max_us,
      r.concurrency, errors, extra);
}

}  // namespace tpp::bench
