// Who is calling: parsed from the single URI SAN of the verified client
// certificate, `spiffe://<trust_domain>/<role>/<id>`. Never from a request
// field.
#ifndef TPP_SERVICES_SERVER_IDENTITY_H_
#define TPP_SERVICES_SERVER_IDENTITY_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace tpp {

enum class Role : uint8_t { kProvider = 1, kInsurer = 2, kOperator = 4 };

absl::string_view RoleName(Role role);

inline constexpr size_t kIdentityIdBytesMax = 64;

struct Identity {
  std::string spiffe_id;  // the whole URI: the credential
  Role role = Role::kProvider;
  std::string id;  // provider FINESS/RPPS, insurer number, operator name
};

// UNAUTHENTICATED unless `uri` is spiffe://<trust_domain>/<role>/<id> with a
// known role and an id of [A-Za-z0-9._-]{1,64}.
absl::StatusOr<Identity> ParseSpiffeId(absl::string_view uri,
                                       absl::string_view trust_domain);

}  // namespace tpp

#endif  // TPP_SERVICES_SERVER_IDENTITY_H_
