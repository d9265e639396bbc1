// Checks shared by the adapters that validate tpp.v1 requests: identifiers,
// printable text, dates. Messages name the rule, never the value.
//
// Thread-safety: free functions without state.
#ifndef TPP_SERVICES_COMMON_VALIDATION_H_
#define TPP_SERVICES_COMMON_VALIDATION_H_

#include <optional>
#include <string>

#include "absl/strings/string_view.h"
#include "services/common/date.h"
#include "services/common/errors.h"

namespace tpp {

// 1..max_bytes of ASCII letters, digits, '-', '_', '.'.
bool IsIdentifier(absl::string_view s, size_t max_bytes);

// Valid UTF-8 with no control characters: names are printed on statements.
bool IsPrintableUtf8(absl::string_view s);

// The date in `value`, or nullopt after adding a violation on `field`.
std::optional<Date> DateField(const std::string& value,
                              const std::string& field, Violations* violations);

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_VALIDATION_H_
