#include "services/isolation/unseal_shares.h"

#include <algorithm>
#include <utility>

#include "services/common/errors.h"

namespace tpp::isolation {

void UnsealShares::Clear() {
  shares_.clear();  // SecureBytes wipe themselves
  givers_.clear();
  threshold_ = 0;
  first_at_ = absl::InfinitePast();
}

absl::StatusOr<UnsealShares::Progress> UnsealShares::Add(
    absl::string_view line, absl::string_view actor,
    absl::string_view expected_check, absl::Time now, absl::Duration ttl) {
  if (!shares_.empty() && now - first_at_ > ttl) Clear();
  if (line.empty() || line.size() > kShareLineBytesMax) {
    Violations v;
    v.Add("share", "required, one share line");
    return v.ToStatus("invalid share");
  }
  absl::StatusOr<crypto::ShareRecord> record = crypto::ParseShare(line);
  if (!record.ok()) {
    Violations v;
    v.Add("share", "not a tpp-share-v1 line");
    return v.ToStatus("invalid share");
  }
  if (record->key_check_value != expected_check) {
    return WithReason(
        absl::FailedPreconditionError(
            "this share belongs to another master key than the sealed one"),
        "SHARE_MISMATCH");
  }
  if (std::find(givers_.begin(), givers_.end(), actor) != givers_.end()) {
    return WithReason(absl::AlreadyExistsError(
                          "this operator already gave a share: the next one "
                          "must come from another operator"),
                      "SHARE_ALREADY_GIVEN");
  }
  for (const crypto::Share& s : shares_) {
    if (s.x == record->share.x) {
      return WithReason(
          absl::AlreadyExistsError("this share was already given"),
          "SHARE_ALREADY_GIVEN");
    }
  }
  if (!shares_.empty() && record->threshold != threshold_) {
    return WithReason(absl::FailedPreconditionError(
                          "this share is from another split of the key"),
                      "SHARE_MISMATCH");
  }
  if (shares_.empty()) {
    threshold_ = record->threshold;
    first_at_ = now;
  }
  shares_.push_back(std::move(record->share));
  givers_.push_back(std::string(actor));
  Progress progress;
  progress.received = static_cast<int>(shares_.size());
  progress.threshold = threshold_;
  if (progress.received < threshold_) return progress;

  absl::StatusOr<crypto::SecureBytes> key = crypto::Combine(shares_);
  absl::StatusOr<std::string> check =
      key.ok() ? crypto::KeyCheckValue(*key) : key.status();
  Clear();
  if (!check.ok() || *check != expected_check) {
    return WithReason(absl::FailedPreconditionError(
                          "the shares do not rebuild the sealed master key: "
                          "every share was discarded"),
                      "UNSEAL_FAILED");
  }
  progress.master_key = *std::move(key);
  return progress;
}

}  // namespace tpp::isolation
