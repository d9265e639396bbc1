#include "storage/crypto/master_key_file.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "storage/crypto/encoding.h"
#include "storage/crypto/key_use.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/macros.h"

namespace tpp::crypto {
namespace {

constexpr size_t kKeyHexChars = 2 * kMasterKeyBytes;

absl::Status ErrnoStatus(int error, absl::string_view what,
                         const std::string& path) {
  const std::string message =
      absl::StrCat(what, " ", path, ": ", std::strerror(error));
  switch (error) {
    case ENOENT:
      return absl::NotFoundError(message);
    case EACCES:
    case EPERM:
      return absl::PermissionDeniedError(message);
    case EEXIST:
      return absl::AlreadyExistsError(message);
    case ELOOP:
      return absl::FailedPreconditionError(message);
    default:
      return absl::UnavailableError(message);
  }
}

// Closes a descriptor on every path out.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  // Returns close()'s errno, or 0.
  int Close() {
    const int result = close(std::exchange(fd_, -1));
    return result == 0 ? 0 : errno;
  }

 private:
  int fd_;
};

// Parses "v<version>:<hex>" plus an optional line end.
absl::StatusOr<MasterKey> Parse(absl::string_view text,
                                const std::string& path) {
  const absl::Status malformed = absl::InvalidArgumentError(absl::StrCat(
      "master key file ", path, ": expected one line v<version>:<64 hex>"));
  if (absl::EndsWith(text, "\n")) text.remove_suffix(1);
  if (absl::EndsWith(text, "\r")) text.remove_suffix(1);
  const size_t colon = text.find(':');
  if (text.empty() || text[0] != 'v' || colon == absl::string_view::npos) {
    return malformed;
  }
  const absl::string_view version = text.substr(1, colon - 1);
  const absl::string_view hex = text.substr(colon + 1);
  uint32_t parsed = 0;
  if (version.empty() || version.size() > 10 ||
      version.find_first_not_of("0123456789") != absl::string_view::npos ||
      !absl::SimpleAtoi(version, &parsed) || parsed == 0 ||
      hex.size() != kKeyHexChars) {
    return malformed;
  }
  internal::KeyUse use;
  SecureBytes key(kMasterKeyBytes);
  if (!internal::HexDecode(hex, key.data())) return malformed;
  return MasterKey{parsed, std::move(key)};
}

// Makes a new directory entry durable.
int SyncParentDirectory(const std::string& path) {
  const size_t slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  Fd fd(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno;
  if (fsync(fd.get()) != 0) return errno;
  return fd.Close();
}

}  // namespace

absl::StatusOr<std::vector<MasterKey>> LoadMasterKeys(const std::string& path) {
  Fd fd(open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot open", path);
  struct stat st;
  if (fstat(fd.get(), &st) != 0) return ErrnoStatus(errno, "cannot stat", path);
  if (!S_ISREG(st.st_mode)) {
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path, " is not a regular file"));
  }
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat("master key file ", path,
                     " is accessible to group or others; chmod 0600 it"));
  }
  // One byte more than the limit tells a too-long file from a full one.
  char buffer[kMasterKeySetBytesMax + 1];
  size_t size = 0;
  while (size < sizeof(buffer)) {
    const ssize_t n = read(fd.get(), buffer + size, sizeof(buffer) - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int error = errno;
      OPENSSL_cleanse(buffer, sizeof(buffer));
      return ErrnoStatus(error, "cannot read", path);
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  absl::Status status;
  std::vector<MasterKey> keys;
  if (size > kMasterKeySetBytesMax) {
    status = absl::InvalidArgumentError(
        absl::StrCat("master key file ", path, " is too large"));
  } else {
    absl::string_view rest(buffer, size);
    while (status.ok() && !rest.empty()) {
      const size_t end = rest.find('\n');
      absl::string_view line =
          end == absl::string_view::npos ? rest : rest.substr(0, end + 1);
      rest.remove_prefix(line.size());
      absl::StatusOr<MasterKey> key = Parse(line, path);
      if (!key.ok()) {
        status = key.status();
        break;
      }
      for (const MasterKey& k : keys) {
        if (k.version == key->version) {
          status = absl::InvalidArgumentError(
              absl::StrCat("master key file ", path, " repeats a version"));
        }
      }
      if (status.ok()) keys.push_back(*std::move(key));
    }
    if (status.ok() && keys.empty()) {
      status = absl::InvalidArgumentError(
          absl::StrCat("master key file ", path, " holds no key"));
    }
  }
  OPENSSL_cleanse(buffer, sizeof(buffer));
  if (!status.ok()) return status;
  return keys;
}

absl::StatusOr<MasterKey> LoadMasterKeyFile(const std::string& path) {
  TPP_CRYPTO_ASSIGN_OR_RETURN(std::vector<MasterKey> keys,
                              LoadMasterKeys(path));
  if (keys.size() != 1) {
    return absl::InvalidArgumentError(absl::StrCat(
        "master key file ", path, ": expected one line v<version>:<64 hex>"));
  }
  return std::move(keys.front());
}

absl::Status ReplaceMasterKeys(const std::string& path,
                               const std::vector<const MasterKey*>& keys) {
  if (keys.empty() || keys.size() > kMasterKeyVersionsMax) {
    return absl::InvalidArgumentError("1 to 16 master keys per file");
  }
  const std::string tmp = path + ".tmp";
  unlink(tmp.c_str());
  Fd fd(open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             S_IRUSR | S_IWUSR));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot create", tmp);
  int error = fchmod(fd.get(), S_IRUSR | S_IWUSR) == 0 ? 0 : errno;
  char buffer[kMasterKeySetBytesMax];
  size_t size = 0;
  {
    internal::KeyUse use;
    for (const MasterKey* key : keys) {
      if (key->key.wiped() || key->key.size() != kMasterKeyBytes) {
        OPENSSL_cleanse(buffer, sizeof(buffer));
        unlink(tmp.c_str());
        return absl::FailedPreconditionError("keys sealed");
      }
      const std::string prefix = absl::StrCat("v", key->version, ":");
      std::memcpy(buffer + size, prefix.data(), prefix.size());
      size += prefix.size();
      internal::HexEncode(key->key.data(), key->key.size(), buffer + size);
      size += kKeyHexChars;
      buffer[size++] = '\n';
    }
  }
  for (size_t written = 0; error == 0 && written < size;) {
    const ssize_t n = write(fd.get(), buffer + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
    } else {
      written += static_cast<size_t>(n);
    }
  }
  OPENSSL_cleanse(buffer, sizeof(buffer));
  if (error == 0 && fsync(fd.get()) != 0) error = errno;
  if (error == 0) error = fd.Close();
  if (error == 0 && rename(tmp.c_str(), path.c_str()) != 0) error = errno;
  if (error == 0) error = SyncParentDirectory(path);
  if (error != 0) {
    unlink(tmp.c_str());
    return ErrnoStatus(error, "cannot replace", path);
  }
  return absl::OkStatus();
}

