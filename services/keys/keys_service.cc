#include "services/keys/keys_service.h"

#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "services/audit/audited.h"
#include "services/server/reactors.h"

namespace tpp {

std::string KeyServiceImpl::VersionObject() const {
  absl::StatusOr<uint32_t> primary = ring_->PrimaryVersion();
  if (!primary.ok()) return "master key sealed";
  return absl::StrCat("master key v", *primary);
}

void KeyServiceImpl::Describe(tpp::v1::KeyStatus* status) const {
  // The rotation's state first: a rotation retires the old versions before
  // it says "done", so versions read after a "done" never list them.
  storage::RotationStatus rotation;
  if (rotation_ != nullptr) rotation = rotation_->status();
  absl::StatusOr<uint32_t> primary = ring_->PrimaryVersion();
  status->set_primary_version(primary.ok() ? *primary : 0);
  for (uint32_t v : ring_->LoadedVersions()) status->add_versions(v);
  status->set_sealed(ring_->IsSealed());
  if (rotation_ == nullptr) {
    status->set_rotation_state("idle");
    return;
  }
  status->set_rotation_state(storage::RotationStateName(rotation.state));
  status->set_keys_seen(rotation.keys_seen);
  status->set_keys_rewrapped(rotation.keys_rewrapped);
  status->set_passes(rotation.passes);
  status->set_error(rotation.error);
}

grpc::ServerUnaryReactor* KeyServiceImpl::RotateKeys(
    grpc::CallbackServerContext* ctx, const tpp::v1::RotateKeysRequest* request,
    tpp::v1::KeyStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kRotateKeys, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kRotateKeys);
  event.categories = kAuditPlatform;
  if (rotation_ == nullptr) {
    event.object = VersionObject();
    grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
    FinishAuditedKeepingStatus(trail_, reactor, std::move(event),
                               absl::FailedPreconditionError(
                                   "this node's master key is not rotated by "
                                   "tppd (no key file)"));
    return reactor;
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // Start() writes and syncs the key file: off gRPC's threads.
  executor_->Run([this, reactor, response, event = std::move(event)]() mutable {
    absl::Status started = rotation_->Start();
    Describe(response);
    // The new primary when the rotation started, else the one in force.
    event.object = VersionObject();
    FinishAuditedKeepingStatus(trail_, reactor, std::move(event), started);
  });
  return reactor;
}

grpc::ServerUnaryReactor* KeyServiceImpl::GetKeyStatus(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::GetKeyStatusRequest* request, tpp::v1::KeyStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetKeyStatus, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  AuditEvent event = AuditEventFor(*caller, method::kGetKeyStatus);
  event.categories = kAuditPlatform;
  event.object = VersionObject();
  Describe(response);
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  FinishAuditedKeepingStatus(trail_, reactor, std::move(event),
                             absl::OkStatus());
  return reactor;
}

}  // namespace tpp
