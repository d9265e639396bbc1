// Domain types of claims: what a provider submits, how it was adjudicated,
// and what the store keeps. A claim holds the member's pseudonymous
// member_id, never the NIR or any other personal field (DESIGN.md).
#ifndef TPP_SERVICES_CLAIMS_CLAIM_H_
#define TPP_SERVICES_CLAIMS_CLAIM_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "services/common/category.h"
#include "services/common/date.h"
#include "services/members/member.h"

namespace tpp {

inline constexpr int kClaimLinesMax = 32;
inline constexpr size_t kInvoiceNumberBytesMax = 64;
inline constexpr size_t kActCodeBytesMax = 32;
inline constexpr int kQuantityMax = 999;
inline constexpr size_t kCancelReasonBytesMax = 256;
inline constexpr size_t kClaimIdBytesMax = 64;
// A care date may be at most this far in the past (the two-year limit of
// French health insurance, plus a margin) and never after tomorrow (UTC,
// so that a provider east of Greenwich is not refused at midnight).
inline constexpr int kCareDateAgeDaysMax = 2 * 366 + 31;

// Stable numbers: stored, and equal to the tpp.v1 enum values.
enum class ClaimStatus : uint8_t {
  kApproved = 1,
  kPartial = 2,  // some lines refused or cut by a ceiling
  kRejected = 3,
  kCancelled = 4,
  kSettled = 5,
  kPaid = 6,
};

// Why a check or a line was refused (DOMAIN.md's taxonomy). Stable numbers,
// equal to the tpp.v1 enum values.
enum class RejectReason : uint8_t {
  kNone = 0,
  kMemberNotFound = 1,
  kNotCoveredOnDate = 2,
  kCategoryNotCovered = 3,
  kCeilingReached = 4,
  kDuplicateService = 5,
  kInvalidAmounts = 6,
  kInsurerUnknown = 7,
};

absl::string_view ClaimStatusName(ClaimStatus status);
absl::string_view RejectReasonName(RejectReason reason);

struct ClaimLine {
  // From the provider.
  std::string act_code;
  Category category = Category::kPharmacy;
  int32_t quantity = 1;
  int64_t fee_cents = 0;
  int64_t base_cents = 0;
  int64_t amo_cents = 0;
  // The adjudication.
  int64_t amc_cents = 0;
  int64_t patient_cents = 0;
  RejectReason reject_reason = RejectReason::kNone;
};

// A validated SubmitClaim request. The provider is not in it: it is the
// caller's certificate identity.
struct ClaimRequest {
  std::string invoice_number;
  BeneficiaryKey beneficiary;
  std::string insurer_id;
  Date care_date;
  std::vector<ClaimLine> lines;  // 1..kClaimLinesMax
};

struct Claim {
  std::string claim_id;
  std::string provider_id;
  std::string insurer_id;
  std::string member_id;  // pseudonymous; empty when the member is unknown
  std::string invoice_number;
  Date care_date;
  ClaimStatus status = ClaimStatus::kRejected;
  std::vector<ClaimLine> lines;
  int64_t amc_total_cents = 0;
  int64_t patient_total_cents = 0;
  absl::Time created_at;
  std::string cancel_reason;
  absl::Time cancelled_at = absl::InfinitePast();  // InfinitePast: never
  std::string settlement_id;
  // What the claim took from each annual ceiling (categories whose
  // guarantee had one when it was adjudicated): what a cancellation gives
  // back.
  std::vector<std::pair<Category, int64_t>> ceiling_consumed;
  // SHA-256 of the request as submitted (ClaimFingerprint): an idempotent
  // replay must match it. Holds no personal data in clear.
  std::string fingerprint;
  // The insurer's member number: looked up for answers to the insurer
  // only, never stored with the claim.
  std::string adherent_number;
};

// What every stored claim must satisfy, checked right before a claim is
// written and right after it is read: on each line AMO + AMC + patient =
// fee, AMC >= 0, patient >= 0, a refused line pays nothing; the totals are
// the sums of the lines; what it took from ceilings is not more than its
// AMC total. INTERNAL naming the broken rule (no amounts, no member).
absl::Status CheckClaim(const Claim& claim);

// Whether a claim in `status` still consumes its ceilings and counts as
// paid by the insurer.
inline bool Consumes(ClaimStatus status) {
  return status == ClaimStatus::kApproved || status == ClaimStatus::kPartial ||
         status == ClaimStatus::kSettled || status == ClaimStatus::kPaid;
}

// The usage of one annual ceiling: a beneficiary (by member_id), a
// category, a calendar year.
struct UsageKey {
  std::string insurer_id;
  std::string member_id;
  Category category = Category::kPharmacy;
  int year = 0;

  friend bool operator==(const UsageKey& a, const UsageKey& b) {
    return a.insurer_id == b.insurer_id && a.member_id == b.member_id &&
           a.category == b.category && a.year == b.year;
  }
  template <typename H>
  friend H AbslHashValue(H h, const UsageKey& k) {
    return H::combine(std::move(h), k.insurer_id, k.member_id, k.category,
                      k.year);
  }
};

// One act performed once: the same beneficiary, act code, care date and
// provider under another invoice number is a duplicate service.
struct ServiceKey {
  std::string provider_id;
  std::string member_id;
  std::string act_code;
  Date care_date;

  friend bool operator==(const ServiceKey& a, const ServiceKey& b) {
    return a.provider_id == b.provider_id && a.member_id == b.member_id &&
           a.act_code == b.act_code && a.care_date == b.care_date;
  }
  template <typename H>
  friend H AbslHashValue(H h, const ServiceKey& k) {
    return H::combine(std::move(h), k.provider_id, k.member_id, k.act_code,
                      k.care_date.ToString());
  }
};

}  // namespace tpp

#endif  // TPP_SERVICES_CLAIMS_CLAIM_H_
