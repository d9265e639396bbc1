#include "tools/auditgen/audit_generator.h"

#include <cstdint>
#include <set>
#include <string>

#include "gtest/gtest.h"

namespace tpp {
namespace {

AuditGeneratorOptions Small() {
  AuditGeneratorOptions options;
  options.records = 20'000;
  options.providers = 100;
  options.insurers = 7;
  options.members_per_insurer = 5'000;
  options.stolen_records = 1'000;
  options.heavy_records = 3'000;
  return options;
}

TEST(AuditEventGeneratorTest, SameSeedSameEvents) {
  AuditEventGenerator a(42, Small());
  AuditEventGenerator b(42, Small());
  for (int i = 0; i < 1000; ++i) {
    const AuditEvent x = a.Next();
    const AuditEvent y = b.Next();
    ASSERT_EQ(x.caller, y.caller);
    ASSERT_EQ(x.method, y.method);
    ASSERT_EQ(x.members.size(), y.members.size());
    if (!x.members.empty()) {
      ASSERT_EQ(x.members[0].member_id, y.members[0].member_id);
    }
  }
}

TEST(AuditEventGeneratorTest, StolenCredentialSeesADistinctMemberEachCall) {
  const AuditGeneratorOptions options = Small();
  AuditEventGenerator generator(7, options);
  const std::string stolen = generator.Credential(options.stolen_provider);
  const std::string heavy = generator.Credential(options.heavy_provider);
  std::set<std::string> stolen_members;
  std::set<std::string> insurers;
  uint64_t stolen_records = 0;
  uint64_t heavy_records = 0;
  std::set<std::string> callers;
  for (uint64_t i = 0; i < options.records; ++i) {
    const AuditEvent event = generator.Next();
    callers.insert(event.caller);
    if (!event.insurer_id.empty()) insurers.insert(event.insurer_id);
    for (const AuditMember& member : event.members) {
      EXPECT_EQ(member.member_id.size(), 32u);
      EXPECT_FALSE(member.adherent_number.empty());
    }
    if (event.caller == stolen) {
      ++stolen_records;
      ASSERT_EQ(event.members.size(), 1u);
      EXPECT_TRUE(stolen_members.insert(event.members[0].member_id).second);
    }
    if (event.caller == heavy) ++heavy_records;
  }
  EXPECT_EQ(stolen_records, options.stolen_records);
  // Where both would fall on one record, the thief has it.
  EXPECT_LE(heavy_records, options.heavy_records);
  EXPECT_GE(heavy_records, options.heavy_records - options.stolen_records);
  EXPECT_EQ(insurers.size(), static_cast<size_t>(options.insurers));
  EXPECT_GT(callers.size(), 50u);
}

TEST(AuditEventGeneratorTest, RefusesBadOptions) {
  AuditGeneratorOptions options = Small();
  options.records = 0;
  EXPECT_FALSE(ValidateAuditGeneratorOptions(options).ok());
  options = Small();
  options.stolen_records = options.records;
  EXPECT_FALSE(ValidateAuditGeneratorOptions(options).ok());
  options = Small();
  options.heavy_provider = options.stolen_provider;
  EXPECT_FALSE(ValidateAuditGeneratorOptions(options).ok());
  EXPECT_TRUE(ValidateAuditGeneratorOptions(Small()).ok());
}

}  // namespace
}  // namespace tpp