absl::StatusOr<MasterKey> WriteNewMasterKeyFile(const std::string& path,
                                                uint32_t version) {
  if (version == 0) {
    return absl::InvalidArgumentError("master key version must be >= 1");
  }
  TPP_CRYPTO_ASSIGN_OR_RETURN(SecureBytes key,
                              SecureBytes::Random(kMasterKeyBytes));
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
             S_IRUSR | S_IWUSR));
  if (fd.get() < 0) return ErrnoStatus(errno, "cannot create", path);
  // The umask can only narrow the mode; fchmod sets exactly 0600.
  int error = fchmod(fd.get(), S_IRUSR | S_IWUSR) == 0 ? 0 : errno;
  char line[kMasterKeyFileBytesMax];
  const std::string prefix = absl::StrCat("v", version, ":");
  std::memcpy(line, prefix.data(), prefix.size());
  {
    internal::KeyUse use;
    if (key.wiped()) {
      unlink(path.c_str());
      return absl::FailedPreconditionError("keys sealed");
    }
    internal::HexEncode(key.data(), key.size(), line + prefix.size());
  }
  const size_t size = prefix.size() + kKeyHexChars + 1;
  line[size - 1] = '\n';
  for (size_t written = 0; error == 0 && written < size;) {
    const ssize_t n = write(fd.get(), line + written, size - written);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      error = errno;
    } else {
      written += static_cast<size_t>(n);
    }
  }
  OPENSSL_cleanse(line, sizeof(line));
  if (error == 0 && fsync(fd.get()) != 0) error = errno;
  if (error == 0) error = fd.Close();
  if (error == 0) error = SyncParentDirectory(path);
  if (error != 0) {
    unlink(path.c_str());
    return ErrnoStatus(error, "cannot write", path);
  }
  return MasterKey{version, std::move(key)};
}

}  // namespace tpp::crypto
