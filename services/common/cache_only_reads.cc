#include "services/common/cache_only_reads.h"

#include "absl/strings/cord.h"

namespace tpp {
namespace {

thread_local bool cache_only = false;

constexpr char kWouldBlockPayload[] = "tpp.internal/would-block";

}  // namespace

CacheOnlyReads::CacheOnlyReads() : previous_(cache_only) { cache_only = true; }

CacheOnlyReads::~CacheOnlyReads() { cache_only = previous_; }

bool CacheOnlyReads::Active() { return cache_only; }

absl::Status WouldBlockError() {
  absl::Status status =
      absl::UnavailableError("the read needs the disk; retry off the reactor");
  status.SetPayload(kWouldBlockPayload, absl::Cord("1"));
  return status;
}

bool IsWouldBlock(const absl::Status& status) {
  return status.GetPayload(kWouldBlockPayload).has_value();
}

}  // namespace tpp
