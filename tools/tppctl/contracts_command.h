// `tppctl contracts put --file FILE`: an insurer's contracts, one
// tpp.v1.Contract per line in its proto3 JSON form (JSON Lines), each sent
// with MemberService.UpsertContract:
//
//   {"contract_id":"GOLD-2026","guarantees":[{"category":"PHARMACY",
//    "rate_bp":20000,"annual_ceiling_cents":100000}]}
//
// Blank lines are skipped; unknown JSON fields are errors.
#ifndef TPP_TOOLS_TPPCTL_CONTRACTS_COMMAND_H_
#define TPP_TOOLS_TPPCTL_CONTRACTS_COMMAND_H_

#include <cstddef>
#include <string>

#include "tools/tppctl/client.h"

namespace tpp::ctl {

inline constexpr size_t kContractLineBytesMax = 64 * 1024;
inline constexpr size_t kContractsPerFileMax = 10000;

// Prints one line per contract (created, replaced or the error). Returns the
// exit code: 0 when every contract was stored, 1 when any failed, 2 when the
// file cannot be read or holds no contract.
int RunContractsPut(const ClientOptions& options, const std::string& path);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_CONTRACTS_COMMAND_H_
