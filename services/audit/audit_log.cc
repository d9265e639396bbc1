#include "services/audit/audit_log.h"

namespace tpp {
void AppendBigEndian64(uint64_t value, std::string* out) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out->push_back(static_cast<char>((value >> shift) & 0xff));
  }
}

std::string CheckpointMessage(uint64_t sequence, const std::string& head_hash,
                              absl::Time time) {
  std::string message = "tpp.audit.checkpoint.v1";
  AppendBigEndian64(sequence, &message);
  message += head_hash;
  AppendBigEndian64(static_cast<uint64_t>(absl::ToUnixMicros(time)), &message);
  return message;
}

}  // namespace tpp
