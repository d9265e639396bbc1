#include "services/isolation/isolation_gate.h"

#include <memory>
#include <vector>

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

Caller CallerOf(Role role, const std::string& id) {
  Caller caller;
  caller.identity.role = role;
  caller.identity.id = id;
  caller.identity.spiffe_id = std::string("spiffe://tpp.local/") +
                              std::string(RoleName(role)) + "/" + id;
  return caller;
}

isolation::StatePtr Isolated(const isolation::Scope& scope) {
  isolation::IsolationState state;
  std::vector<isolation::ControlEvent> events;
  EXPECT_TRUE(state.Isolate(scope, "x", "op", absl::Now(), &events).ok());
  return std::make_shared<const isolation::IsolationState>(std::move(state));
}

TEST(IsolationGateTest, RefusesEverythingUntilTheFirstPublication) {
  IsolationGate gate;
  absl::Status s = gate.Admit(CallerOf(Role::kProvider, "750100001"));
  EXPECT_EQ(ReasonOf(s), "PLATFORM_ISOLATED");
  gate.Publish(std::make_shared<const isolation::IsolationState>());
  EXPECT_TRUE(gate.Admit(CallerOf(Role::kProvider, "750100001")).ok());
}

TEST(IsolationGateTest, MapsRolesAndCredentials) {
  IsolationGate gate;
  gate.Publish(Isolated({isolation::ScopeKind::kInsurer, "100000001"}));
  EXPECT_EQ(ReasonOf(gate.Admit(CallerOf(Role::kInsurer, "100000001"))),
            "INSURER_ISOLATED");
  // A provider of the same id is not that insurer...
  const Caller provider = CallerOf(Role::kProvider, "100000001");
  EXPECT_TRUE(gate.Admit(provider).ok());
  // ...but touching the insurer's data is refused.
  EXPECT_EQ(ReasonOf(gate.AdmitInsurer(provider, "100000001")),
            "INSURER_ISOLATED");

  const Caller pharmacy = CallerOf(Role::kProvider, "750100001");
  gate.Publish(Isolated(
      {isolation::ScopeKind::kCredential, pharmacy.identity.spiffe_id}));
  EXPECT_EQ(ReasonOf(gate.Admit(pharmacy)), "CREDENTIAL_SUSPENDED");
}

}  // namespace
}  // namespace tpp
