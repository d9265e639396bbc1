// Validation of the operator-supplied parts of isolation requests (scopes,
// reasons, allow-lists, options), shared by the state machine and its tests.
// Failures are INVALID_ARGUMENT with one BadRequest field violation per bad
// field. (The names and ValidateOptions declared in isolation_state.h are
// defined in scope_input.cc too.)
//
// Thread-safe: the functions share no state.
#ifndef TPP_SERVICES_ISOLATION_SCOPE_INPUT_H_
#define TPP_SERVICES_ISOLATION_SCOPE_INPUT_H_

#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "services/common/errors.h"
#include "services/isolation/isolation_state.h"

namespace tpp::isolation {

// A provider or insurer id: [A-Za-z0-9._-]{1,64}, as in SPIFFE IDs.
bool ValidPrincipalId(absl::string_view id);

// Adds a violation for each bad part of `scope` (field names "scope.kind",
// "scope.id").
void CheckScope(const Scope& scope, Violations* violations);
void CheckReason(absl::string_view reason, Violations* violations);
// Sorts and deduplicates `allowlist` in place.
void CheckAllowlist(std::vector<std::string>* allowlist,
                    Violations* violations);

}  // namespace tpp::isolation

#endif  // TPP_SERVICES_ISOLATION_SCOPE_INPUT_H_
