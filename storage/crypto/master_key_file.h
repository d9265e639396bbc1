// Development master key files: one line "v<version>:<64 hex digits>\n"
// (the format tools/dev-master-key.sh writes). Production keeps the master
// key in a Kubernetes Secret or in operators' key shares (shamir.h), never
// in a file next to the data. A file readable or writable by group or others
// is refused.
//
// Thread-safe: the functions share no state.
#ifndef TPP_STORAGE_CRYPTO_MASTER_KEY_FILE_H_
#define TPP_STORAGE_CRYPTO_MASTER_KEY_FILE_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {

struct MasterKey {
  uint32_t version;
  SecureBytes key;  // 32 bytes.
};

// Longest well-formed file: "v4294967295:" + 64 hex digits + "\r\n".
inline constexpr size_t kMasterKeyFileBytesMax = 80;

// Longest file of several versions, one line each.
inline constexpr size_t kMasterKeySetBytesMax =
    kMasterKeyFileBytesMax * kMasterKeyVersionsMax;

// Reads a key file of one or more lines, one version each (a rotation adds
// one; retiring a version removes its line). Errors as LoadMasterKeyFile;
// INVALID_ARGUMENT also when a version repeats.
absl::StatusOr<std::vector<MasterKey>> LoadMasterKeys(const std::string& path);

// Replaces `path` atomically (a 0600 temporary file, synced, renamed over it,
// directory synced) with one line per key, in the order given.
absl::Status ReplaceMasterKeys(const std::string& path,
                               const std::vector<const MasterKey*>& keys);

// Reads a master key file of exactly one line. NOT_FOUND / PERMISSION_DENIED /
// UNAVAILABLE from the file system; FAILED_PRECONDITION if it is not a regular
// file or its mode grants anything to group or others (must be 0600 or
// stricter); INVALID_ARGUMENT if malformed (the message never quotes the
// content).
absl::StatusOr<MasterKey> LoadMasterKeyFile(const std::string& path);

// Creates `path` (which must not exist: ALREADY_EXISTS) with mode 0600 and a
// fresh random key for `version`, synced to disk, and returns the key.
// INVALID_ARGUMENT if version is 0.
absl::StatusOr<MasterKey> WriteNewMasterKeyFile(const std::string& path,
                                                uint32_t version = 1);

}  // namespace tpp::crypto

#endif  // TPP_STORAGE_CRYPTO_MASTER_KEY_FILE_H_
