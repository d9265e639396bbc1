// KeyRing: this node's master key versions and the keys derived from them
// (DESIGN.md, "Data at rest"). With HKDF-SHA256 over a master version:
//   - per-insurer key-encryption key (KEK), info "tpp.kek.v1" | insurer:
//     wraps each member's data key (DEK) with AES-256-GCM, the envelope
//     naming the master version and the associated data binding insurer,
//     member record key and "dek";
//   - per-insurer blind-index key, info "tpp.blind-index.v1" | insurer.
// Derived keys are cached; they never leave memory in clear.
//
// One loaded version is primary: wraps and blind indexes use it, unwraps use
// whichever version the envelope names. Rotation: AddMasterKey(v2),
// SetPrimary(v2), Rewrap() every wrapped DEK, recompute blind indexes with
// the new key, then RetireVersion(v1).
//
// Sealed state: a ring holding no master key is sealed, and every operation
// but AddMasterKey fails with FAILED_PRECONDITION "keys sealed". A new ring
// is sealed; Seal() drops every key, then calls ZeroizeAllKeys() so that no
// key of the process (member DEKs held by callers included) survives in
// memory; AddMasterKey() unseals it. A ring whose keys were wiped by a
// direct ZeroizeAllKeys() call is sealed too.
//
// Thread-safe: all methods may be called concurrently.
#ifndef TPP_STORAGE_CRYPTO_KEYRING_H_
#define TPP_STORAGE_CRYPTO_KEYRING_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

inline constexpr size_t kMasterKeyBytes = 32;
inline constexpr size_t kDataKeyBytes = 32;
inline constexpr size_t kMasterKeyVersionsMax = 16;
// Bounds memory for many insurers; past it the cache starts afresh.
inline constexpr size_t kDerivedKeyCacheEntriesMax = 4096;

class KeyRing {
 public:
  struct Rewrapped {
    std::string wrapped;
    bool changed;  // False when it was already under the primary version.
  };

  KeyRing() = default;
  KeyRing(const KeyRing&) = delete;
  KeyRing& operator=(const KeyRing&) = delete;

  // Loads master key `version`; the first one loaded into a sealed ring
  // becomes primary. INVALID_ARGUMENT (version 0, key not 32 bytes),
  // ALREADY_EXISTS (version loaded), RESOURCE_EXHAUSTED (too many versions),
  // FAILED_PRECONDITION (key wiped).
  absl::Status AddMasterKey(uint32_t version, SecureBytes key);
  // NOT_FOUND if `version` is not loaded.
  absl::Status SetPrimary(uint32_t version);
  // Forgets `version`: envelopes under it no longer open. NOT_FOUND if not
  // loaded, FAILED_PRECONDITION if primary.
  absl::Status RetireVersion(uint32_t version);
  absl::StatusOr<uint32_t> PrimaryVersion() const;
  // Ascending; empty when sealed.
  std::vector<uint32_t> LoadedVersions() const;

  void Seal();
  bool IsSealed() const;

  // The primary version and the KeyCheckValue (shamir.h) of its master
  // key: recorded when sealing, so that unsealing can tell the rebuilt key
  // is the right one. FAILED_PRECONDITION "keys sealed".
  struct KeyCheck {
    uint32_t version = 0;
    std::string value;
  };
  absl::StatusOr<KeyCheck> PrimaryKeyCheck() const;

  // A fresh random 32-byte member data key.
  absl::StatusOr<SecureBytes> NewDataKey() const;
  // Seals `dek` under the insurer's KEK of the primary version.
  // INVALID_ARGUMENT (bad ids, dek not 32 bytes; limits in
  // record_binding.h).
  absl::StatusOr<std::string> WrapDataKey(absl::string_view insurer_id,
                                          absl::string_view member_record_key,
                                          const SecureBytes& dek) const;
  // DATA_LOSS if `wrapped` is damaged or belongs to another member or
  // insurer; FAILED_PRECONDITION if its master version is not loaded.
  absl::StatusOr<SecureBytes> UnwrapDataKey(absl::string_view insurer_id,
                                            absl::string_view member_record_key,
                                            absl::string_view wrapped) const;
  // Unwraps with the version `wrapped` names and wraps again under the
  // primary; returns `wrapped` unchanged if already under the primary.
  absl::StatusOr<Rewrapped> Rewrap(absl::string_view insurer_id,
                                   absl::string_view member_record_key,
                                   absl::string_view wrapped) const;

  // The insurer's blind-index key (blind_index.h) for the primary version,
  // or for `master_version` while re-indexing after a rotation.
  absl::StatusOr<SecureBytes> BlindIndexKey(absl::string_view insurer_id) const;
  absl::StatusOr<SecureBytes> BlindIndexKey(absl::string_view insurer_id,
                                            uint32_t master_version) const;
  // BlindIndex() under the insurer's primary blind-index key, without
  // copying the key out of the ring.
  absl::StatusOr<std::string> MemberBlindIndex(absl::string_view insurer_id,
                                               absl::string_view nir,
                                               absl::string_view birth_date,
                                               int birth_rank) const;

  // The 32-byte seed of the audit chain's Ed25519 checkpoint key, derived
  // from the primary master version (audit_signer.h).
  absl::StatusOr<SecureBytes> AuditSigningSeed() const;

 private:
  enum class Purpose : uint8_t { kKek, kBlindIndex, kAuditSigning };

  // Runs `use` with the insurer's `purpose` key for `version` (0: the
  // primary), deriving and caching it if needed, with mu_ held.
  absl::Status WithDerivedKey(
      Purpose purpose, uint32_t version, absl::string_view insurer_id,
      absl::FunctionRef<absl::Status(uint32_t version, const SecureBytes& key)>
          use) const;
  bool SealedLocked() const ABSL_SHARED_LOCKS_REQUIRED(mu_);

  mutable absl::Mutex mu_;
  absl::flat_hash_map<uint32_t, SecureBytes> masters_ ABSL_GUARDED_BY(mu_);
  uint32_t primary_ ABSL_GUARDED_BY(mu_) = 0;
  // Key: purpose, master version, insurer id (see DerivedCacheKey).
  mutable absl::flat_hash_map<std::string, SecureBytes> derived_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_KEYRING_H_
