// The breach report (issue #7): which members did a credential see between
// two instants, per insurer, with the GDPR art. 33(3) fields that can be
// derived from the audit (nature, categories, approximate numbers of people
// and records, whether the data was intelligible to the caller).
//
// A member counts as exposed when a call of the credential was answered
// (outcome OK) with data about them; refused calls count as records but
// expose no one.
#ifndef TPP_SERVICES_AUDIT_BREACH_REPORT_H_
#define TPP_SERVICES_AUDIT_BREACH_REPORT_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/time/time.h"
#include "services/audit/audit_log.h"

namespace tpp {

// Adherent numbers one breach report lists at most, in its list and in its
// text each (member counts stay exact past it): 2 x 100,000 numbers keep
// the answer under the 4 MiB message limit.
inline constexpr size_t kBreachReportAdherentsMax = 100000;

struct InsurerExposureReport {
  std::string insurer_id;
  // member_id -> adherent number (empty when not known).
  absl::flat_hash_map<std::string, std::string> members;
  // Set by Finish: the distinct adherent numbers, sorted, and the ids of the
  // members with none, sorted.
  std::vector<std::string> adherents;
  std::vector<std::string> unnamed_members;
  uint32_t categories = 0;
  absl::Time first_access = absl::InfiniteFuture();
  absl::Time last_access = absl::InfinitePast();
  int64_t record_count = 0;
};

struct BreachReportData {
  std::string credential;
  absl::Time from;
  absl::Time to;
  std::map<std::string, InsurerExposureReport> insurers;  // by insurer id
  uint32_t categories = 0;
  int64_t people = 0;         // distinct members, all insurers
  int64_t records = 0;        // audit records (calls) of the credential
  int64_t refused = 0;        // of which refused
  bool intelligible = false;  // data was returned decrypted
  std::string nature;
};

class BreachReportBuilder {
 public:
  BreachReportBuilder(std::string credential, absl::Time from, absl::Time to);
  void Add(const AuditRecord& record);
  BreachReportData Finish() &&;

 private:
  BreachReportData data_;
};

// `t` as RFC 3339 in UTC with microseconds: how the audit writes instants.
std::string Rfc3339(absl::Time t);

// A draft notification (art. 33 GDPR) for humans: what tppctl prints with
// --format text. Lists at most kBreachReportAdherentsMax adherent numbers.
std::string BreachReportText(const BreachReportData& report);

}  // namespace tpp

#endif  // TPP_SERVICES_AUDIT_BREACH_REPORT_H_
