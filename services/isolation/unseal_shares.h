// Collects master key shares (storage/crypto/shamir.h) from distinct
// operators until their threshold is reached, then rebuilds the master key
// and checks it against the key check value recorded when the keys were
// sealed. Shares wait in memory only (SecureBytes), at most `ttl` from the
// first one; a wrong rebuild discards them all.
//
// Not thread-safe: the isolation switch calls it under its lock.
#ifndef TPP_SERVICES_ISOLATION_UNSEAL_SHARES_H_
#define TPP_SERVICES_ISOLATION_UNSEAL_SHARES_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "storage/crypto/secure_bytes.h"
#include "storage/crypto/shamir.h"

namespace tpp::isolation {

// A share line is ~ 40 + 2 * 64 characters; anything much longer is wrong.
inline constexpr size_t kShareLineBytesMax = 1024;

class UnsealShares {
 public:
  struct Progress {
    int received = 0;
    int threshold = 0;
    // Set when the threshold was reached and the key checked out.
    std::optional<crypto::SecureBytes> master_key;
  };

  // Adds `line` from operator `actor`. `expected_check` is the key check
  // value recorded at sealing. Errors (nothing kept from this share):
  // INVALID_ARGUMENT (malformed; field "share"), FAILED_PRECONDITION
  // SHARE_MISMATCH (a share of another key), ALREADY_EXISTS
  // SHARE_ALREADY_GIVEN (this operator, or this share, already counted),
  // FAILED_PRECONDITION UNSEAL_FAILED (threshold reached but the rebuilt
  // key is wrong: every share is discarded).
  absl::StatusOr<Progress> Add(absl::string_view line, absl::string_view actor,
                               absl::string_view expected_check, absl::Time now,
                               absl::Duration ttl);
  // Forgets every share (sealing again, or the keys are back).
  void Clear();
  int received() const { return static_cast<int>(shares_.size()); }

 private:
  std::vector<crypto::Share> shares_;
  std::vector<std::string> givers_;
  int threshold_ = 0;
  absl::Time first_at_ = absl::InfinitePast();
};

}  // namespace tpp::isolation

#endif  // TPP_SERVICES_ISOLATION_UNSEAL_SHARES_H_
