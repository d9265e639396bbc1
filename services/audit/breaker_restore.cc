#include "services/audit/breaker_restore.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"

namespace tpp {
namespace {

// The calls whose members the live breaker counts (Touch before the
// answer): an import, an erasure or a statement is not a read the breaker
// watches, so it does not count after a restart either.
bool CountedByTheBreaker(absl::string_view method) {
  return method == "CheckEligibility" || method == "SubmitClaim" ||
         method == "GetClaim" || method == "ListClaims" ||
         method == "GetMember";
}

}  // namespace

absl::StatusOr<BreakerRestoreStats> RestoreBreakerWindows(
    const AuditLog& log, absl::Time now, ExfiltrationBreaker* breaker) {
  BreakerRestoreStats stats;
  absl::flat_hash_set<std::string> credentials;
  // Credentials whose trip was read: what came before it does not count.
  absl::flat_hash_set<std::string> tripped;
  std::vector<std::string> ids;
  absl::Status scanned = log.ScanNewestAfter(
      now - breaker->window(), [&](const AuditRecord& record) {
        ++stats.records;
        const AuditEvent& event = record.event;
        if (event.method == kBreakerTripMethod) {
          tripped.insert(event.caller);
          return absl::OkStatus();
        }
        // The live breaker counted the members before the outcome was
        // known: so does this, whatever the outcome (a refused call names
        // no member).
        if (event.members.empty() || !CountedByTheBreaker(event.method) ||
            tripped.contains(event.caller) ||
            breaker->LimitFor(event.caller_role) <= 0) {
          return absl::OkStatus();
        }
        ids.clear();
        for (const AuditMember& member : event.members) {
          ids.push_back(member.member_id);
        }
        breaker->RestoreOlder(event.caller, event.caller_role, ids,
                              record.time);
        ++stats.touches;
        credentials.insert(event.caller);
        return absl::OkStatus();
      });
  if (!scanned.ok()) return scanned;
  stats.credentials = static_cast<int64_t>(credentials.size());
  return stats;
}

}  // namespace tpp
