#include "services/claims/claims_service.h"

#include <deque>
#include <memory>
#include <string>
#include <utility>

#include "services/audit/audited.h"
#include "services/claims/claim_proto.h"
#include "services/common/validation.h"
#include "services/server/call_deadline.h"
#include "services/server/reactors.h"

namespace tpp {
namespace {

ClaimViewer ViewerOf(const Caller& caller) {
  return ClaimViewer{caller.identity.role == Role::kInsurer
                         ? ClaimOwner::kInsurer
                         : ClaimOwner::kProvider,
                     caller.identity.id};
}

// A ListClaims stream: pages of claims are read from the core on a worker,
// then written one at a time; the next page is read when the last claim of
// the previous one is written. At most one operation runs at a time, so the
// reactor's state needs no lock.
class ListClaimsReactor final
    : public grpc::ServerWriteReactor<tpp::v1::Claim> {
 public:
  ListClaimsReactor(grpc::CallbackServerContext* ctx, const Caller& caller,
                    const CallGuard& guard, const ClaimsCore* core,
                    Executor* executor, ClaimFilter filter, std::string cursor,
                    int64_t limit, StreamRegistry::Registration registration,
                    AuditTrail* trail)
      : trail_(trail),
        registration_(std::move(registration)),
        deadline_(ctx, caller.deadline),
        caller_(caller),
        guard_(guard),
        core_(core),
        executor_(executor),
        filter_(std::move(filter)),
        cursor_(std::move(cursor)),
        limit_(limit) {
    executor_->Run([this] { Fetch(); });
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "stream broken"));
      return;
    }
    Next();
  }

  void OnDone() override { delete this; }

 private:
  void Fetch() {
    absl::StatusOr<ClaimPage> page =
        core_->List(ViewerOf(caller_), filter_, cursor_, kListClaimsPageMax);
    if (!page.ok()) {
      Finish(ToGrpcStatus(page.status()));
      return;
    }
    for (Claim& claim : page->claims) {
      // A provider's listing spans insurers: those isolated are left out.
      if (!guard_.AdmitInsurer(caller_, claim.insurer_id).ok()) continue;
      queue_.push_back(std::move(claim));
    }
    cursor_ = std::move(page->next_cursor);
    end_ = page->end;
    if (trail_ == nullptr || queue_.empty()) {
      Next();
      return;
    }
    // The page is audited (and counted by the breaker) before any of it
    // leaves.
    AuditEvent event = AuditEventFor(caller_, method::kListClaims);
    event.categories = kAuditClaim;
    event.count = static_cast<int64_t>(queue_.size());
    if (caller_.identity.role == Role::kInsurer) {
      event.insurer_id = caller_.identity.id;
    } else if (!queue_.empty()) {
      event.insurer_id = queue_.front().insurer_id;
    }
    for (const Claim& claim : queue_) {
      event.members.push_back({claim.member_id, claim.adherent_number});
    }
    if (absl::Status touched = trail_->Touch(event); !touched.ok()) {
      event.members.clear();
      event.SetOutcome(touched);
      trail_->Record(std::move(event), [this, touched](absl::Status) {
        Finish(ToGrpcStatus(touched));
      });
      return;
    }
    event.SetOutcome(absl::OkStatus());
    trail_->Record(std::move(event), [this](absl::Status written) {
      if (!written.ok()) {
        Finish(ToGrpcStatus(AuditUnavailable(written)));
        return;
      }
      Next();
    });
  }

  void Next() {
    if (limit_ > 0 && sent_ >= limit_) {
      Finish(grpc::Status::OK);
      return;
    }
    if (queue_.empty()) {
      if (end_) {
        Finish(grpc::Status::OK);
      } else {
        executor_->Run([this] { Fetch(); });
      }
      return;
    }
    current_.Clear();
    ClaimToProto(queue_.front(), &current_);
    queue_.pop_front();
    ++sent_;
    StartWrite(&current_);
  }

  AuditTrail* const trail_;
  // Isolation cancels the stream through it; dropped with the reactor.
  StreamRegistry::Registration registration_;
  CallDeadline deadline_;
  const Caller caller_;
  const CallGuard& guard_;
  const ClaimsCore* const core_;
  Executor* const executor_;
  const ClaimFilter filter_;
  std::string cursor_;
  const int64_t limit_;
  std::deque<Claim> queue_;
  bool end_ = false;
  int64_t sent_ = 0;
  tpp::v1::Claim current_;
};

}  // namespace

