#include "storage/crypto/keyring.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/blind_index.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/mac.h"
#include "storage/crypto/macros.h"
#include "storage/crypto/record_binding.h"
#include "storage/crypto/shamir.h"

namespace tpp::crypto {
namespace {

// WithDerivedKey's version for "the primary"; never a loaded version.
constexpr uint32_t kPrimary = 0;
constexpr size_t kDerivedKeyBytes = 32;
constexpr absl::string_view kKekLabel = "tpp.kek.v1";
constexpr absl::string_view kBlindIndexKeyLabel = "tpp.blind-index-key.v1";
constexpr absl::string_view kAuditSigningLabel = "tpp.audit-signing.v1";
// The derivation's "insurer" for platform-wide keys.
constexpr absl::string_view kPlatformScope = "platform";
constexpr size_t kLabelBytesMax = 32;

absl::Status SealedError() {
  return absl::FailedPreconditionError("keys sealed");
}

absl::Status NotLoadedError(uint32_t version) {
  return absl::FailedPreconditionError(
      absl::StrCat("master key version ", version, " is not loaded"));
}

absl::Status CheckInsurer(absl::string_view insurer_id) {
  if (insurer_id.empty() || insurer_id.size() > kInsurerIdBytesMax) {
    return absl::InvalidArgumentError("insurer id empty or too long");
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status KeyRing::AddMasterKey(uint32_t version, SecureBytes key) {
  if (version == kPrimary) {
    return absl::InvalidArgumentError("master key version must be >= 1");
  }
  if (key.size() != kMasterKeyBytes) {
    return absl::InvalidArgumentError("master key must be 32 bytes");
  }
  if (key.wiped()) return SealedError();
  absl::MutexLock lock(&mu_);
  if (SealedLocked()) {  // Drop keys wiped by ZeroizeAllKeys().
    derived_.clear();
    masters_.clear();
    primary_ = kPrimary;
  }
  if (masters_.contains(version)) {
    return absl::AlreadyExistsError(
        absl::StrCat("master key version ", version, " already loaded"));
  }
  if (masters_.size() >= kMasterKeyVersionsMax) {
    return absl::ResourceExhaustedError("too many master key versions");
  }
  masters_.emplace(version, std::move(key));
  if (primary_ == kPrimary) primary_ = version;
  return absl::OkStatus();
}

absl::Status KeyRing::SetPrimary(uint32_t version) {
  absl::MutexLock lock(&mu_);
  if (SealedLocked()) return SealedError();
  if (!masters_.contains(version)) {
    return absl::NotFoundError(
        absl::StrCat("master key version ", version, " is not loaded"));
  }
  primary_ = version;
  return absl::OkStatus();
}

absl::Status KeyRing::RetireVersion(uint32_t version) {
  absl::MutexLock lock(&mu_);
  if (SealedLocked()) return SealedError();
  if (!masters_.contains(version)) {
    return absl::NotFoundError(
        absl::StrCat("master key version ", version, " is not loaded"));
  }
  if (version == primary_) {
    return absl::FailedPreconditionError(
        "cannot retire the primary master key version");
  }
  masters_.erase(version);
  // Derived keys do not record their version in a findable way; recompute.
  derived_.clear();
  return absl::OkStatus();
}

absl::StatusOr<uint32_t> KeyRing::PrimaryVersion() const {
  absl::ReaderMutexLock lock(&mu_);
  if (SealedLocked()) return SealedError();
  return primary_;
}

std::vector<uint32_t> KeyRing::LoadedVersions() const {
  absl::ReaderMutexLock lock(&mu_);
  std::vector<uint32_t> versions;
  if (SealedLocked()) return versions;
  for (const auto& [version, key] : masters_) versions.push_back(version);
  std::sort(versions.begin(), versions.end());
  return versions;
}

void KeyRing::Seal() {
  {
    absl::MutexLock lock(&mu_);
    derived_.clear();
    masters_.clear();
    primary_ = kPrimary;
  }
  ZeroizeAllKeys();
}

absl::StatusOr<KeyRing::KeyCheck> KeyRing::PrimaryKeyCheck() const {
  absl::ReaderMutexLock lock(&mu_);
  if (SealedLocked()) return SealedError();
  KeyCheck check;
  check.version = primary_;
  TPP_CRYPTO_ASSIGN_OR_RETURN(check.value,
                              KeyCheckValue(masters_.at(primary_)));
  return check;
}

bool KeyRing::IsSealed() const {
  absl::ReaderMutexLock lock(&mu_);
  return SealedLocked();
}

bool KeyRing::SealedLocked() const {
  auto primary = masters_.find(primary_);
  return primary == masters_.end() || primary->second.wiped();
}

absl::StatusOr<SecureBytes> KeyRing::NewDataKey() const {
  if (IsSealed()) return SealedError();
  return SecureBytes::Random(kDataKeyBytes);
}

absl::StatusOr<std::string> KeyRing::WrapDataKey(
    absl::string_view insurer_id, absl::string_view member_record_key,
    const SecureBytes& dek) const {
  if (dek.size() != kDataKeyBytes) {
    return absl::InvalidArgumentError("data key must be 32 bytes");
  }
  TPP_CRYPTO_ASSIGN_OR_RETURN(
      const RecordAad aad,
      RecordAad::Make(kDataKeyKind, insurer_id, member_record_key, ""));
  absl::StatusOr<std::string> wrapped;
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kKek, kPrimary, insurer_id,
                     [&](uint32_t version, const SecureBytes& kek) {
                       wrapped = SealSecret(kek, version, dek, aad.view());
                       return wrapped.status();
                     }));
  return wrapped;
}

absl::StatusOr<SecureBytes> KeyRing::UnwrapDataKey(
    absl::string_view insurer_id, absl::string_view member_record_key,
    absl::string_view wrapped) const {
  TPP_CRYPTO_ASSIGN_OR_RETURN(
      const RecordAad aad,
      RecordAad::Make(kDataKeyKind, insurer_id, member_record_key, ""));
  TPP_CRYPTO_ASSIGN_OR_RETURN(const uint32_t version,
                              EnvelopeKeyVersion(wrapped));
  if (version == kPrimary) {
    return absl::DataLossError("wrapped data key names no master version");
  }
  absl::StatusOr<SecureBytes> dek;
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kKek, version, insurer_id,
                     [&](uint32_t, const SecureBytes& kek) {
                       dek = OpenSecret(kek, wrapped, aad.view());
                       return dek.status();
                     }));
  if (dek->size() != kDataKeyBytes) {
    return absl::DataLossError("wrapped data key has the wrong size");
  }
  return dek;
}

