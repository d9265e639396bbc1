// `tppctl settle` (operators, admin listener): closes an insurer's
// settlement window up to a cut-off date. Running it again for the same
// pair returns the same settlement.
#ifndef TPP_TOOLS_TPPCTL_SETTLE_COMMAND_H_
#define TPP_TOOLS_TPPCTL_SETTLE_COMMAND_H_

#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

// Prints the settlement; returns 0 done, 1 refused by the node.
int RunSettle(const ClientOptions& options, const std::string& insurer_id,
              const std::string& cutoff_date);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_SETTLE_COMMAND_H_
