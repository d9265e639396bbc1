// `tppctl keys rotate|status` (operators): master key rotation.
#ifndef TPP_TOOLS_TPPCTL_KEYS_COMMAND_H_
#define TPP_TOOLS_TPPCTL_KEYS_COMMAND_H_

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// Starts a rotation; with `wait`, shows its progress until it is done.
// Returns the exit code: 0 when started (and, with `wait`, done).
int RunKeysRotate(const ClientOptions& options, bool wait);
int RunKeysStatus(const ClientOptions& options);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_KEYS_COMMAND_H_
