#include "services/server/authorization.h"

#include "gtest/gtest.h"
#include "services/common/errors.h"

namespace tpp {
namespace {

TEST(AuthorizationTest, OperatorsOnlyOnAdmin) {
  const MethodRule* list = FindRule(method::kListSettlements);
  ASSERT_NE(list, nullptr);
  EXPECT_TRUE(Authorize(list, Role::kOperator, Listener::kAdmin).ok());
  EXPECT_FALSE(Authorize(list, Role::kOperator, Listener::kExternal).ok());
  EXPECT_TRUE(Authorize(list, Role::kInsurer, Listener::kExternal).ok());
  EXPECT_FALSE(Authorize(list, Role::kInsurer, Listener::kAdmin).ok());
  EXPECT_FALSE(Authorize(list, Role::kProvider, Listener::kExternal).ok());
}

TEST(AuthorizationTest, UnknownMethodIsDenied) {
  EXPECT_EQ(FindRule("/tpp.v1.ClaimService/DropTables"), nullptr);
  absl::Status denied = Authorize(nullptr, Role::kOperator, Listener::kAdmin);
  EXPECT_EQ(denied.code(), absl::StatusCode::kPermissionDenied);
  EXPECT_EQ(ReasonOf(denied), "PERMISSION_DENIED");
}

TEST(AuthorizationTest, EveryRowIsServedSomewhereAndUnique) {
  for (const MethodRule& rule : AuthorizationTable()) {
    EXPECT_NE(rule.roles, 0) << rule.method;
    EXPECT_NE(rule.listeners, 0) << rule.method;
    EXPECT_EQ(FindRule(rule.method), &rule) << "duplicate row " << rule.method;
  }
}

TEST(AuthorizationTest, ProvidersNeverReachOperatorMethods) {
  for (absl::string_view m :
       {method::kIsolate, method::kGetIsolation, method::kRunSettlement,
        method::kBreachReport, method::kVerifyChain}) {
    for (Listener l : {Listener::kExternal, Listener::kAdmin}) {
      EXPECT_FALSE(Authorize(FindRule(m), Role::kProvider, l).ok()) << m;
      EXPECT_FALSE(Authorize(FindRule(m), Role::kInsurer, l).ok()) << m;
    }
  }
}

}  // namespace
}  // namespace tpp
