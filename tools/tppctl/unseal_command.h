// `tppctl init-keys` (offline, on the master key file) and `tppctl unseal`
// (operators, admin listener): Shamir key shares of the master key
// (storage/crypto/shamir.h), so that unsealing a sealed node takes several
// operators. Each returns the process exit code: 0 done, 1 failed or
// refused, 2 bad usage.
#ifndef TPP_TOOLS_TPPCTL_UNSEAL_COMMAND_H_
#define TPP_TOOLS_TPPCTL_UNSEAL_COMMAND_H_

#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// Splits the primary master key of `key_file` into `shares` share files
// `out_dir`/share-<x>.txt (mode 0600, never overwritten), any `threshold`
// of which rebuild it. Prints the key version and its check value, never
// a share.
int RunInitKeys(const std::string& key_file, int shares, int threshold,
                const std::string& out_dir);

// Sends the share in `share_file` as this operator.
int RunUnseal(const ClientOptions& options, const std::string& share_file);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_UNSEAL_COMMAND_H_
