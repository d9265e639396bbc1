// KeyService: the thin adapter from tpp.v1 to master key rotation.
// Operators only, on the admin listener.
#ifndef TPP_SERVICES_KEYS_KEYS_SERVICE_H_
#define TPP_SERVICES_KEYS_KEYS_SERVICE_H_

#include "services/server/call_guard.h"
#include "services/server/executor.h"
#include "storage/crypto/keyring.h"
#include "storage/key_rotation.h"
#include "tpp/v1/keys.grpc.pb.h"

namespace tpp {

class KeyServiceImpl final : public tpp::v1::KeyService::CallbackService {
 public:
  // All outlive the service. `rotation` is null when the node has no key
  // file to rotate (keys from shares or a Secret).
  KeyServiceImpl(const CallGuard& guard, storage::KeyRotation* rotation,
                 const crypto::KeyRing* ring, Executor* executor)
      : guard_(guard), rotation_(rotation), ring_(ring), executor_(executor) {}

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

  const CallGuard& guard_;
  storage::KeyRotation* const rotation_;
  const crypto::KeyRing* const ring_;
  Executor* const executor_;
};

}  // namespace tpp

#endif  // TPP_SERVICES_KEYS_KEYS_SERVICE_H_