absl::StatusOr<KeyRing::Rewrapped> KeyRing::Rewrap(
    absl::string_view insurer_id, absl::string_view member_record_key,
    absl::string_view wrapped) const {
  TPP_CRYPTO_ASSIGN_OR_RETURN(const uint32_t from, EnvelopeKeyVersion(wrapped));
  // Unwrapping first also proves an unchanged envelope intact.
  TPP_CRYPTO_ASSIGN_OR_RETURN(
      const SecureBytes dek,
      UnwrapDataKey(insurer_id, member_record_key, wrapped));
  TPP_CRYPTO_ASSIGN_OR_RETURN(const uint32_t primary, PrimaryVersion());
  if (from == primary) return Rewrapped{std::string(wrapped), false};
  TPP_CRYPTO_ASSIGN_OR_RETURN(std::string rewrapped,
                              WrapDataKey(insurer_id, member_record_key, dek));
  return Rewrapped{std::move(rewrapped), true};
}

absl::StatusOr<SecureBytes> KeyRing::BlindIndexKey(
    absl::string_view insurer_id) const {
  absl::StatusOr<SecureBytes> copy;
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kBlindIndex, kPrimary, insurer_id,
                     [&](uint32_t, const SecureBytes& key) {
                       copy = key.Clone();
                       return copy.status();
                     }));
  return copy;
}

