#include "tools/bench/result.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace tpp::bench {
namespace {

constexpr char kRowFormat[] =
    "%-14s %-8s %10s %8s %11s %9s %9s %9s %9s %9s %6s %8s";

}  // namespace

uint64_t Result::error_count() const {
  uint64_t n = 0;
  for (const auto& [code, count] : errors) n += count;
  return n;
}

std::string TextHeader() {
  return absl::StrFormat(kRowFormat, "scenario", "unit", "ok", "errors", "ok/s",
                         "p50_us", "p90_us", "p99_us", "p99.9_us", "max_us",
                         "conc", "window_s");
}

std::string ToText(const Result& r) {
  auto us = [](double v) { return absl::StrFormat("%.0f", v); };
  std::string out = absl::StrFormat(
      kRowFormat, r.scenario, r.unit, absl::StrCat(r.count),
      absl::StrCat(r.error_count()), absl::StrFormat("%.1f", r.rate_per_s),
      us(r.p50_us), us(r.p90_us), us(r.p99_us), us(r.p999_us), us(r.max_us),
      absl::StrCat(r.concurrency),
      absl::StrFormat("%.1f%s", r.seconds, r.interrupted ? "*" : ""));
  if (!r.errors.empty()) {
    absl::StrAppend(&out, "\n  errors:");
    for (const auto& [code, n] : r.errors) {
      absl::StrAppend(&out, " ", code, "=", n);
    }
  }
  if (!r.extra.empty()) {
    absl::StrAppend(&out, "\n  ", r.scenario, ":");
    for (const auto& [key, value] : r.extra) {
      absl::StrAppend(&out, absl::StrFormat(" %s=%.1f", key, value));
    }
  }
  if (r.interrupted) absl::StrAppend(&out, "\n  * interrupted: shorter window");
  return out;
}

std::string ToJson(const Result& r) {
  // Names and codes are the program's own identifiers: nothing to escape.
  std::string errors;
  for (const auto& [code, n] : r.errors) {
    absl::StrAppend(&errors, errors.empty() ? "" : ",", "\"", code, "\":", n);
  }
  std::string extra;
  for (const auto& [key, value] : r.extra) {
    absl::StrAppend(&extra, ",\"", key, "\":", absl::StrFormat("%.3f", value));
  }
  return absl::StrFormat(
      "{\"scenario\":\"%s\",\"unit\":\"%s\",\"count\":%d,\"seconds\":%.3f,"
      "\"rate_per_s\":%.1f,\"p50_us\":%.1f,\"p90_us\":%.1f,\"p99_us\":%.1f,"
      "\"p999_us\":%.1f,\"max_us\":%.1f,\"concurrency\":%d,"
      "\"error_count\":%d,\"errors\":{%s},\"interrupted\":%s%s}",
      r.scenario, r.unit, r.count, r.seconds, r.rate_per_s, r.p50_us, r.p90_us,
      r.p99_us, r.p999_us, r.max_us, r.concurrency, r.error_count(), errors,
      r.interrupted ? "true" : "false", extra);
}

}  // namespace tpp::bench
