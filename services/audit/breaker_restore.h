// Start-up: the exfiltration breaker's windows live in memory, so a restart
// would empty them and a thief could wait for one (or cause one) to read
// another `limit` members. RestoreBreakerWindows puts back, from the audit
// chain, every member each credential was answered about in the last window
// before `now`.
//
// It reads the chain's tail newest first and stops at the window's start:
// the cost follows the records of one window (~140k for 10 million records
// over three days), not the chain's length. A credential's records older
// than its last trip are left out: operators' reopening emptied its window.
#ifndef TPP_SERVICES_AUDIT_BREAKER_RESTORE_H_
#define TPP_SERVICES_AUDIT_BREAKER_RESTORE_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "services/audit/audit_log.h"
#include "services/audit/breaker.h"

namespace tpp {

struct BreakerRestoreStats {
  int64_t records = 0;      // audit records read
  int64_t touches = 0;      // of which put back into a window
  int64_t credentials = 0;  // credentials with a window
};

// REQUIRES: no Touch on `breaker` yet (before the listeners start).
absl::StatusOr<BreakerRestoreStats> RestoreBreakerWindows(
    const AuditLog& log, absl::Time now, ExfiltrationBreaker* breaker);

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_BREAKER_RESTORE_H_
