#include "services/members/members_service.h"

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "services/audit/audited.h"
#include "services/members/member_proto.h"
#include "services/server/call_deadline.h"
#include "services/server/reactors.h"

namespace tpp {
namespace {

// What a member record holds besides its pseudonymous id: what GetMember
// returns, what an import writes and what an erasure destroys.
constexpr uint32_t kMemberRecordCategories =
    kAuditIdentity | kAuditFamily | kAuditContract | kAuditAdherentNumber;

// One import stream. gRPC's threads only queue the records (up to
// kImportQueueMax, then reading pauses); a worker of the executor validates,
// encrypts and stages them in arrival order, one worker at a time per
// stream, and commits full batches through the group commit (at most
// kImportBatchesInFlightMax in flight, then it waits). The summary goes out
// once every accepted record is durable, and once the import's audit
// record is.
//
// Locking: mu_ guards the shared state; batch_ and contracts_ belong to the
// running worker (at most one).
class ImportReactor final
    : public grpc::ServerReadReactor<tpp::v1::MemberRecord> {
 public:
  ImportReactor(grpc::CallbackServerContext* ctx, const Caller& caller,
                MemberStore* store, Executor* executor, Executor* blocking,
                tpp::v1::ImportSummary* summary,
                StreamRegistry::Registration registration, AuditTrail* trail,
                AuditEvent event)
      : trail_(trail),
        event_(std::move(event)),
        registration_(std::move(registration)),
        ctx_(ctx),
        deadline_(ctx, caller.deadline),
        store_(store),
        executor_(executor),
        blocking_(blocking),
        insurer_id_(caller.identity.id),
        summary_(summary),
        batch_(store_->NewBatch(insurer_id_, {event_})) {
    StartRead(&record_);
  }

  void OnReadDone(bool ok) override {
    bool schedule = false;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      // After an early Finish (a failure), a pending read still completes
      // here: nothing more may start.
      if (finished_) return;
      if (!ok) {
        reading_done_ = true;
        if (ctx_->IsCancelled() && failure_.ok()) {
          // Cancelled by the client or by the deadline: what is staged but
          // not committed is dropped (the client gets no summary).
          failure_ = absl::DeadlineExceededError(
              "the import was cancelled or ran past its deadline");
        }
      } else {
        queue_.push_back(std::move(record_));
        record_.Clear();
        if (ReadableLocked()) {
          StartRead(&record_);
        } else {
          reading_paused_ = true;
        }
      }
      schedule = ScheduleLocked();
      finish = TakeFinishLocked();
    }
    if (schedule) executor_->Run([this] { Work(); });
    // Outside the lock: OnDone (which deletes this) may run at once.
    if (finish) Conclude(*finish);
  }

  void OnDone() override { delete this; }

 private:
  static constexpr size_t kImportQueueMax = 8192;
  static constexpr size_t kWorkChunkMax = 512;

  bool ReadableLocked() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return !reading_done_ && failure_.ok() && queue_.size() < kImportQueueMax;
  }

