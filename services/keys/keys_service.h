// KeyService: the thin adapter from tpp.v1 to master key rotation.
// Operators only, on the admin listener. Every call is an audit record
// (platform category, the key version as its object); like isolation's, a
// record that cannot be written never changes the answer.
#ifndef TPP_SERVICES_KEYS_KEYS_SERVICE_H_
#define TPP_SERVICES_KEYS_KEYS_SERVICE_H_

#include "services/audit/audit_trail.h"
#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "storage/crypto/keyring.h"
#include "storage/key_rotation.h"
#include "tpp/v1/keys.grpc.pb.h"

namespace tpp {

class KeyServiceImpl final : public tpp::v1::KeyService::CallbackService {
 public:
  // All outlive the service. `rotation` is null when the node has no key
  // file to rotate (keys from shares or a Secret); `trail` when calls are
  // not audited (tests).
  KeyServiceImpl(const CallGuard& guard, storage::KeyRotation* rotation,
                 const crypto::KeyRing* ring, Executor* executor,
                 AuditTrail* trail)
      : guard_(guard),
        rotation_(rotation),
        ring_(ring),
        executor_(executor),
        trail_(trail) {}

  grpc::ServerUnaryReactor* RotateKeys(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::RotateKeysRequest* request,
      tpp::v1::KeyStatus* response) override;
  grpc::ServerUnaryReactor* GetKeyStatus(
      grpc::CallbackServerContext* ctx,
      const tpp::v1::GetKeyStatusRequest* request,
      tpp::v1::KeyStatus* response) override;

 private:
  void Describe(tpp::v1::KeyStatus* status) const;
  // "master key v3": the primary version the answer reports.
  std::string VersionObject() const;

  const CallGuard& guard_;
  storage::KeyRotation* const rotation_;
  const crypto::KeyRing* const ring_;
  Executor* const executor_;
  AuditTrail* const trail_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_KEYS_KEYS_SERVICE_H_
