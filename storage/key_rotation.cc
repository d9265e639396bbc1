#include "storage/key_rotation.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "services/common/log.h"
#include "services/common/status_macros.h"
#include "storage/crypto/aead.h"

namespace tpp::storage {

const char* RotationStateName(RotationStatus::State state) {
  switch (state) {
    case RotationStatus::State::kIdle:
      return "idle";
    case RotationStatus::State::kRewrapping:
      return "rewrapping";
    case RotationStatus::State::kDone:
      return "done";
    case RotationStatus::State::kFailed:
      return "failed";
  }
  return "idle";
}

KeyRotation::KeyRotation(Db* db, CommitQueue* commits, crypto::KeyRing* ring,
                         std::string key_file,
                         std::vector<crypto::MasterKey> keys,
                         PendingOutside pending_outside, Rewritten rewritten)
    : db_(db),
      commits_(commits),
      ring_(ring),
      key_file_(std::move(key_file)),
      pending_outside_(std::move(pending_outside)),
      rewritten_(std::move(rewritten)),
      keys_(std::move(keys)) {}

KeyRotation::~KeyRotation() { Stop(); }

void KeyRotation::Stop() {
  stopping_.store(true);
  if (thread_.joinable()) thread_.join();
}

void KeyRotation::Resume() {
  absl::MutexLock lock(&mu_);
  if (keys_.size() < 2 || status_.state == RotationStatus::State::kRewrapping) {
    return;
  }
  status_ = RotationStatus();
  status_.state = RotationStatus::State::kRewrapping;
  Log(LogLevel::kInfo, "key_rotation_resumed", {{"versions", keys_.size()}});
  thread_ = std::thread([this] { Run(); });
}

RotationStatus KeyRotation::status() const {
  absl::MutexLock lock(&mu_);
  return status_;
}

absl::Status KeyRotation::Start() {
  absl::MutexLock lock(&mu_);
  if (status_.state == RotationStatus::State::kRewrapping) {
    return absl::FailedPreconditionError("a key rotation is running");
  }
  if (ring_->IsSealed()) return absl::FailedPreconditionError("keys sealed");
  // Keys rebuilt from shares (unsealing) are not in the key file, and the
  // copies loaded from it at start-up were wiped by sealing: rewriting the
  // file from them would lose a version.
  if (keys_.empty() ||
      std::any_of(keys_.begin(), keys_.end(),
                  [](const crypto::MasterKey& k) { return k.key.wiped(); })) {
    return absl::FailedPreconditionError(
        "the keys were unsealed from shares: restart the node from its key "
        "file to rotate");
  }
  if (keys_.size() >= crypto::kMasterKeyVersionsMax) {
    return absl::FailedPreconditionError(
        "too many master key versions: let the last rotation retire them");
  }
  if (thread_.joinable()) thread_.join();  // the previous, finished, run
  uint32_t version = 0;
  for (const auto& k : keys_) version = std::max(version, k.version);
  ++version;
  TPP_ASSIGN_OR_RETURN(crypto::SecureBytes key,
                       crypto::SecureBytes::Random(crypto::kMasterKeyBytes));
  TPP_ASSIGN_OR_RETURN(crypto::SecureBytes for_ring, key.Clone());
  // On disk first: nothing is wrapped under a key that a crash could lose.
  std::vector<const crypto::MasterKey*> file;
  for (const auto& k : keys_) file.push_back(&k);
  crypto::MasterKey added{version, std::move(key)};
  file.push_back(&added);
  TPP_RETURN_IF_ERROR(crypto::ReplaceMasterKeys(key_file_, file));
  TPP_RETURN_IF_ERROR(ring_->AddMasterKey(version, std::move(for_ring)));
  TPP_RETURN_IF_ERROR(ring_->SetPrimary(version));
  keys_.push_back(std::move(added));
  status_ = RotationStatus();
  status_.state = RotationStatus::State::kRewrapping;
  Log(LogLevel::kInfo, "key_rotation_started", {{"primary_version", version}});
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void KeyRotation::Run() {
  absl::Status failure;
  for (int pass = 0; pass < kPassesMax && !stopping_.load(); ++pass) {
    // Writes staged under an old version before the switch must have
    // landed, or this pass could miss them.
    absl::StatusOr<uint32_t> primary = ring_->PrimaryVersion();
    if (!primary.ok()) {
      failure = primary.status();
      break;
    }
    while (pending_outside_ && pending_outside_(*primary) > 0 &&
           !stopping_.load()) {
      absl::SleepFor(absl::Milliseconds(5));
    }
    absl::StatusOr<uint64_t> old = Pass();
    if (!old.ok()) {
      failure = old.status();
      break;
    }
    // A pass that found nothing left under an old version, with no write
    // under one pending: retire them.
    if (*old == 0) {
      failure = Retire();
      absl::MutexLock lock(&mu_);
      if (failure.ok()) {
        status_.state = RotationStatus::State::kDone;
        Log(LogLevel::kInfo, "key_rotation_done",
            {{"rewrapped", status_.keys_rewrapped},
             {"passes", status_.passes}});
        return;
      }
      break;
    }
  }
  if (failure.ok() && !stopping_.load()) {
    failure = absl::AbortedError("old versions still in use after every pass");
  }
  absl::MutexLock lock(&mu_);
  status_.state = stopping_.load() ? RotationStatus::State::kIdle
                                   : RotationStatus::State::kFailed;
  status_.error = std::string(failure.message());
  Log(LogLevel::kError, "key_rotation_failed", {{"error", status_.error}});
}

absl::StatusOr<uint64_t> KeyRotation::Pass() {
  TPP_ASSIGN_OR_RETURN(uint32_t primary, ring_->PrimaryVersion());
  uint64_t seen = 0;
  uint64_t old = 0;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(Cf::kMemberKeys));
  it->SeekToFirst();
  while (it->Valid() && !stopping_.load()) {
    std::vector<std::string> chunk;
    for (; it->Valid() && chunk.size() < kChunkKeys; it->Next()) {
      absl::StatusOr<uint32_t> version = crypto::EnvelopeKeyVersion(
          absl::string_view(it->value().data(), it->value().size()));
      ++seen;
      if (!version.ok() || *version != primary) {
        chunk.push_back(it->key().ToString());
      }
    }
    if (!it->status().ok()) return FromRocks(it->status(), "scanning keys");
    if (chunk.empty()) continue;
    old += chunk.size();
    // Re-read and rewrap on the committer thread: the latest value wins.
    uint64_t rewrapped = 0;
    absl::Notification written;
    absl::Status result;
    commits_->CommitBuilt(
        [this, &chunk, &rewrapped](rocksdb::WriteBatch* batch) -> absl::Status {
          for (const std::string& row : chunk) {
            absl::StatusOr<std::string> value = db_->Get(Cf::kMemberKeys, row);
            if (absl::IsNotFound(value.status())) continue;  // erased since
            if (!value.ok()) return value.status();
            const size_t sep = row.find('\0');
            if (sep == std::string::npos) {
              return absl::DataLossError("a member key row has no insurer");
            }
            TPP_ASSIGN_OR_RETURN(
                crypto::KeyRing::Rewrapped again,
                ring_->Rewrap(absl::string_view(row).substr(0, sep),
                              absl::string_view(row).substr(sep + 1), *value));
            if (again.changed) {
              batch->Put(db_->cf(Cf::kMemberKeys), row, again.wrapped);
              ++rewrapped;
            }
          }
          return absl::OkStatus();
        },
        [&](absl::Status s) {
          if (rewritten_) rewritten_();
          result = std::move(s);
          written.Notify();
        });
    written.WaitForNotification();
    TPP_RETURN_IF_ERROR(result);
    absl::MutexLock lock(&mu_);
    status_.keys_rewrapped += rewrapped;
  }
  if (stopping_.load()) return absl::CancelledError("stopping");
  absl::MutexLock lock(&mu_);
  status_.keys_seen = seen;
  ++status_.passes;
  return old;
}

absl::Status KeyRotation::Retire() {
  TPP_ASSIGN_OR_RETURN(uint32_t primary, ring_->PrimaryVersion());
  absl::MutexLock lock(&mu_);
  const crypto::MasterKey* kept = nullptr;
  for (const auto& k : keys_) {
    if (k.version == primary) kept = &k;
  }
  if (kept == nullptr) return absl::InternalError("primary key not held");
  TPP_RETURN_IF_ERROR(crypto::ReplaceMasterKeys(key_file_, {kept}));
  std::vector<crypto::MasterKey> remaining;
  for (auto& k : keys_) {
    if (k.version == primary) {
      remaining.push_back(std::move(k));
    } else {
      TPP_RETURN_IF_ERROR(ring_->RetireVersion(k.version));
    }
  }
  keys_ = std::move(remaining);
  return absl::OkStatus();
}

}  // namespace tpp::storage