  // Whether to start a worker: there is work, none runs, and the writes in
  // flight leave room.
  bool ScheduleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (working_ || finished_ || !failure_.ok()) return false;
    if (in_flight_ >= kImportBatchesInFlightMax) return false;
    if (queue_.empty() && !(reading_done_ && !final_flushed_)) return false;
    working_ = true;
    return true;
  }

  void Work() {
    std::vector<tpp::v1::MemberRecord> chunk;
    std::optional<grpc::Status> finish;
    for (;;) {
      int64_t first_index = 0;
      bool resume_reading = false;
      {
        absl::MutexLock lock(&mu_);
        if (!failure_.ok() || queue_.empty() ||
            in_flight_ >= kImportBatchesInFlightMax) {
          if (failure_.ok() && queue_.empty() && reading_done_ &&
              in_flight_ < kImportBatchesInFlightMax) {
            FlushLocked();
            final_flushed_ = true;
          }
          working_ = false;
          finish = TakeFinishLocked();
          break;
        }
        first_index = next_index_;
        chunk.clear();
        while (!queue_.empty() && chunk.size() < kWorkChunkMax) {
          chunk.push_back(std::move(queue_.front()));
          queue_.pop_front();
        }
        next_index_ += static_cast<int64_t>(chunk.size());
        if (reading_paused_ && ReadableLocked()) {
          reading_paused_ = false;
          resume_reading = true;
        }
      }
      if (resume_reading) StartRead(&record_);

      std::vector<std::pair<int64_t, absl::Status>> rejections;
      absl::Status failure;
      for (size_t i = 0; i < chunk.size() && failure.ok(); ++i) {
        failure = Handle(chunk[i], first_index + static_cast<int64_t>(i),
                         &rejections);
      }
      absl::MutexLock lock(&mu_);
      for (const auto& [index, status] : rejections) Reject(index, status);
      if (!failure.ok() && failure_.ok()) {
        failure_ = failure;
        reading_done_ = true;
      }
      if (failure_.ok() && batch_->size() >= kImportBatchMembers) {
        FlushLocked();
      }
    }
    if (finish) Conclude(*finish);
  }

  // Validates and stages one record. A bad record is added to `rejections`;
  // a failure of the node (keys sealed, storage) is returned.
  absl::Status Handle(
      const tpp::v1::MemberRecord& record, int64_t index,
      std::vector<std::pair<int64_t, absl::Status>>* rejections) {
    absl::StatusOr<Member> member = MemberFromProto(record);
    if (!member.ok()) {
      rejections->emplace_back(index, member.status());
      return absl::OkStatus();
    }
    auto known = contracts_.find(member->contract_id);
    if (known == contracts_.end()) {
      absl::StatusOr<Contract> contract =
          store_->GetContract(insurer_id_, member->contract_id);
      if (!contract.ok() && !absl::IsNotFound(contract.status())) {
        return contract.status();
      }
      known = contracts_.emplace(member->contract_id, contract.ok()).first;
    }
    if (!known->second) {
      Violations unknown;
      unknown.Add("contract_id", "unknown contract for this insurer");
      rejections->emplace_back(index, unknown.ToStatus());
      return absl::OkStatus();
    }
    return batch_->Stage(*std::move(member));
  }

  void Reject(int64_t index, const absl::Status& status)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++rejected_;
    if (summary_->errors_size() >= kImportErrorsMax) return;
    tpp::v1::ImportError* error = summary_->add_errors();
    error->set_index(index);
    std::vector<FieldViolation> violations = ViolationsOf(status);
    if (violations.empty()) {
      error->set_reason(std::string(status.message()));
      return;
    }
    error->set_field(violations.front().field);
    std::string reason;
    for (const FieldViolation& v : violations) {
      if (!reason.empty()) reason += "; ";
      reason += v.field + ": " + v.description;
    }
    error->set_reason(reason);
  }

  void FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (batch_->size() == 0) return;
    const int64_t members = static_cast<int64_t>(batch_->size());
    ++in_flight_;
    std::unique_ptr<MemberBatch> full = std::move(batch_);
    batch_ = store_->NewBatch(insurer_id_, {event_});
    store_->Commit(std::move(full), [this, members](absl::Status s) {
      bool schedule = false;
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        --in_flight_;
        if (s.ok()) {
          accepted_ += members;
        } else if (failure_.ok()) {
          failure_ = s;  // the node cannot write: stop
          reading_done_ = true;
        }
        schedule = ScheduleLocked();
        finish = TakeFinishLocked();
      }
      if (schedule) executor_->Run([this] { Work(); });
      if (finish) Conclude(*finish);
    });
  }

  // The final status, once nothing runs or waits any more.
  std::optional<grpc::Status> TakeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (finished_ || working_ || in_flight_ > 0) return std::nullopt;
    if (!failure_.ok()) {
      finished_ = true;
      return ToGrpcStatus(failure_);
    }
    if (!reading_done_ || !final_flushed_ || !queue_.empty()) {
      return std::nullopt;
    }
    finished_ = true;
    summary_->set_accepted(accepted_);
    summary_->set_rejected(rejected_);
    return grpc::Status::OK;
  }

  // The end of the stream, `status` decided: one audit record for the
  // import as a whole (who, when, how many accepted and rejected), durable
  // before the summary or the error leaves. Which members each batch wrote
  // is recorded by the import batch itself, with its own write: this record
  // lists none.
  void Conclude(const grpc::Status& status) {
    blocking_->Run([store = store_] { store->ImportEnded(); });
    if (trail_ == nullptr) {
      Finish(status);
      return;
    }
    AuditEvent event = event_;
    absl::Status outcome;
    {
      absl::MutexLock lock(&mu_);
      outcome = failure_;
      event.count = accepted_;
      event.object =
          absl::StrCat(accepted_, " accepted, ", rejected_, " rejected");
    }
    event.SetOutcome(outcome);
    trail_->Record(std::move(event),
                   [this, status, outcome](absl::Status written) {
                     Finish(written.ok() || !outcome.ok()
                                ? status
                                : ToGrpcStatus(AuditUnavailable(written)));
                   });
  }

  AuditTrail* const trail_;
  // The import's, without outcome and counts: the stream's record at the
  // end, and the skeleton of each committed batch's record, which the store
  // completes with the members the batch writes (issue #7).
  const AuditEvent event_;
  // Dropped with the reactor, in OnDone: isolation may cancel us until then.
  StreamRegistry::Registration registration_;
  grpc::CallbackServerContext* const ctx_;
  CallDeadline deadline_;
  MemberStore* const store_;
  Executor* const executor_;
  Executor* const blocking_;  // runs the store's ImportEnded
  const std::string insurer_id_;
  tpp::v1::ImportSummary* const summary_;
  tpp::v1::MemberRecord record_;  // the read in progress
  // The running worker's.
  absl::flat_hash_map<std::string, bool> contracts_;

  absl::Mutex mu_;
  std::unique_ptr<MemberBatch> batch_;  // the worker's; swapped under mu_
  std::deque<tpp::v1::MemberRecord> queue_ ABSL_GUARDED_BY(mu_);
  int64_t next_index_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool working_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_done_ ABSL_GUARDED_BY(mu_) = false;
  bool final_flushed_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Status failure_ ABSL_GUARDED_BY(mu_);
};

