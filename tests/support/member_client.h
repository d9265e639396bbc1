// Test support: synthetic members (tools/gen) as tpp.v1 records, and the
// MemberService calls the end-to-end tests make with them.
#ifndef TPP_TESTS_SUPPORT_MEMBER_CLIENT_H_
#define TPP_TESTS_SUPPORT_MEMBER_CLIENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "grpcpp/grpcpp.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::testing {

// `count` beneficiaries of contract `contract_id`, reproducible by `seed`.
std::vector<tpp::v1::MemberRecord> GenerateMembers(
    int count, uint64_t seed, const std::string& contract_id = "GOLD-2026");

// A pharmacy contract (200 % of the base, 1,000 € a year).
grpc::Status PutContract(tpp::v1::MemberService::Stub* stub,
                         const std::string& contract_id = "GOLD-2026");

grpc::Status ImportMembers(tpp::v1::MemberService::Stub* stub,
                           const std::vector<tpp::v1::MemberRecord>& records,
                           tpp::v1::ImportSummary* summary);

grpc::Status GetMember(tpp::v1::MemberService::Stub* stub,
                       const tpp::v1::MemberRecord& who,
                       tpp::v1::MemberRecord* out);

}  // namespace tpp::testing

#endif  // TPP_TESTS_SUPPORT_MEMBER_CLIENT_H_
