// CacheOnlyReads: while one is alive on a thread, storage reads on that
// thread never touch the disk. A read that would need it fails at once with
// WouldBlockError(), and the caller hands the work to a thread that may
// block (services/server/executor.h).
//
// This lets a gRPC reactor answer a read from memory on the thread that
// received it, without a hop to the executor, yet never block on I/O there.
#ifndef TPP_SERVICES_COMMON_CACHE_ONLY_READS_H_
#define TPP_SERVICES_COMMON_CACHE_ONLY_READS_H_

#include "absl/status/status.h"

namespace tpp {

class CacheOnlyReads {
 public:
  CacheOnlyReads();
  ~CacheOnlyReads();
  CacheOnlyReads(const CacheOnlyReads&) = delete;
  CacheOnlyReads& operator=(const CacheOnlyReads&) = delete;

  // Whether reads on the calling thread must stay in memory.
  static bool Active();

 private:
  bool previous_;
};

// What a read that would need the disk returns under CacheOnlyReads.
absl::Status WouldBlockError();
bool IsWouldBlock(const absl::Status& status);

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_CACHE_ONLY_READS_H_