absl::StatusOr<BeneficiaryKey> ValidBeneficiary(
    const tpp::v1::Beneficiary& proto) {
  Violations violations;
  std::optional<BeneficiaryKey> key =
      BeneficiaryFromProto(proto, "beneficiary.", &violations);
  if (!key) return violations.ToStatus("invalid beneficiary");
  return *key;
}

}  // namespace

grpc::ServerUnaryReactor* MemberServiceImpl::UpsertContract(
    grpc::CallbackServerContext* ctx, const tpp::v1::Contract* request,
    tpp::v1::UpsertContractResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kUpsertContract, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  // A contract is the insurer's product, no member's data.
  AuditEvent event = AuditEventFor(*caller, method::kUpsertContract);
  event.insurer_id = caller->identity.id;
  event.categories = kAuditContract;
  absl::StatusOr<Contract> contract = ContractFromProto(*request);
  if (!contract.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), contract.status());
  }
  event.object = contract->contract_id;
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  response->set_contract_id(contract->contract_id);
  // The record rides in the contract's own batch.
  std::vector<AuditEvent> audit;
  if (trail_ != nullptr) {
    audit.push_back(event);
    audit.back().SetOutcome(absl::OkStatus());
  }
  store_->PutContract(
      caller->identity.id, *contract, std::move(audit),
      [this, reactor, response,
       event = std::move(event)](absl::StatusOr<bool> created) mutable {
        if (created.ok()) {
          response->set_created(*created);
          reactor->Finish(grpc::Status::OK);
          return;
        }
        // Nothing was written, the record neither: the failure on its own.
        FinishAudited(trail_, reactor, std::move(event), created.status());
      });
  return reactor;
}

