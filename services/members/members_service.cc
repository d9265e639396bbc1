#include "services/members/members_service.h"

#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/synchronization/mutex.h"
#include "services/members/member_proto.h"
#include "services/server/call_deadline.h"
#include "services/server/reactors.h"

namespace tpp {
namespace {

// One import stream: validates each record, stages it in a batch, commits
// batches through the group commit as they fill, and answers the summary
// once every accepted record is durable. Reading pauses while
// kImportBatchesInFlightMax writes are pending.
class ImportReactor final
    : public grpc::ServerReadReactor<tpp::v1::MemberRecord> {
 public:
  ImportReactor(grpc::CallbackServerContext* ctx, const Caller& caller,
                MemberStore* store, tpp::v1::ImportSummary* summary)
      : ctx_(ctx),
        deadline_(ctx, caller.deadline),
        store_(store),
        insurer_id_(caller.identity.id),
        summary_(summary),
        batch_(store_->NewBatch(insurer_id_)) {
    StartRead(&record_);
  }

  void OnReadDone(bool ok) override {
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      // After an early Finish (a failed write), a pending read still
      // completes here: nothing more may start.
      if (finished_) return;
      if (!ok && ctx_->IsCancelled()) {
        // Cancelled by the client or by the deadline: what is staged but
        // not committed is dropped (the client gets no summary).
        reading_done_ = true;
        if (failure_.ok()) {
          failure_ = absl::DeadlineExceededError(
              "the import was cancelled or ran past its deadline");
        }
      } else if (!ok) {
        reading_done_ = true;
        FlushLocked();
      } else {
        HandleLocked();
        ++index_;
        if (!failure_.ok()) {
          reading_done_ = true;
        } else {
          if (batch_->size() >= kImportBatchMembers) FlushLocked();
          if (in_flight_ < kImportBatchesInFlightMax) {
            StartRead(&record_);
          } else {
            paused_ = true;
          }
        }
      }
      finish = TakeFinishLocked();
    }
    // Outside the lock: OnDone (which deletes this) may run at once.
    if (finish) Finish(*finish);
  }

  void OnDone() override { delete this; }

 private:
  void Reject(const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    ++rejected_;
    if (summary_->errors_size() >= kImportErrorsMax) return;
    tpp::v1::ImportError* error = summary_->add_errors();
    error->set_index(index_);
    std::vector<FieldViolation> violations = ViolationsOf(status);
    if (!violations.empty()) {
      error->set_field(violations.front().field);
      std::string reason;
      for (const FieldViolation& v : violations) {
        if (!reason.empty()) reason += "; ";
        reason += v.field + ": " + v.description;
      }
      error->set_reason(reason);
    } else {
      error->set_reason(std::string(status.message()));
    }
  }

  void HandleLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    absl::StatusOr<Member> member = MemberFromProto(record_);
    if (!member.ok()) {
      Reject(member.status());
      return;
    }
    auto known = contracts_.find(member->contract_id);
    if (known == contracts_.end()) {
      absl::StatusOr<Contract> contract =
          store_->GetContract(insurer_id_, member->contract_id);
      if (!contract.ok() && !absl::IsNotFound(contract.status())) {
        failure_ = contract.status();
        return;
      }
      known = contracts_.emplace(member->contract_id, contract.ok()).first;
    }
    if (!known->second) {
      Violations unknown;
      unknown.Add("contract_id", "unknown contract for this insurer");
      Reject(unknown.ToStatus());
      return;
    }
    absl::Status staged = batch_->Stage(*std::move(member));
    if (!staged.ok()) failure_ = staged;  // the node's fault, not the record's
  }

  void FlushLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (batch_->size() == 0) return;
    const int64_t members = static_cast<int64_t>(batch_->size());
    ++in_flight_;
    std::unique_ptr<MemberBatch> full = std::move(batch_);
    batch_ = store_->NewBatch(insurer_id_);
    store_->Commit(std::move(full), [this, members](absl::Status s) {
      std::optional<grpc::Status> finish;
      {
        absl::MutexLock lock(&mu_);
        --in_flight_;
        if (s.ok()) {
          accepted_ += members;
        } else if (failure_.ok()) {
          failure_ = s;
          reading_done_ = true;  // stop: the node cannot write
        }
        if (paused_ && !reading_done_) {
          paused_ = false;
          StartRead(&record_);
        }
        finish = TakeFinishLocked();
      }
      if (finish) Finish(*finish);
    });
  }

  // The final status, once reading is over and every write has landed.
  std::optional<grpc::Status> TakeFinishLocked()
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!reading_done_ || in_flight_ > 0 || finished_) return std::nullopt;
    finished_ = true;
    if (!failure_.ok()) return ToGrpcStatus(failure_);
    summary_->set_accepted(accepted_);
    summary_->set_rejected(rejected_);
    return grpc::Status::OK;
  }

  grpc::CallbackServerContext* const ctx_;
  CallDeadline deadline_;
  MemberStore* const store_;
  const std::string insurer_id_;
  tpp::v1::ImportSummary* const summary_;
  tpp::v1::MemberRecord record_;

  absl::Mutex mu_;
  std::unique_ptr<MemberBatch> batch_ ABSL_GUARDED_BY(mu_);
  absl::flat_hash_map<std::string, bool> contracts_ ABSL_GUARDED_BY(mu_);
  int64_t index_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t rejected_ ABSL_GUARDED_BY(mu_) = 0;
  int in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  bool paused_ ABSL_GUARDED_BY(mu_) = false;
  bool reading_done_ ABSL_GUARDED_BY(mu_) = false;
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
  absl::StatusOr<Contract> contract = ContractFromProto(*request);
  if (!contract.ok()) return FinishUnary(ctx, contract.status());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  response->set_contract_id(contract->contract_id);
  store_->PutContract(caller->identity.id, *contract,
                      [reactor, response](absl::StatusOr<bool> created) {
                        if (created.ok()) response->set_created(*created);
                        reactor->Finish(ToGrpcStatus(created.status()));
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
  return new ImportReactor(ctx, *caller, store_, response);
}

grpc::ServerUnaryReactor* MemberServiceImpl::GetMember(
    grpc::CallbackServerContext* ctx, const tpp::v1::GetMemberRequest* request,
    tpp::v1::MemberRecord* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  absl::StatusOr<BeneficiaryKey> key = ValidBeneficiary(request->beneficiary());
  if (!key.ok()) return FinishUnary(ctx, key.status());
  absl::StatusOr<Member> member = store_->Find(caller->identity.id, *key);
  if (!member.ok()) return FinishUnary(ctx, member.status());
  MemberToProto(*member, response);
  return FinishUnary(ctx, absl::OkStatus());
}

grpc::ServerUnaryReactor* MemberServiceImpl::EraseMember(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::EraseMemberRequest* request,
    tpp::v1::EraseMemberResponse* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kEraseMember, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  absl::StatusOr<BeneficiaryKey> key = ValidBeneficiary(request->beneficiary());
  if (!key.ok()) return FinishUnary(ctx, key.status());
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  store_->Erase(caller->identity.id, *key, [reactor, response](absl::Status s) {
    response->set_erased(s.ok());
    reactor->Finish(ToGrpcStatus(s));
  });
  return reactor;
}

}  // namespace tpp
