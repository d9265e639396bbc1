#include "services/isolation/scope_input.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace tpp::isolation {

const char* ScopeKindName(ScopeKind kind) {
  switch (kind) {
    case ScopeKind::kPlatform:
      return "PLATFORM";
    case ScopeKind::kInsurer:
      return "INSURER";
    case ScopeKind::kProvider:
      return "PROVIDER";
    case ScopeKind::kCredential:
      return "CREDENTIAL";
  }
  return "UNKNOWN";
}

const char* StateName(State state) {
  switch (state) {
    case State::kOpen:
      return "OPEN";
    case State::kIsolated:
      return "ISOLATED";
    case State::kReopening:
      return "REOPENING";
  }
  return "UNKNOWN";
}

std::string ScopeLabel(const Scope& scope) {
  if (scope.kind == ScopeKind::kPlatform) return "platform";
  return absl::StrCat(absl::AsciiStrToLower(ScopeKindName(scope.kind)), ":",
                      scope.id);
}

absl::Status ValidateOptions(const SwitchOptions& options) {
  // A start-up configuration error: the message names the flag.
  if (options.quorum < kQuorumMin || options.quorum > kQuorumMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("--isolation_quorum must be between ", kQuorumMin, " and ",
                     kQuorumMax, " distinct operators, not ", options.quorum));
  }
  if (options.proposal_ttl < absl::Minutes(1) ||
      options.proposal_ttl > absl::Hours(24)) {
    return absl::InvalidArgumentError(
        "--proposal_ttl_ms must be between one minute and one day");
  }
  return absl::OkStatus();
}

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
