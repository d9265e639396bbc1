// Domain types of settlements: what one run closes for an insurer, the
// lines of its statement, the provider remittances, the acknowledgements;
// and the statement digest, the one canonical encoding both sides hash.
//
// Statement digest (README, "Settlement"): lowercase hex SHA-256 over the
// lines in statement order, each encoded as the UTF-8 text
//   claim_id "|" adherent_number "|" care_date "|" CATEGORY "|" amc_cents "\n"
// where CATEGORY is the tpp.v1 enum name (PHARMACY...) and amc_cents a
// decimal integer, "-" first when negative (a reversal).
#ifndef TPP_SERVICES_SETTLEMENT_SETTLEMENT_H_
#define TPP_SERVICES_SETTLEMENT_SETTLEMENT_H_

#include <openssl/evp.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "services/common/category.h"
#include "services/common/date.h"

namespace tpp {

// Lines per stored chunk of a settlement run, and per streamed message.
inline constexpr int kSettlementChunkClaims = 1024;
inline constexpr int kStatementChunkLinesMax = 512;
inline constexpr int kAcknowledgementsMax = 100;

struct StatementLine {
  std::string claim_id;
  std::string adherent_number;
  Date care_date;
  Category category = Category::kPharmacy;
  int64_t amc_cents = 0;  // negative for a reversal
  // For the remittance, not in the statement.
  std::string provider_id;
  std::string invoice_number;
  bool reversal = false;
  // The claim's pseudonymous member id, for the audit (not in the
  // statement). Empty in lines stored before it was kept.
  std::string member_id;
};

struct Remittance {
  std::string settlement_id;
  std::string insurer_id;
  absl::Time created_at;
  std::vector<StatementLine> lines;  // the provider's only
  int64_t total_cents = 0;
};

enum class AckResult : uint8_t { kMatched = 1, kDiscrepancy = 2 };

struct Acknowledgement {
  AckResult result = AckResult::kDiscrepancy;
  int64_t line_count = 0;  // the insurer's figures
  int64_t total_cents = 0;
  std::string digest;
  absl::Time at;
  std::string by;  // the insurer's SPIFFE ID
};

struct Settlement {
  std::string settlement_id;
  std::string insurer_id;
  Date cutoff_date;
  int64_t claim_count = 0;  // claims and reversals
  int64_t line_count = 0;   // statement lines
  int64_t total_cents = 0;
  std::string digest;  // lowercase hex
  absl::Time created_at;
  bool closed = false;  // false while a run is writing it
  // Claims reserved from this id on belong to later settlements.
  std::string boundary_claim_id;
  std::vector<Acknowledgement> acknowledgements;
};

// The settlement of `insurer_id` up to `cutoff`: one per pair.
std::string SettlementId(absl::string_view insurer_id, Date cutoff);

// The canonical encoding of one statement line (see above).
std::string EncodeStatementLine(const StatementLine& line);

// SHA-256 over encoded lines, fed one at a time. Not thread-safe.
class StatementDigest {
 public:
  StatementDigest();
  void Add(const StatementLine& line);
  // The digest of the lines added so far, lowercase hex.
  std::string Hex() const;

 private:
  struct Free {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
  };
  std::unique_ptr<EVP_MD_CTX, Free> ctx_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_SETTLEMENT_SETTLEMENT_H_
