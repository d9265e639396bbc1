// RocksSettlementStore::VerifyLedger: every invariant of DOMAIN.md's
// ledger, checked from the stored rows alone.
#include <map>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "storage/claim_store_rocks.h"
#include "storage/int64_add.h"
#include "storage/ledger_rows.h"
#include "storage/records.pb.h"
#include "storage/settlement_store_rocks.h"

namespace tpp::storage {
namespace {

absl::Status Violation(absl::string_view what) {
  return absl::FailedPreconditionError(what);
}

}  // namespace

absl::Status RocksSettlementStore::VerifyLedger() const {
  // Balances: debits equal credits.
  absl::flat_hash_map<std::string, int64_t> balance;
  int64_t sum = 0;
  absl::Status status = db_->Scan(
      Cf::kLedger, "", "",
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (key.substr(0, 2) != absl::string_view("b\0", 2)) {
          return absl::OkStatus();
        }
        std::optional<int64_t> v = DecodeInt64(value);
        if (!v) return Violation("a ledger balance is damaged");
        balance[std::string(key.substr(2))] = *v;
        sum += *v;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  if (sum != 0) {
    return Violation(
        absl::StrCat("debits and credits differ by ", sum, " cents"));
  }

  // Claims: what the open window and pending reversals should hold.
  absl::flat_hash_map<std::string, int64_t> receivable;  // by insurer
  absl::flat_hash_map<std::string, int64_t> payable;     // by provider
  absl::flat_hash_set<std::string> open_claims;
  absl::flat_hash_set<std::string> reversed_claims;
  status = db_->Scan(
      Cf::kSettlements, "", "",
      [&](absl::string_view key, absl::string_view) -> absl::Status {
        if (key.size() < 2 || key[1] != '\0') return absl::OkStatus();
        absl::string_view rest = key.substr(2);
        const absl::string_view claim_id = rest.substr(rest.find('\0') + 1);
        if (key[0] == 'u') open_claims.insert(std::string(claim_id));
        if (key[0] == 'r') reversed_claims.insert(std::string(claim_id));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  status = db_->Scan(
      Cf::kClaims, "", "",
      [&](absl::string_view id, absl::string_view value) -> absl::Status {
        absl::StatusOr<Claim> claim = RocksClaimStore::Decode(value);
        if (!claim.ok())
          return Violation(absl::StrCat("claim ", id, " is damaged"));
        const bool open = claim->status == ClaimStatus::kApproved ||
                          claim->status == ClaimStatus::kPartial;
        if (open != open_claims.contains(id)) {
          return Violation(
              absl::StrCat("claim ", id,
                           open ? " is approved but not in the open window"
                                : " is in the open window but not approved"));
        }
        if (reversed_claims.contains(id) &&
            claim->status != ClaimStatus::kCancelled) {
          return Violation(absl::StrCat(
              "claim ", id, " has a reversal but is not cancelled"));
        }
        int64_t due = 0;
        if (open) due = claim->amc_total_cents;
        if (reversed_claims.contains(id)) due = -claim->amc_total_cents;
        receivable[claim->insurer_id] += due;
        payable[claim->provider_id] += due;
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (const auto& [insurer, due] : receivable) {
    if (balance[InsurerReceivable(insurer)] != due) {
      return Violation(absl::StrCat("insurer ", insurer,
                                    ": receivable does not match its claims"));
    }
  }
  for (const auto& [provider, due] : payable) {
    if (balance[ProviderPayable(provider)] != -due) {
      return Violation(absl::StrCat("provider ", provider,
                                    ": payable does not match its claims"));
    }
  }

  // Settlements: totals, lines, remittances, digests; no claim twice.
  absl::flat_hash_map<std::string, int64_t> invoiced;  // by insurer
  absl::flat_hash_map<std::string, int64_t> remitted;  // by provider
  absl::flat_hash_map<std::string, std::string> settled_in;
  absl::flat_hash_map<std::string, std::string> reversed_in;
  std::vector<Settlement> settlements;
  std::string after;
  for (;;) {
    absl::StatusOr<std::vector<Settlement>> page = List("", after, 256);
    if (!page.ok()) return page.status();
    if (page->empty()) break;
    after = page->back().settlement_id;
    for (Settlement& s : *page) settlements.push_back(std::move(s));
  }
  for (const Settlement& s : settlements) {
    if (!s.closed) {
      return Violation(absl::StrCat("settlement ", s.settlement_id,
                                    " is still open: run it again"));
    }
    StatementDigest digest;
    int64_t total = 0, lines = 0;
    uint64_t last = 0;
    for (;;) {
      absl::StatusOr<std::vector<StatementLine>> chunk =
          Lines(s.settlement_id, last, 4096, &last);
      if (!chunk.ok()) return chunk.status();
      if (chunk->empty()) break;
      for (const StatementLine& line : *chunk) {
        digest.Add(line);
        total += line.amc_cents;
        ++lines;
        remitted[line.provider_id] += line.amc_cents;
        auto& seen = line.reversal ? reversed_in : settled_in;
        auto [it, inserted] = seen.emplace(line.claim_id, s.settlement_id);
        if (!inserted && it->second != s.settlement_id) {
          return Violation(
              absl::StrCat("claim ", line.claim_id, " is settled twice"));
        }
      }
    }
    if (total != s.total_cents || lines != s.line_count ||
        digest.Hex() != s.digest) {
      return Violation(absl::StrCat("settlement ", s.settlement_id,
                                    ": its lines do not add up to it"));
    }
    invoiced[s.insurer_id] += s.total_cents;
  }
  for (const auto& [insurer, total] : invoiced) {
    if (balance[InsurerInvoiced(insurer)] != total) {
      return Violation(absl::StrCat("insurer ", insurer,
                                    ": invoiced does not match settlements"));
    }
  }
  // Remittance rows must carry the same amounts as the statements.
  absl::flat_hash_map<std::string, int64_t> remittance_rows;
  status = db_->Scan(
      Cf::kSettlements, "", "",
      [&](absl::string_view key, absl::string_view value) -> absl::Status {
        if (key.size() < 2 || key[0] != 'm' || key[1] != '\0') {
          return absl::OkStatus();
        }
        StoredStatementLine line;
        if (!line.ParseFromArray(value.data(),
                                 static_cast<int>(value.size()))) {
          return Violation("a remittance line is damaged");
        }
        remittance_rows[line.provider_id()] += line.amc_cents();
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  for (const auto& [provider, total] : remitted) {
    if (remittance_rows[provider] != total) {
      return Violation(absl::StrCat("provider ", provider,
                                    ": remittances do not match statements"));
    }
    if (balance[ProviderRemitted(provider)] != -total) {
      return Violation(absl::StrCat("provider ", provider,
                                    ": remitted does not match settlements"));
    }
  }
  return absl::OkStatus();
}

}  // namespace tpp::storage
