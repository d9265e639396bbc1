// MemberStore: where an insurer's contracts and members live. The members
// core and the eligibility and claims cores reach members only through this
// interface; storage/ implements it on RocksDB with per-field encryption,
// tests may implement it in memory.
//
// Every call is scoped to one insurer: an insurer never sees another's
// members, and a member of another insurer is NOT_FOUND like an unknown one.
//
// Implementations are thread-safe.
#ifndef TPP_SERVICES_MEMBERS_MEMBER_STORE_H_
#define TPP_SERVICES_MEMBERS_MEMBER_STORE_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "services/audit/audit_event.h"
#include "services/members/member.h"

namespace tpp {

inline constexpr size_t kInsurerIdBytesMax = 64;

// Members staged for one atomic, durable write. Not thread-safe: one import
// stream fills one batch at a time.
class MemberBatch {
 public:
  virtual ~MemberBatch() = default;
  // Encrypts and stages `member` (upsert by its BeneficiaryKey); its
  // member_id is assigned here. A failure leaves the batch as it was: no
  // member is ever half staged.
  virtual absl::Status Stage(Member member) = 0;
  virtual size_t size() const = 0;
};

class MemberStore {
 public:
  // Runs once the write is durable (OK) or has failed. Must not block.
  using Done = std::function<void(absl::Status)>;

  virtual ~MemberStore() = default;

  // Creates or replaces a contract; `done` gets whether it was created.
  // `audit` (the call's records) is written in the same synced batch: OK
  // means both are durable, an error that neither is.
  virtual void PutContract(const std::string& insurer_id,
                           const Contract& contract,
                           std::vector<AuditEvent> audit,
                           std::function<void(absl::StatusOr<bool>)> done) = 0;
  // NOT_FOUND when the insurer has no such contract.
  virtual absl::StatusOr<Contract> GetContract(
      absl::string_view insurer_id, absl::string_view contract_id) const = 0;

  // A batch of `insurer_id`'s members. Each event of `audit` (the import's
  // records, issue #7) is completed at Commit with the members the batch
  // writes (pseudonymous id, adherent number) and their count, and written
  // in the same synced batch: a committed batch is durable with its
  // records, a failed one leaves neither.
  virtual std::unique_ptr<MemberBatch> NewBatch(
      const std::string& insurer_id, std::vector<AuditEvent> audit) = 0;
  // Writes every staged member in one synced batch.
  virtual void Commit(std::unique_ptr<MemberBatch> batch, Done done) = 0;
  // An import stream has ended: the store may reorganise what it wrote for
  // the look-ups to come. May block (on a flush starting): not for
  // reactors.
  virtual void ImportEnded() {}

  // The member, decrypted. NOT_FOUND when unknown (or erased); DATA_LOSS
  // when a stored ciphertext does not decrypt (tampering); FAILED_PRECONDITION
  // when the keys are sealed.
  virtual absl::StatusOr<Member> Find(absl::string_view insurer_id,
                                      const BeneficiaryKey& key) const = 0;

  // The member with this pseudonymous id, decrypted: for answers to the
  // insurer about its own claims. NOT_FOUND when unknown or erased.
  virtual absl::StatusOr<Member> FindById(
      absl::string_view insurer_id, absl::string_view member_id) const = 0;

  // Only the member's adherent number (statements need nothing else):
  // NOT_FOUND when unknown or erased.
  virtual absl::StatusOr<std::string> AdherentNumberOf(
      absl::string_view insurer_id, absl::string_view member_id) const {
    absl::StatusOr<Member> member = FindById(insurer_id, member_id);
    if (!member.ok()) return member.status();
    return member->adherent_number;
  }

  // Whether tpp knows the insurer at all (it has put a contract).
  virtual absl::StatusOr<bool> KnowsInsurer(
      absl::string_view insurer_id) const = 0;

  // Destroys the member's data key and index entries. NOT_FOUND when
  // unknown. `audit` (the call's records) is completed with the member
  // erased (its pseudonymous id, and its adherent number so that the insurer
  // can still tell whom a breach erased) and written in the same synced
  // batch: OK means both are durable, an error that neither is.
  virtual void Erase(const std::string& insurer_id, const BeneficiaryKey& key,
                     std::vector<AuditEvent> audit, Done done) = 0;
};

}  // namespace tpp

#endif  // TPP_SERVICES_MEMBERS_MEMBER_STORE_H_