grpc::ServerUnaryReactor* ClaimServiceImpl::SubmitClaim(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::SubmitClaimRequest* request, tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kSubmitClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kSubmitClaim);
  event.categories = kAuditCoverage | kAuditClaim;
  absl::StatusOr<ClaimRequest> claim =
      ClaimRequestFromProto(*request, UtcDate(clock_->Now()));
  if (!claim.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), claim.status());
  }
  event.insurer_id = claim->insurer_id;
  if (absl::Status open = guard_.AdmitInsurer(*caller, claim->insurer_id);
      !open.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), open);
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, response, provider = caller->identity.id,
                  claim = *std::move(claim),
                  event = std::move(event)]() mutable {
    core_->Submit(provider, std::move(claim), std::move(event),
                  [reactor, response](absl::StatusOr<Claim> done) {
                    if (done.ok()) ClaimToProto(*done, response);
                    reactor->Finish(ToGrpcStatus(done.status()));
                  });
  });
  return reactor;
}

grpc::ServerUnaryReactor* ClaimServiceImpl::GetClaim(
    grpc::CallbackServerContext* ctx, const tpp::v1::GetClaimRequest* request,
    tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kGetClaim);
  event.categories = kAuditClaim;
  if (absl::Status valid = ValidateClaimId(request->claim_id()); !valid.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), valid);
  }
  event.object = request->claim_id();
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, request, response, caller = *caller,
                  event = std::move(event)]() mutable {
    absl::StatusOr<Claim> claim =
        core_->Get(ViewerOf(caller), request->claim_id());
    absl::Status status = claim.status();
    if (claim.ok()) {
      event.insurer_id = claim->insurer_id;
      status = guard_.AdmitInsurer(caller, claim->insurer_id);
    }
    if (status.ok()) {
      event.members.push_back({claim->member_id, claim->adherent_number});
      if (trail_ != nullptr) status = trail_->Touch(event);
      if (!status.ok()) event.members.clear();
    }
    if (status.ok()) ClaimToProto(*claim, response);
    FinishAudited(trail_, reactor, std::move(event), status);
  });
  return reactor;
}

grpc::ServerUnaryReactor* ClaimServiceImpl::CancelClaim(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::CancelClaimRequest* request, tpp::v1::Claim* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kCancelClaim, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kCancelClaim);
  event.categories = kAuditClaim;
  if (absl::Status valid = ValidateClaimId(request->claim_id()); !valid.ok()) {
    return FinishUnaryAudited(trail_, ctx, std::move(event), valid);
  }
  if (request->reason().size() > kCancelReasonBytesMax ||
      !IsPrintableUtf8(request->reason())) {
    Violations violations;
    violations.Add("reason", absl::StrCat("at most ", kCancelReasonBytesMax,
                                          " bytes of printable UTF-8"));
    return FinishUnaryAudited(trail_, ctx, std::move(event),
                              violations.ToStatus("invalid cancellation"));
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  executor_->Run([this, reactor, request, response, caller = *caller,
                  event = std::move(event)]() mutable {
    // The gate of the claim's insurer, before anything is written.
    absl::StatusOr<Claim> claim =
        core_->Get(ViewerOf(caller), request->claim_id());
    absl::Status status = claim.status();
    if (claim.ok()) status = guard_.AdmitInsurer(caller, claim->insurer_id);
    if (!status.ok()) {
      event.object = request->claim_id();
      FinishAudited(trail_, reactor, std::move(event), status);
      return;
    }
    core_->Cancel(caller.identity.id, request->claim_id(), request->reason(),
                  std::move(event),
                  [reactor, response](absl::StatusOr<Claim> done) {
                    if (done.ok()) ClaimToProto(*done, response);
                    reactor->Finish(ToGrpcStatus(done.status()));
                  });
  });
  return reactor;
}

grpc::ServerWriteReactor<tpp::v1::Claim>* ClaimServiceImpl::ListClaims(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::ListClaimsRequest* request) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kListClaims, /*streaming=*/true);
  if (!caller.ok()) return new FinishedWriter<tpp::v1::Claim>(caller.status());
  absl::StatusOr<ClaimFilter> filter = ClaimFilterFromProto(*request);
  if (!filter.ok()) return new FinishedWriter<tpp::v1::Claim>(filter.status());
  // An insurer's listing is in its scope; a provider's spans insurers
  // (those isolated are filtered claim by claim).
  absl::StatusOr<StreamRegistry::Registration> registration =
      streams_->Register(ctx, *caller,
                         caller->identity.role == Role::kInsurer
                             ? absl::string_view(caller->identity.id)
                             : absl::string_view());
  if (!registration.ok()) {
    return new FinishedWriter<tpp::v1::Claim>(registration.status());
  }
  return new ListClaimsReactor(
      ctx, *caller, guard_, core_, executor_, *std::move(filter),
      request->cursor(), request->limit(), *std::move(registration), trail_);
}

}  // namespace tpp
