// Domain types of the member store: an insurer's contracts (guarantees per
// category) and its beneficiaries. Everything in a Member but member_id is
// personal data: it reaches disk only encrypted (storage/member_store), and
// never a log line or a Status message.
#ifndef TPP_SERVICES_MEMBERS_MEMBER_H_
#define TPP_SERVICES_MEMBERS_MEMBER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "services/common/amounts.h"
#include "services/common/category.h"
#include "services/common/date.h"
#include "services/common/nir.h"

namespace tpp {

inline constexpr size_t kContractIdBytesMax = 64;
inline constexpr size_t kAdherentNumberBytesMax = 32;
inline constexpr size_t kNameBytesMax = 128;
inline constexpr int kBirthRankMax = 9;
inline constexpr int64_t kCeilingCentsMax = 100'000'000;  // 1 M€ a year

struct Guarantee {
  Category category = Category::kPharmacy;
  int64_t rate_bp = 0;               // basis points of the base (BR)
  int64_t annual_ceiling_cents = 0;  // 0: no ceiling
};

struct Contract {
  std::string contract_id;
  std::vector<Guarantee> guarantees;  // at most one per category

  // nullptr when the contract does not cover `category`.
  const Guarantee* Find(Category category) const;
};

// Who a beneficiary is: the insured person's NIR, the beneficiary's own
// birth date and birth rank (twins share a birth date).
struct BeneficiaryKey {
  Nir nir;
  Date birth_date;
  int birth_rank = 1;
};

enum class Relationship : uint8_t { kInsured = 1, kSpouse, kChild, kOther };
enum class MaritalStatus : uint8_t {
  kUnspecified = 0,
  kSingle,
  kMarried,
  kCivilPartnership,
  kDivorced,
  kWidowed,
  kSeparated,
};

struct Member {
  // Pseudonymous id given by the store: what claims, ledger and audit hold.
  std::string member_id;
  std::string adherent_number;
  BeneficiaryKey key;
  std::string last_name;
  std::string first_name;
  Relationship relationship = Relationship::kInsured;
  MaritalStatus marital_status = MaritalStatus::kUnspecified;
  std::string contract_id;
  Date coverage_from;
  Date coverage_to;  // inclusive
};

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBER_H_
