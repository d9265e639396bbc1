#include "services/server/identity.h"

#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"

namespace tpp {
namespace {

bool ValidId(absl::string_view id) {
  if (id.empty() || id.size() > kIdentityIdBytesMax) return false;
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' &&
        c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::string_view RoleName(Role role) {
  switch (role) {
    case Role::kProvider:
      return "provider";
    case Role::kInsurer:
      return "insurer";
    case Role::kOperator:
      return "operator";
  }
  return "unknown";
}

absl::StatusOr<Identity> ParseSpiffeId(absl::string_view uri,
                                       absl::string_view trust_domain) {
  constexpr absl::string_view kScheme = "spiffe://";
  if (!absl::StartsWith(uri, kScheme)) {
    return absl::UnauthenticatedError("client identity is not a SPIFFE ID");
  }
  std::vector<absl::string_view> parts =
      absl::StrSplit(uri.substr(kScheme.size()), '/');
  if (parts.size() != 3) {
    return absl::UnauthenticatedError(
        "client SPIFFE ID is not spiffe://<trust domain>/<role>/<id>");
  }
  if (parts[0] != trust_domain) {
    return absl::UnauthenticatedError(
        "client certificate of another trust domain");
  }
  Identity identity;
  if (parts[1] == "provider") {
    identity.role = Role::kProvider;
  } else if (parts[1] == "insurer") {
    identity.role = Role::kInsurer;
  } else if (parts[1] == "operator") {
    identity.role = Role::kOperator;
  } else {
    return absl::UnauthenticatedError("client SPIFFE ID has an unknown role");
  }
  if (!ValidId(parts[2])) {
    return absl::UnauthenticatedError("client SPIFFE ID has an invalid id");
  }
  identity.id = std::string(parts[2]);
  identity.spiffe_id = std::string(uri);
  return identity;
}

}  // namespace tpp
