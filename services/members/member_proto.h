// The members adapter's mapping between tpp.v1 messages and the domain
// types, with validation: one BadRequest field violation per bad field, and
// never a personal value in a message.
#ifndef TPP_SERVICES_MEMBERS_MEMBER_PROTO_H_
#define TPP_SERVICES_MEMBERS_MEMBER_PROTO_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/common/errors.h"
#include "services/members/member.h"
#include "tpp/v1/common.pb.h"
#include "tpp/v1/members.pb.h"

namespace tpp {

inline constexpr int kGuaranteesMax = kCategoryCount;

absl::StatusOr<Contract> ContractFromProto(const tpp::v1::Contract& proto);

// Validates a beneficiary, adding violations under `prefix`
// ("beneficiary."); returns the key when it is valid.
std::optional<BeneficiaryKey> BeneficiaryFromProto(
    const tpp::v1::Beneficiary& proto, const std::string& prefix,
    Violations* violations);

// Validates one record of an import (contract existence is checked by the
// caller). INVALID_ARGUMENT with field violations.
absl::StatusOr<Member> MemberFromProto(const tpp::v1::MemberRecord& proto);

void MemberToProto(const Member& member, tpp::v1::MemberRecord* proto);

absl::StatusOr<Category> CategoryFromProto(tpp::v1::Category category);
tpp::v1::Category CategoryToProto(Category category);

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBER_PROTO_H_
