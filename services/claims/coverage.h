// Coverage: what the member store says about a beneficiary on a care date,
// the first step of both an eligibility check and a claim's adjudication.
//
// Thread-safety: a free function over a thread-safe MemberStore.
#ifndef TPP_SERVICES_CLAIMS_COVERAGE_H_
#define TPP_SERVICES_CLAIMS_COVERAGE_H_

#include <string>

#include "absl/status/statusor.h"
#include "services/claims/claim.h"
#include "services/members/member_store.h"

namespace tpp {

struct Coverage {
  // kNone when the beneficiary is covered on the date; otherwise
  // kInsurerUnknown, kMemberNotFound or kNotCoveredOnDate.
  RejectReason reason = RejectReason::kNone;
  // Set whenever the member was found (even when not covered on the date).
  std::string member_id;
  std::string adherent_number;
  Date coverage_to;
  Contract contract;  // set when covered
};

// Whether `key` is a member of `insurer_id` covered on `care_date`, and
// under which contract. Errors are the store's: DATA_LOSS on tampering,
// FAILED_PRECONDITION when the keys are sealed, UNAVAILABLE on I/O.
// An unknown member is not an error, and costs the store the same work as
// a known one (MemberStore::Find): the answer is no oracle.
absl::StatusOr<Coverage> ResolveCoverage(const MemberStore& store,
                                         const std::string& insurer_id,
                                         const BeneficiaryKey& key,
                                         Date care_date);

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_COVERAGE_H_