absl::StatusOr<SecureBytes> KeyRing::BlindIndexKey(
    absl::string_view insurer_id, uint32_t master_version) const {
  if (master_version == kPrimary) {
    return absl::InvalidArgumentError("master key version must be >= 1");
  }
  absl::StatusOr<SecureBytes> copy;
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kBlindIndex, master_version, insurer_id,
                     [&](uint32_t, const SecureBytes& key) {
                       copy = key.Clone();
                       return copy.status();
                     }));
  return copy;
}

absl::StatusOr<std::string> KeyRing::MemberBlindIndex(
    absl::string_view insurer_id, absl::string_view nir,
    absl::string_view birth_date, int birth_rank) const {
  absl::StatusOr<std::string> index;
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kBlindIndex, kPrimary, insurer_id,
                     [&](uint32_t, const SecureBytes& key) {
                       index = BlindIndex(key, nir, birth_date, birth_rank);
                       return index.status();
                     }));
  return index;
}

absl::StatusOr<SecureBytes> KeyRing::AuditSigningSeed() const {
  absl::StatusOr<SecureBytes> seed = absl::InternalError("not derived");
  TPP_CRYPTO_RETURN_IF_ERROR(
      WithDerivedKey(Purpose::kAuditSigning, kPrimary, kPlatformScope,
                     [&](uint32_t, const SecureBytes& key) {
                       seed = key.Clone();
                       return seed.status();
                     }));
  return seed;
}

absl::Status KeyRing::WithDerivedKey(
    Purpose purpose, uint32_t version, absl::string_view insurer_id,
    absl::FunctionRef<absl::Status(uint32_t version, const SecureBytes& key)>
        use) const {
  TPP_CRYPTO_RETURN_IF_ERROR(CheckInsurer(insurer_id));
  // Cache key: purpose byte, big-endian version, insurer id; built on the
  // stack so that a cache hit allocates nothing.
  char cache_key[1 + 4 + kInsurerIdBytesMax];
  auto make_cache_key = [&](uint32_t resolved) {
    cache_key[0] = static_cast<char>(purpose);
    internal::StoreBigEndian32(resolved,
                               reinterpret_cast<unsigned char*>(cache_key + 1));
    std::copy(insurer_id.begin(), insurer_id.end(), cache_key + 5);
    return absl::string_view(cache_key, 5 + insurer_id.size());
  };
  {
    absl::ReaderMutexLock lock(&mu_);
    if (SealedLocked()) return SealedError();
    const uint32_t resolved = version == kPrimary ? primary_ : version;
    if (!masters_.contains(resolved)) return NotLoadedError(resolved);
    auto cached = derived_.find(make_cache_key(resolved));
    if (cached != derived_.end()) return use(resolved, cached->second);
  }
  absl::MutexLock lock(&mu_);
  if (SealedLocked()) return SealedError();
  const uint32_t resolved = version == kPrimary ? primary_ : version;
  auto master = masters_.find(resolved);
  if (master == masters_.end()) return NotLoadedError(resolved);
  const absl::string_view key = make_cache_key(resolved);
  auto cached = derived_.find(key);
  if (cached == derived_.end()) {
    const absl::string_view label = purpose == Purpose::kKek ? kKekLabel
                                    : purpose == Purpose::kBlindIndex
                                        ? kBlindIndexKeyLabel
                                        : kAuditSigningLabel;
    unsigned char info[2 * internal::kLengthPrefixBytes + kLabelBytesMax +
                       kInsurerIdBytesMax];
    const size_t info_size =
        internal::LengthPrefixed({label, insurer_id}, info, sizeof(info));
    TPP_CRYPTO_ASSIGN_OR_RETURN(
        SecureBytes derived,
        HkdfSha256(
            master->second,
            absl::string_view(reinterpret_cast<const char*>(info), info_size),
            kDerivedKeyBytes));
    if (derived_.size() >= kDerivedKeyCacheEntriesMax) derived_.clear();
    cached = derived_.emplace(std::string(key), std::move(derived)).first;
  }
  return use(resolved, cached->second);
}

}  // namespace tpp::crypto
