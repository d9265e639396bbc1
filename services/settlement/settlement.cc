#include "services/settlement/settlement.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"

namespace tpp {

std::string SettlementId(absl::string_view insurer_id, Date cutoff) {
  return absl::StrCat(insurer_id, "-",
                      absl::StrReplaceAll(cutoff.ToString(), {{"-", ""}}));
}

std::string EncodeStatementLine(const StatementLine& line) {
  return absl::StrCat(line.claim_id, "|", line.adherent_number, "|",
                      line.care_date.ToString(), "|",
                      absl::AsciiStrToUpper(CategoryName(line.category)), "|",
                      line.amc_cents, "\n");
}

StatementDigest::StatementDigest() : ctx_(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr);
}

void StatementDigest::Add(const StatementLine& line) {
  const std::string encoded = EncodeStatementLine(line);
  EVP_DigestUpdate(ctx_.get(), encoded.data(), encoded.size());
}

std::string StatementDigest::Hex() const {
  std::unique_ptr<EVP_MD_CTX, Free> copy(EVP_MD_CTX_new());
  EVP_MD_CTX_copy_ex(copy.get(), ctx_.get());
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  EVP_DigestFinal_ex(copy.get(), digest, &size);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), size));
}

}  // namespace tpp
