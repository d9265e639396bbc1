// Master key rotation (development key file mode): Start() writes a new
// master version to the key file (synced, before any use), loads it into
// the key ring as primary, and a background thread rewraps every wrapped key
// in member_keys (member data keys and insurers' blind-index keys) under it,
// in chunks built on the committer thread (CommitQueue::CommitBuilt) so that
// an import replacing or an erasure deleting the same key in between is never
// overwritten. When a full pass finds nothing left under an old version, the
// old versions are removed from the key file and the ring (retired).
//
// Thread-safe.
#ifndef TPP_STORAGE_KEY_ROTATION_H_
#define TPP_STORAGE_KEY_ROTATION_H_

#include <atomic>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "storage/commit_queue.h"
#include "storage/crypto/keyring.h"
#include "storage/crypto/master_key_file.h"
#include "storage/db.h"

namespace tpp::storage {

struct RotationStatus {
  enum class State { kIdle, kRewrapping, kDone, kFailed };
  State state = State::kIdle;
  uint64_t keys_seen = 0;       // by the last pass
  uint64_t keys_rewrapped = 0;  // by this rotation
  int passes = 0;
  std::string error;
};

const char* RotationStateName(RotationStatus::State state);

class KeyRotation {
 public:
  // Rewrapped keys per write on the committer thread (bounds the pause it
  // imposes on other writes to about a millisecond).
  static constexpr size_t kChunkKeys = 256;
  // Passes before giving up retiring the old versions.
  static constexpr int kPassesMax = 5;

  // How many writes, staged but not yet committed, hold keys wrapped under
  // a master version other than the one given (RocksMemberStore's
  // UncommittedBatchesNotUnder): the final pass waits for them to land.
  using PendingOutside = std::function<int(uint32_t primary)>;

  // Called once each chunk of rewrapped keys is written (before the next
  // pass reads them): RocksMemberStore::MemberKeysRewritten.
  using Rewritten = std::function<void()>;

  // `keys` holds the master keys of `key_file` (loaded by the caller); all
  // pointers outlive this object.
  KeyRotation(Db* db, CommitQueue* commits, crypto::KeyRing* ring,
              std::string key_file, std::vector<crypto::MasterKey> keys,
              PendingOutside pending_outside, Rewritten rewritten = {});
  ~KeyRotation();

  // FAILED_PRECONDITION while a rotation runs or when the keys are sealed.
  absl::Status Start();
  // Finishes a rotation that a stop or a crash interrupted: when the key
  // file holds several versions, rewraps to the primary (the highest) and
  // retires the others. No-op otherwise.
  void Resume();
  // Stops a rotation in progress at the next chunk and joins its thread
  // (Resume() after the next start finishes it).
  void Stop();
  RotationStatus status() const;

 private:
  void Run();
  // One pass over member_keys; returns the keys found under old versions.
  absl::StatusOr<uint64_t> Pass();
  absl::Status Retire();

  Db* const db_;
  CommitQueue* const commits_;
  crypto::KeyRing* const ring_;
  const std::string key_file_;
  const PendingOutside pending_outside_;
  const Rewritten rewritten_;

  mutable absl::Mutex mu_;
  std::vector<crypto::MasterKey> keys_ ABSL_GUARDED_BY(mu_);
  RotationStatus status_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
  std::atomic<bool> stopping_{false};
};

}  // namespace tpp::storage

#endif  // TPP_STORAGE_KEY_ROTATION_H_
