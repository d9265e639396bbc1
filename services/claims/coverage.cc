#include "services/claims/coverage.h"

namespace tpp {

absl::StatusOr<Coverage> ResolveCoverage(const MemberStore& store,
                                         const std::string& insurer_id,
                                         const BeneficiaryKey& key,
                                         Date care_date) {
  Coverage coverage;
  absl::StatusOr<Member> member = store.Find(insurer_id, key);
  if (absl::IsNotFound(member.status())) {
    absl::StatusOr<bool> known = store.KnowsInsurer(insurer_id);
    if (!known.ok()) return known.status();
    coverage.reason =
        *known ? RejectReason::kMemberNotFound : RejectReason::kInsurerUnknown;
    return coverage;
  }
  if (!member.ok()) return member.status();
  coverage.member_id = member->member_id;
  coverage.adherent_number = member->adherent_number;
  coverage.coverage_to = member->coverage_to;
  if (care_date < member->coverage_from || care_date > member->coverage_to) {
    coverage.reason = RejectReason::kNotCoveredOnDate;
    return coverage;
  }
  absl::StatusOr<Contract> contract =
      store.GetContract(insurer_id, member->contract_id);
  // A member whose contract is gone has no guarantee left: not covered.
  if (absl::IsNotFound(contract.status())) {
    coverage.reason = RejectReason::kNotCoveredOnDate;
    return coverage;
  }
  if (!contract.ok()) return contract.status();
  coverage.contract = *std::move(contract);
  return coverage;
}

}  // namespace tpp
