#include "services/isolation/scope_input.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"

namespace tpp::isolation {

bool ValidPrincipalId(absl::string_view id) {
  if (id.empty() || id.size() > kPrincipalIdBytesMax) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

void CheckScope(const Scope& scope, Violations* violations) {
  switch (scope.kind) {
    case ScopeKind::kPlatform:
      if (!scope.id.empty()) {
        violations->Add("scope.id", "must be empty for PLATFORM");
      }
      return;
    case ScopeKind::kInsurer:
    case ScopeKind::kProvider:
      if (!ValidPrincipalId(scope.id)) {
        violations->Add("scope.id", "must be an id of [A-Za-z0-9._-]{1,64}");
      }
      return;
    case ScopeKind::kCredential: {
      bool printable = std::all_of(scope.id.begin(), scope.id.end(),
                                   [](char c) { return c > ' ' && c < 0x7f; });
      if (!absl::StartsWith(scope.id, "spiffe://") || !printable ||
          scope.id.size() > kScopeIdBytesMax) {
        violations->Add("scope.id",
                        "must be a SPIFFE ID (spiffe://...) of at most 256 "
                        "printable characters");
      }
      return;
    }
  }
  violations->Add("scope.kind",
                  "must be PLATFORM, INSURER, PROVIDER or CREDENTIAL");
}

void CheckReason(absl::string_view reason, Violations* violations) {
  if (reason.empty() || reason.size() > kReasonBytesMax) {
    violations->Add("reason", "required, at most 512 bytes");
    return;
  }
  for (char c : reason) {
    if (static_cast<unsigned char>(c) < ' ') {
      violations->Add("reason", "must not hold control characters");
      return;
    }
  }
}

void CheckAllowlist(std::vector<std::string>* allowlist,
                    Violations* violations) {
  if (allowlist->size() > kAllowlistMax) {
    violations->Add("allowlist", "at most 256 ids");
    return;
  }
  for (const std::string& id : *allowlist) {
    if (!ValidPrincipalId(id)) {
      violations->Add("allowlist",
                      "each entry must be a provider or insurer id of "
                      "[A-Za-z0-9._-]{1,64}");
      return;
    }
  }
  std::sort(allowlist->begin(), allowlist->end());
  allowlist->erase(std::unique(allowlist->begin(), allowlist->end()),
                   allowlist->end());
}

}  // namespace tpp::isolation
