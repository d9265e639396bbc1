#include "services/common/errors.h"

#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace tpp {
namespace {

constexpr char kReasonUrl[] = "tpp.v1/reason";
constexpr char kRetryUrl[] = "tpp.v1/retry_ms";
constexpr char kViolationsUrl[] = "tpp.v1/violations";

// Violations are encoded as a sequence of (length, bytes) pairs.
void AppendField(std::string* out, absl::string_view s) {
  uint32_t n = static_cast<uint32_t>(s.size());
  out->append(reinterpret_cast<const char*>(&n), sizeof(n));
  out->append(s.data(), s.size());
}

bool ReadField(absl::string_view* in, std::string* out) {
  uint32_t n = 0;
  if (in->size() < sizeof(n)) return false;
  std::memcpy(&n, in->data(), sizeof(n));
  in->remove_prefix(sizeof(n));
  if (in->size() < n) return false;
  out->assign(in->data(), n);
  in->remove_prefix(n);
  return true;
}

}  // namespace

absl::Status WithReason(absl::Status status, absl::string_view reason) {
  status.SetPayload(kReasonUrl, absl::Cord(reason));
  return status;
}

std::optional<std::string> ReasonOf(const absl::Status& status) {
  auto payload = status.GetPayload(kReasonUrl);
  if (!payload) return std::nullopt;
  return std::string(*payload);
}

absl::Status WithRetryDelay(absl::Status status, absl::Duration delay) {
  status.SetPayload(kRetryUrl,
                    absl::Cord(absl::StrCat(absl::ToInt64Milliseconds(delay))));
  return status;
}

std::optional<absl::Duration> RetryDelayOf(const absl::Status& status) {
  auto payload = status.GetPayload(kRetryUrl);
  int64_t ms = 0;
  if (!payload || !absl::SimpleAtoi(std::string(*payload), &ms)) {
    return std::nullopt;
  }
  return absl::Milliseconds(ms);
}

void Violations::Add(absl::string_view field, absl::string_view description) {
  violations_.push_back({std::string(field), std::string(description)});
}

absl::Status Violations::ToStatus(absl::string_view message) const {
  if (violations_.empty()) return absl::OkStatus();
  std::string encoded;
  for (const auto& v : violations_) {
    AppendField(&encoded, v.field);
    AppendField(&encoded, v.description);
  }
  std::string text(message);
  for (const auto& v : violations_) {
    absl::StrAppend(&text, "; ", v.field, ": ", v.description);
  }
  absl::Status status = absl::InvalidArgumentError(text);
  status.SetPayload(kViolationsUrl, absl::Cord(std::move(encoded)));
  return WithReason(std::move(status), "INVALID_ARGUMENT");
}

std::vector<FieldViolation> ViolationsOf(const absl::Status& status) {
  std::vector<FieldViolation> out;
  auto payload = status.GetPayload(kViolationsUrl);
  if (!payload) return out;
  std::string flat(*payload);
  absl::string_view in(flat);
  FieldViolation v;
  while (ReadField(&in, &v.field) && ReadField(&in, &v.description)) {
    out.push_back(v);
  }
  return out;
}

absl::Status InvalidField(absl::string_view field,
                          absl::string_view description) {
  Violations violations;
  violations.Add(field, description);
  return violations.ToStatus();
}

}  // namespace tpp
