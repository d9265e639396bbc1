#include "services/server/identity.h"

#include "gtest/gtest.h"

namespace tpp {
namespace {

TEST(ParseSpiffeIdTest, AcceptsEachRole) {
  auto provider =
      ParseSpiffeId("spiffe://tpp.local/provider/750100001", "tpp.local");
  ASSERT_TRUE(provider.ok()) << provider.status();
  EXPECT_EQ(provider->role, Role::kProvider);
  EXPECT_EQ(provider->id, "750100001");
  EXPECT_EQ(provider->spiffe_id, "spiffe://tpp.local/provider/750100001");

  auto insurer =
      ParseSpiffeId("spiffe://tpp.local/insurer/100000001", "tpp.local");
  ASSERT_TRUE(insurer.ok());
  EXPECT_EQ(insurer->role, Role::kInsurer);

  auto op = ParseSpiffeId("spiffe://tpp.local/operator/alice", "tpp.local");
  ASSERT_TRUE(op.ok());
  EXPECT_EQ(op->role, Role::kOperator);
  EXPECT_EQ(op->id, "alice");
}

TEST(ParseSpiffeIdTest, RefusesEverythingElse) {
  const char* bad[] = {
      "spiffe://other.domain/provider/750100001",  // another trust domain
      "spiffe://tpp.local/admin/root",             // unknown role
      "spiffe://tpp.local/provider/",              // empty id
      "spiffe://tpp.local/provider/a/b",           // extra segment
      "spiffe://tpp.local/provider",               // no id
      "https://tpp.local/provider/1",              // not SPIFFE
      "spiffe://tpp.local/provider/bad id",        // space
      "spiffe://tpp.local.evil/provider/1",        // suffix of the domain
      "",
  };
  for (const char* uri : bad) {
    auto identity = ParseSpiffeId(uri, "tpp.local");
    EXPECT_EQ(identity.status().code(), absl::StatusCode::kUnauthenticated)
        << uri;
  }
  std::string long_id(kIdentityIdBytesMax + 1, '1');
  EXPECT_FALSE(
      ParseSpiffeId("spiffe://tpp.local/provider/" + long_id, "tpp.local")
          .ok());
}

}  // namespace
}  // namespace tpp
