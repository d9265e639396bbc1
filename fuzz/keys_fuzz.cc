// The storage key codecs (storage/ledger_rows.h, RocksClaimStore's keys,
// RocksMemberStore::RowKey) and the int64 value codec of merged counters
// (storage/int64_add.h), on arbitrary ids. Ids reach the keys only after
// validation, which never lets a NUL through; for such ids:
// - a key splits back, at its NULs, into exactly its parts (decodable);
// - two different owners' prefixes never match each other's keys, so a
//   prefix scan of one insurer or provider never sees another's rows;
// - the prefix a listing scans is a prefix of every key it must find.
// And for any bytes: DecodeInt64 accepts exactly 8 bytes and inverts
// EncodeInt64; the merge operator adds (wrapping) and refuses bad values.
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "storage/claim_store_rocks.h"
#include "storage/int64_add.h"
#include "storage/ledger_rows.h"
#include "storage/member_store_rocks.h"

namespace {

using tpp::storage::RocksClaimStore;

// An id as validation would let it through: no NUL.
std::string Id(FuzzedDataProvider* in) {
  std::string s = in->ConsumeRandomLengthString(80);
  for (char& c : s) {
    if (c == '\0') c = '0';
  }
  return s;
}

void CheckParts(absl::string_view key, absl::string_view tag,
                const std::vector<std::string>& parts) {
  FUZZ_CHECK(absl::StartsWith(key, tag));
  std::vector<std::string> split =
      absl::StrSplit(key.substr(tag.size()), absl::ByChar('\0'));
  FUZZ_CHECK(split == parts);
}

// `prefix(a)` must start every `key(a, x)` and no `key(b, y)` for b != a.
template <typename Prefix, typename Key>
void CheckPrefix(Prefix prefix, Key key, const std::string& a,
                 const std::string& b, const std::string& x,
                 const std::string& y) {
  FUZZ_CHECK(absl::StartsWith(key(a, x), prefix(a)));
  if (a != b) FUZZ_CHECK(!absl::StartsWith(key(b, y), prefix(a)));
}

void CheckInt64(FuzzedDataProvider* in) {
  const std::string bytes = in->ConsumeRandomLengthString(16);
  std::optional<int64_t> decoded = tpp::storage::DecodeInt64(bytes);
  FUZZ_CHECK(decoded.has_value() == (bytes.size() == 8));
  if (decoded) FUZZ_CHECK(tpp::storage::EncodeInt64(*decoded) == bytes);
  const int64_t a = in->ConsumeIntegral<int64_t>();
  const int64_t b = in->ConsumeIntegral<int64_t>();
  FUZZ_CHECK(tpp::storage::DecodeInt64(tpp::storage::EncodeInt64(a)) == a);

  tpp::storage::Int64AddOperator op;
  const std::string ea = tpp::storage::EncodeInt64(a);
  const std::string eb = tpp::storage::EncodeInt64(b);
  rocksdb::Slice existing(ea);
  std::string merged;
  FUZZ_CHECK(op.Merge("k", &existing, rocksdb::Slice(eb), &merged, nullptr));
  const int64_t sum =
      static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
  FUZZ_CHECK(tpp::storage::DecodeInt64(merged) == sum);
  FUZZ_CHECK(op.Merge("k", nullptr, rocksdb::Slice(eb), &merged, nullptr));
  FUZZ_CHECK(merged == eb);
  // Bad bytes on either side are refused, never summed.
  rocksdb::Slice bad(bytes);
  FUZZ_CHECK(op.Merge("k", &bad, rocksdb::Slice(eb), &merged, nullptr) ==
             decoded.has_value());
  FUZZ_CHECK(op.Merge("k", &existing, rocksdb::Slice(bytes), &merged,
                      nullptr) == decoded.has_value());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  const std::string a = Id(&in);
  const std::string b = Id(&in);
  const std::string x = Id(&in);
  const std::string y = Id(&in);
  const std::string z = Id(&in);

  // Claim store.
  CheckParts(RocksClaimStore::InvoiceKey(a, x), "i", {a, x});
  CheckParts(RocksClaimStore::OwnerKey(a, x), "", {a, x});
  auto owner_prefix = [](const std::string& o) {
    return RocksClaimStore::OwnerKey(o, "");
  };
  auto owner_key = [](const std::string& o, const std::string& c) {
    return RocksClaimStore::OwnerKey(o, c);
  };
  CheckPrefix(owner_prefix, owner_key, a, b, x, y);
  auto invoice_prefix = [](const std::string& p) {
    return RocksClaimStore::InvoiceKey(p, "");
  };
  auto invoice_key = [](const std::string& p, const std::string& i) {
    return RocksClaimStore::InvoiceKey(p, i);
  };
  CheckPrefix(invoice_prefix, invoice_key, a, b, x, y);
  // Two different (provider, invoice) pairs never share a key.
  if (a != b || x != y) {
    FUZZ_CHECK(RocksClaimStore::InvoiceKey(a, x) !=
               RocksClaimStore::InvoiceKey(b, y));
  }

  tpp::ServiceKey service;
  service.provider_id = a;
  service.member_id = x;
  service.act_code = y;
  absl::StatusOr<tpp::Date> day =
      tpp::Date::FromDays(in.ConsumeIntegralInRange<int64_t>(-25567, 83000));
  if (day.ok()) service.care_date = *day;
  CheckParts(RocksClaimStore::ServiceRowKey(service), "s",
             {a, x, y, service.care_date.ToString()});

  tpp::UsageKey usage;
  usage.insurer_id = b;
  usage.member_id = z;
  usage.category = static_cast<tpp::Category>(
      in.ConsumeIntegralInRange<int>(1, tpp::kCategoryCount));
  usage.year = in.ConsumeIntegralInRange<int>(1900, 2199);
  CheckParts(RocksClaimStore::UsageRowKey(usage), "",
             {b, z, std::to_string(static_cast<int>(usage.category)),
              std::to_string(usage.year)});

  // Ledger and settlement rows.
  CheckParts(tpp::storage::BalanceKey(a), "b", {"", a});
  CheckParts(tpp::storage::EntryKey(a), "e", {"", a});
  CheckParts(tpp::storage::UnsettledKey(a, x), "u", {"", a, x});
  CheckParts(tpp::storage::ReversalKey(a, x), "r", {"", a, x});
  CheckPrefix(
      [](const std::string& i) { return tpp::storage::UnsettledPrefix(i); },
      [](const std::string& i, const std::string& c) {
        return tpp::storage::UnsettledKey(i, c);
      },
      a, b, x, y);
  CheckPrefix(
      [](const std::string& i) { return tpp::storage::ReversalPrefix(i); },
      [](const std::string& i, const std::string& c) {
        return tpp::storage::ReversalKey(i, c);
      },
      a, b, x, y);
  // The open window and the pending reversals never overlap.
  FUZZ_CHECK(!absl::StartsWith(tpp::storage::ReversalKey(a, x),
                               tpp::storage::UnsettledPrefix(b)));

  // Member store.
  CheckParts(tpp::storage::RocksMemberStore::RowKey(a, x), "", {a, x});
  CheckPrefix(
      [](const std::string& i) {
        return tpp::storage::RocksMemberStore::RowKey(i, "");
      },
      [](const std::string& i, const std::string& m) {
        return tpp::storage::RocksMemberStore::RowKey(i, m);
      },
      a, b, x, y);

  CheckInt64(&in);
  return 0;
}
