// `tppctl status`: the node's health on both listeners and its isolation
// state.
#ifndef TPP_TOOLS_TPPCTL_STATUS_COMMAND_H_
#define TPP_TOOLS_TPPCTL_STATUS_COMMAND_H_

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// Prints a table; returns the process exit code (0 when both listeners
// serve).
int RunStatus(const ClientOptions& options);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_STATUS_COMMAND_H_
