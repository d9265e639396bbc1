#include "services/keys/keys_service.h"

#include "services/server/reactors.h"

namespace tpp {

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
  if (rotation_ == nullptr) {
    return FinishUnary(ctx, absl::FailedPreconditionError(
                                "this node's master key is not rotated by "
                                "tppd (no key file)"));
  }
  grpc::ServerUnaryReactor* reactor = ctx->DefaultReactor();
  // Start() writes and syncs the key file: off gRPC's threads.
  executor_->Run([this, reactor, response] {
    absl::Status started = rotation_->Start();
    Describe(response);
    reactor->Finish(ToGrpcStatus(started));
  });
  return reactor;
}

grpc::ServerUnaryReactor* KeyServiceImpl::GetKeyStatus(
    grpc::CallbackServerContext* ctx,
    const tpp::v1::GetKeyStatusRequest* request, tpp::v1::KeyStatus* response) {
  absl::StatusOr<Caller> caller =
      guard_.Admit(ctx, method::kGetKeyStatus, /*streaming=*/false);
  if (!caller.ok()) return FinishUnary(ctx, caller.status());
  Describe(response);
  return FinishUnary(ctx, absl::OkStatus());
}

}  // namespace tpp
