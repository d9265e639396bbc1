#include "services/members/member_record_csv.h"

#include <utility>

#include "absl/status/status.h"

namespace tpp {
namespace {

constexpr std::pair<const char*, tpp::v1::Relationship> kRelationships[] = {
    {"insured", tpp::v1::INSURED},
    {"spouse", tpp::v1::SPOUSE},
    {"child", tpp::v1::CHILD},
    {"other", tpp::v1::OTHER},
};

constexpr std::pair<const char*, tpp::v1::MaritalStatus> kMaritalStatuses[] = {
    {"", tpp::v1::MARITAL_STATUS_UNSPECIFIED},
    {"single", tpp::v1::SINGLE},
    {"married", tpp::v1::MARRIED},
    {"pacs", tpp::v1::CIVIL_PARTNERSHIP},
    {"divorced", tpp::v1::DIVORCED},
    {"widowed", tpp::v1::WIDOWED},
    {"separated", tpp::v1::SEPARATED},
};

}  // namespace

absl::StatusOr<tpp::v1::MemberRecord> MemberRecordFromCsv(
    const MemberCsvRow& row) {
  tpp::v1::MemberRecord record;
  bool found = false;
  for (const auto& [word, value] : kRelationships) {
    if (row.relationship == word) {
      record.set_relationship(value);
      found = true;
    }
  }
  if (!found) return absl::InvalidArgumentError("relationship: unknown value");
  found = false;
  for (const auto& [word, value] : kMaritalStatuses) {
    if (row.marital_status == word) {
      record.set_marital_status(value);
      found = true;
    }
  }
  if (!found) {
    return absl::InvalidArgumentError("marital_status: unknown value");
  }
  record.set_adherent_number(row.adherent_number);
  record.set_nir(row.nir);
  record.set_birth_date(row.birth_date);
  record.set_birth_rank(row.birth_rank);
  record.set_last_name(row.last_name);
  record.set_first_name(row.first_name);
  record.set_contract_id(row.contract_id);
  record.set_coverage_from(row.coverage_from);
  record.set_coverage_to(row.coverage_to);
  return record;
}

}  // namespace tpp
