// tppctl audit verify | audit checkpoints | breach-report (operators, admin
// listener): the audit chain of issue #7.
#ifndef TPP_TOOLS_TPPCTL_AUDIT_COMMAND_H_
#define TPP_TOOLS_TPPCTL_AUDIT_COMMAND_H_

#include <cstdint>
#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

inline constexpr int64_t kAuditDeadlineMinMs = 10 * 60 * 1000;

struct AuditVerify {
  uint64_t from = 0;
  uint64_t to = 0;
  std::string checkpoints_file;  // from `audit checkpoints --out`
};
// 0 ok, 1 broken (the first broken sequence printed), 2 error.
int RunAuditVerify(const ClientOptions& options, const AuditVerify& verify);

// Writes the signed checkpoints (binary ExportCheckpointsResponse) to `out`
// to keep outside the platform; prints a summary.
int RunAuditCheckpoints(const ClientOptions& options, const std::string& out);

struct BreachReportArgs {
  std::string credential;
  std::string provider_id;
  std::string from;
  std::string to;
  std::string format = "text";  // text | json
};
int RunBreachReport(const ClientOptions& options, const BreachReportArgs& args);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_AUDIT_COMMAND_H_