grpc::ServerReadReactor<tpp::v1::MemberRecord>*
MemberServiceImpl::ImportMembers(grpc::CallbackServerContext* ctx,
                                 tpp::v1::ImportSummary* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kImportMembers, /*streaming=*/true);
  if (!caller.ok()) {
    return new FinishedReader<tpp::v1::MemberRecord>(caller.status());
  }
  AuditEvent event = AuditEventFor(*caller, method::kImportMembers);
  event.insurer_id = caller->identity.id;
  event.categories = kMemberRecordCategories;
  StreamRegistry::Registration registration;
  if (streams_ != nullptr) {
    absl::StatusOr<StreamRegistry::Registration> registered =
        streams_->Register(ctx, *caller, caller->identity.id);
    if (!registered.ok()) {
      return new AuditedFinishedReader<tpp::v1::MemberRecord>(
          trail_, std::move(event), registered.status());
    }
    registration = *std::move(registered);
  }
  return new ImportReactor(ctx, *caller, store_, executor_, blocking_, response,
                           std::move(registration), trail_, std::move(event));
}

grpc::ServerUnaryReactor* MemberServiceImpl::GetMember(
    grpc::CallbackServerContext* ctx, const tpp::v1::GetMemberRequest* request,
    tpp::v1::MemberRecord* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kGetMember);
  event.insurer_id = caller->identity.id;
  event.categories = kMemberRecordCategories;
  absl::StatusOr<BeneficiaryKey> key = ValidBeneficiary(request->beneficiary());
  if (!key.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), key.status());
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // Decrypting is CPU work: on a worker, like eligibility.
  executor_->Run([this, reactor, response, key = *std::move(key),
                  event = std::move(event)]() mutable {
    absl::StatusOr<Member> member = store_->Find(event.insurer_id, key);
    if (!member.ok()) {
      FinishAudited(trail_, reactor, std::move(event), member.status());
      return;
    }
    event.members.push_back({member->member_id, member->adherent_number});
    // The breaker counts the member before anything about them leaves.
    if (trail_ != nullptr) {
      if (absl::Status touched = trail_->Touch(event); !touched.ok()) {
        event.members.clear();  // nothing was answered about them
        FinishAudited(trail_, reactor, std::move(event), touched);
        return;
      }
    }
    MemberToProto(*member, response);
    FinishAudited(trail_, reactor, std::move(event), absl::OkStatus());
  });
  return reactor;
}

grpc::ServerUnaryReactor* MemberServiceImpl::EraseMember(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::EraseMemberRequest* request,
    tpp::v1::EraseMemberResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kEraseMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kEraseMember);
  event.insurer_id = caller->identity.id;
  event.categories = kMemberRecordCategories;
  absl::StatusOr<BeneficiaryKey> key = ValidBeneficiary(request->beneficiary());
  if (!key.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), key.status());
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // The store reads the member's adherent number for the record: on a
  // worker.
  executor_->Run([this, reactor, response, key = *std::move(key),
                  event = std::move(event)]() mutable {
    // The record rides in the erasure's own batch; the store adds the
    // member to it.
    std::vector<AuditEvent> audit;
    if (trail_ != nullptr) {
      audit.push_back(event);
      audit.back().SetOutcome(absl::OkStatus());
    }
    const std::string insurer_id = event.insurer_id;
    store_->Erase(insurer_id, key, std::move(audit),
                  [this, reactor, response,
                   event = std::move(event)](absl::Status s) mutable {
                    response->set_erased(s.ok());
                    if (s.ok()) {
                      reactor->Finish(grpc::Status::OK);
                      return;
                    }
                    // Nothing was erased, the record neither: the failure
                    // on its own.
                    FinishAudited(trail_, reactor, std::move(event), s);
                  });
  });
  return reactor;
}

}  // namespace tpp
