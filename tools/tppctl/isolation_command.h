// `tppctl isolate`, `tppctl reopen propose|approve`, `tppctl isolation
// status` (operators, admin listener): the kill switch. Each returns the
// process exit code: 0 done, 1 refused by the node, 2 bad usage.
#ifndef TPP_TOOLS_TPPCTL_ISOLATION_COMMAND_H_
#define TPP_TOOLS_TPPCTL_ISOLATION_COMMAND_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "tools/tppctl/client.h"
#include "tpp/v1/isolation.pb.h"

namespace tpp::ctl {

// "platform", "insurer:ID", "provider:ID" or "credential:SPIFFE-ID".
absl::StatusOr<tpp::v1::Scope> ParseScope(const std::string& text);

int RunIsolate(const ClientOptions& options, const std::string& scope,
               const std::string& reason, bool seal);
// `to` is "reopening" or "open"; `allow` holds comma-separated ids.
int RunReopenPropose(const ClientOptions& options, const std::string& scope,
                     const std::string& to, const std::string& allow,
                     const std::string& reason);
int RunReopenApprove(const ClientOptions& options,
                     const std::string& proposal_id);
int RunIsolationStatus(const ClientOptions& options);

// The isolation table `tppctl status` and `isolation status` print.
void PrintIsolation(const tpp::v1::IsolationStatus& status);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_ISOLATION_COMMAND_H_
