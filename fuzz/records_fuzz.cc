// The decoders of stored values, on arbitrary bytes: what a damaged disk or
// a tampered backup can feed them. The first byte picks the decoder.
// Properties:
// - a stored claim decodes to a claim that encodes and decodes to itself,
//   or fails with DATA_LOSS (RocksClaimStore::Decode);
// - AES-GCM envelopes and encrypted fields: arbitrary bytes never open
//   (DATA_LOSS); a real envelope with any byte changed never opens, and
//   unchanged gives back its plaintext; a field never opens under another
//   field's name;
// - settlement records and statement lines read through the settlement
//   store decode or fail with DATA_LOSS;
// - an isolation state read at start-up either loads and survives its
//   stored form, or the node fails closed: platform ISOLATED;
// - an unseal share line parses only into a record that formats back to it.
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "fuzz/fuzz_check.h"
#include "google/protobuf/stubs/logging.h"
#include "storage/claim_store_rocks.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/field_crypto.h"
#include "storage/crypto/secure_bytes.h"
#include "storage/crypto/shamir.h"
#include "storage/db.h"
#include "storage/isolation_store_rocks.h"
#include "storage/settlement_store_rocks.h"

namespace {

namespace crypto = tpp::crypto;
using tpp::storage::Cf;

const crypto::SecureBytes& Key() {
  static const crypto::SecureBytes* key = new crypto::SecureBytes(
      *crypto::SecureBytes::CopyOf(std::string(32, 'k')));
  return *key;
}

bool DataLost(const absl::Status& s) {
  return s.code() == absl::StatusCode::kDataLoss;
}

void StoredClaim(absl::string_view bytes) {
  absl::StatusOr<tpp::Claim> claim =
      tpp::storage::RocksClaimStore::Decode(bytes);
  if (!claim.ok()) {
    FUZZ_CHECK(DataLost(claim.status()));
    return;
  }
  const std::string encoded = tpp::storage::RocksClaimStore::Encode(*claim);
  absl::StatusOr<tpp::Claim> again =
      tpp::storage::RocksClaimStore::Decode(encoded);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(tpp::storage::RocksClaimStore::Encode(*again) == encoded);
}

void Envelope(absl::string_view bytes) {
  absl::StatusOr<std::string> opened = crypto::Open(Key(), bytes, "aad");
  FUZZ_CHECK(DataLost(opened.status()));
  absl::StatusOr<uint32_t> version = crypto::EnvelopeKeyVersion(bytes);
  FUZZ_CHECK(version.ok() == (bytes.size() >= crypto::kEnvelopeOverheadBytes &&
                              bytes[0] == crypto::kEnvelopeVersion) ||
             (version.ok() && bytes.size() >= crypto::kEnvelopeHeaderBytes));
  if (!version.ok()) FUZZ_CHECK(DataLost(version.status()));
}

void TamperedEnvelope(absl::string_view bytes) {
  if (bytes.size() < 3) return;
  const size_t where = static_cast<uint8_t>(bytes[0]);
  const uint8_t flip = static_cast<uint8_t>(bytes[1]);
  const absl::string_view plaintext = bytes.substr(2);
  absl::StatusOr<std::string> sealed = crypto::Seal(Key(), 7, plaintext, "aad");
  FUZZ_CHECK(sealed.ok());
  FUZZ_CHECK(sealed->size() ==
             plaintext.size() + crypto::kEnvelopeOverheadBytes);
  FUZZ_CHECK(crypto::EnvelopeKeyVersion(*sealed).value_or(0) == 7);
  absl::StatusOr<std::string> opened = crypto::Open(Key(), *sealed, "aad");
  FUZZ_CHECK(opened.ok() && *opened == plaintext);
  FUZZ_CHECK(DataLost(crypto::Open(Key(), *sealed, "aae").status()));
  std::string changed = *sealed;
  changed[where % changed.size()] ^= static_cast<char>(flip == 0 ? 1 : flip);
  FUZZ_CHECK(DataLost(crypto::Open(Key(), changed, "aad").status()));
  FUZZ_CHECK(DataLost(
      crypto::Open(Key(),
                   absl::string_view(*sealed).substr(0, where % sealed->size()),
                   "aad")
          .status()));
}

void Field(absl::string_view bytes) {
  absl::StatusOr<std::string> opened =
      crypto::DecryptField(Key(), "100000001", "m1", "nir", bytes);
  FUZZ_CHECK(DataLost(opened.status()));
  absl::StatusOr<std::string> sealed =
      crypto::EncryptField(Key(), "100000001", "m1", "nir", bytes);
  FUZZ_CHECK(sealed.ok());
  opened = crypto::DecryptField(Key(), "100000001", "m1", "nir", *sealed);
  FUZZ_CHECK(opened.ok() && *opened == bytes);
  FUZZ_CHECK(DataLost(
      crypto::DecryptField(Key(), "100000001", "m1", "last_name", *sealed)
          .status()));
  FUZZ_CHECK(DataLost(
      crypto::DecryptField(Key(), "100000001", "m2", "nir", *sealed).status()));
  FUZZ_CHECK(DataLost(
      crypto::DecryptField(Key(), "100000002", "m1", "nir", *sealed).status()));
}

void Share(absl::string_view bytes) {
  absl::StatusOr<crypto::ShareRecord> record = crypto::ParseShare(bytes);
  if (!record.ok()) {
    FUZZ_CHECK(record.status().code() == absl::StatusCode::kInvalidArgument);
    return;
  }
  absl::StatusOr<crypto::SecureBytes> line = crypto::FormatShare(*record);
  FUZZ_CHECK(line.ok());
  absl::StatusOr<crypto::ShareRecord> again = crypto::ParseShare(line->view());
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(again->share.x == record->share.x);
  FUZZ_CHECK(again->share.y.view() == record->share.y.view());
  FUZZ_CHECK(again->threshold == record->threshold);
  FUZZ_CHECK(again->key_check_value == record->key_check_value);
}

// One database for the whole run, on tmpfs when there is one: the
// isolation store syncs what it writes.
tpp::storage::Db* TheDb() {
  static tpp::storage::Db* db = [] {
    std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    if (const char* t = getenv("TPP_FUZZ_DB_DIR")) base = t;
    static std::string dir = base + "/tpp-records-fuzz-XXXXXX";
    FUZZ_CHECK(mkdtemp(dir.data()) != nullptr);
    // The database stays open to the end; its files go at exit.
    std::atexit([] {
      std::error_code ignored;
      std::filesystem::remove_all(dir, ignored);
    });
    tpp::storage::Db::Options options;
    options.block_cache_bytes = size_t{8} << 20;
    absl::StatusOr<std::unique_ptr<tpp::storage::Db>> opened =
        tpp::storage::Db::Open(dir, options);
    FUZZ_CHECK(opened.ok());
    return opened->release();
  }();
  return db;
}

void Put(Cf cf, absl::string_view key, absl::string_view value) {
  tpp::storage::Db* db = TheDb();
  FUZZ_CHECK(db->raw()
                 ->Put(rocksdb::WriteOptions(), db->cf(cf),
                       rocksdb::Slice(key.data(), key.size()),
                       rocksdb::Slice(value.data(), value.size()))
                 .ok());
}

void Settlement(absl::string_view bytes) {
  tpp::storage::RocksSettlementStore store(TheDb(), nullptr);
  const std::string id = "100000001-20261128";
  Put(Cf::kSettlements, absl::StrCat("S", std::string(1, '\0'), id), bytes);
  absl::StatusOr<tpp::Settlement> settlement = store.Get(id);
  if (!settlement.ok()) {
    FUZZ_CHECK(DataLost(settlement.status()));
  }
  // The same bytes as statement line 1.
  const std::string line_key =
      absl::StrCat("L", std::string(1, '\0'), id, std::string(1, '\0'),
                   std::string("\0\0\0\0\0\0\0\1", 8));
  Put(Cf::kSettlements, line_key, bytes);
  uint64_t last = 0;
  absl::StatusOr<std::vector<tpp::StatementLine>> lines =
      store.Lines(id, 0, 10, &last);
  if (!lines.ok()) {
    FUZZ_CHECK(DataLost(lines.status()));
  } else {
    FUZZ_CHECK(lines->size() == 1 && last == 1);
  }
}

void Isolation(absl::string_view bytes) {
  tpp::storage::Db* db = TheDb();
  Put(Cf::kControl, tpp::storage::RocksIsolationStore::kStateKey, bytes);
  tpp::storage::RocksIsolationStore store(db, nullptr);
  absl::StatusOr<tpp::isolation::LoadedState> loaded = store.Load();
  FUZZ_CHECK(loaded.ok());
  using Origin = tpp::isolation::LoadedState::Origin;
  FUZZ_CHECK(loaded->origin != Origin::kFresh);
  if (loaded->origin == Origin::kFailClosed) {
    FUZZ_CHECK(loaded->state.Get(tpp::isolation::Scope{}).state ==
               tpp::isolation::State::kIsolated);
  } else {
    FUZZ_CHECK(
        tpp::isolation::IsolationState::FromRecord(loaded->state.ToRecord())
            .ok());
  }
}

using Target = void (*)(absl::string_view);
constexpr Target kTargets[] = {StoredClaim, Envelope,   TamperedEnvelope, Field,
                               Share,       Settlement, Isolation};

}  // namespace

// libprotobuf logs each string field that is not UTF-8: millions of lines.
extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  google::protobuf::SetLogHandler(nullptr);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  constexpr size_t kCount = sizeof(kTargets) / sizeof(kTargets[0]);
  kTargets[data[0] % kCount](
      absl::string_view(reinterpret_cast<const char*>(data + 1), size - 1));
  return 0;
}
