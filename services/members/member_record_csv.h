// Between the insurer's import CSV (member_csv.h) and tpp.v1.MemberRecord:
// used by tppctl, tpp-bench and the tests so that all of them send the same
// records for the same file.
#ifndef TPP_SERVICES_MEMBERS_MEMBER_RECORD_CSV_H_
#define TPP_SERVICES_MEMBERS_MEMBER_RECORD_CSV_H_

#include "absl/status/statusor.h"
#include "services/members/member_csv.h"
#include "tpp/v1/members.pb.h"

namespace tpp {

// INVALID_ARGUMENT naming the column when relationship, marital_status or
// birth_rank is not one of the CSV's words; the other fields are copied as
// they are (the server validates them).
absl::StatusOr<tpp::v1::MemberRecord> MemberRecordFromCsv(
    const MemberCsvRow& row);

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBER_RECORD_CSV_H_
