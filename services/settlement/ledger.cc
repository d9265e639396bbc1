#include "services/settlement/ledger.h"

#include "absl/strings/str_cat.h"

namespace tpp {

std::string InsurerReceivable(absl::string_view insurer_id) {
  return absl::StrCat("insurer/", insurer_id, "/receivable");
}
std::string InsurerInvoiced(absl::string_view insurer_id) {
  return absl::StrCat("insurer/", insurer_id, "/invoiced");
}
std::string ProviderPayable(absl::string_view provider_id) {
  return absl::StrCat("provider/", provider_id, "/payable");
}
std::string ProviderRemitted(absl::string_view provider_id) {
  return absl::StrCat("provider/", provider_id, "/remitted");
}

std::vector<Posting> ClaimPostings(std::optional<ClaimStatus> before,
                                   const Claim& after) {
  const bool was = before.has_value() && Consumes(*before);
  const bool is = Consumes(after.status);
  if (was == is || after.amc_total_cents == 0) return {};
  if (is) {
    return {{InsurerReceivable(after.insurer_id),
             ProviderPayable(after.provider_id), after.amc_total_cents}};
  }
  return {{ProviderPayable(after.provider_id),
           InsurerReceivable(after.insurer_id), after.amc_total_cents}};
}

std::vector<Posting> SettlementPostings(absl::string_view insurer_id,
                                        absl::string_view provider_id,
                                        int64_t amount_cents) {
  if (amount_cents == 0) return {};
  return {{InsurerInvoiced(insurer_id), InsurerReceivable(insurer_id),
           amount_cents},
          {ProviderPayable(provider_id), ProviderRemitted(provider_id),
           amount_cents}};
}

}  // namespace tpp
