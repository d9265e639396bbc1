#include "storage/crypto/secure_bytes.h"

#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace tpp::crypto {
namespace {

bool AllZero(const unsigned char* data, size_t size) {
  for (size_t i = 0; i < size; ++i) {
    if (data[i] != 0) return false;
  }
  return true;
}

// What the release hook saw: the count of released buffers and whether any
// held a nonzero byte when freed.
int released = 0;
bool released_nonzero = false;

void RecordRelease(const unsigned char* data, size_t size) {
  ++released;
  if (!AllZero(data, size)) released_nonzero = true;
}

class ReleaseHookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    released = 0;
    released_nonzero = false;
    test_hooks::SetReleaseHook(&RecordRelease);
  }
  void TearDown() override { test_hooks::SetReleaseHook(nullptr); }
};

TEST(SecureBytesTest, StartsZeroedAndMovesOwnership) {
  SecureBytes bytes(32);
  EXPECT_EQ(bytes.size(), 32u);
  EXPECT_TRUE(AllZero(bytes.data(), bytes.size()));
  const unsigned char* data = bytes.data();
  SecureBytes moved(std::move(bytes));
  EXPECT_EQ(moved.data(), data);
  EXPECT_TRUE(bytes.empty());  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(bytes.data(), nullptr);
  EXPECT_TRUE(SecureBytes().empty());
}

TEST(SecureBytesTest, RandomCopyCloneAndCompare) {
  const SecureBytes a = SecureBytes::Random(32).value();
  const SecureBytes b = SecureBytes::Random(32).value();
  EXPECT_FALSE(SecureEquals(a, b));
  const SecureBytes clone = a.Clone().value();
  EXPECT_NE(clone.data(), a.data());
  EXPECT_TRUE(SecureEquals(a, clone));
  const SecureBytes copy = SecureBytes::CopyOf("abc").value();
  EXPECT_EQ(copy.view(), "abc");
  EXPECT_FALSE(SecureEquals(copy, SecureBytes::CopyOf("abd").value()));
  EXPECT_FALSE(SecureEquals(copy, SecureBytes::CopyOf("abcd").value()));
  EXPECT_EQ(SecureBytes::Random(kSecureBytesMax + 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ReleaseHookTest, DestructorCleansesBeforeFreeing) {
  {
    const SecureBytes key =
        SecureBytes::CopyOf(std::string(32, '\x5a')).value();
  }
  EXPECT_EQ(released, 1);
  EXPECT_FALSE(released_nonzero);
}

TEST_F(ReleaseHookTest, ReassignmentCleansesTheOldBytes) {
  SecureBytes key = SecureBytes::CopyOf(std::string(32, '\x5a')).value();
  key = SecureBytes::CopyOf(std::string(16, '\x33')).value();
  EXPECT_EQ(released, 1);  // The old 32 bytes; the moved-from temporary
                           // owned nothing.
  EXPECT_FALSE(released_nonzero);
  EXPECT_EQ(key.view(), std::string(16, '\x33'));
}

// Random keys come from a per-thread batch: consecutive keys, keys across a
// batch boundary and keys of other threads never repeat.
TEST(SecureBytesTest, RandomKeysFromTheBatchNeverRepeat) {
  std::set<std::string> seen;
  auto draw = [](std::vector<std::string>* out) {
    for (int i = 0; i < 20000; ++i) {
      SecureBytes key = SecureBytes::Random(i % 7 == 0 ? 48 : 32).value();
      out->emplace_back(reinterpret_cast<const char*>(key.data()), key.size());
    }
  };
  std::vector<std::string> mine, theirs;
  std::thread other(draw, &theirs);
  draw(&mine);
  other.join();
  for (const auto* keys : {&mine, &theirs}) {
    for (const std::string& key : *keys) {
      EXPECT_NE(key, std::string(key.size(), '\0'));
      EXPECT_TRUE(seen.insert(key).second) << "a key repeated";
    }
  }
  EXPECT_EQ(seen.size(), 40000u);
}

TEST(SecureBytesTest, ZeroizeAllKeysWipesEveryLiveBuffer) {
  SecureBytes a = SecureBytes::CopyOf(std::string(32, '\x11')).value();
  SecureBytes b = SecureBytes::Random(64).value();
  const size_t live = test_hooks::LiveBufferCount();
  EXPECT_GE(live, 2u);
  bool saw_nonzero = false;
  test_hooks::ForEachLiveBuffer([&](const unsigned char* data, size_t size) {
    if (!AllZero(data, size)) saw_nonzero = true;
  });
  EXPECT_TRUE(saw_nonzero);

  ZeroizeAllKeys();

  EXPECT_TRUE(a.wiped());
  EXPECT_TRUE(b.wiped());
  EXPECT_EQ(a.size(), 32u);
  EXPECT_TRUE(AllZero(a.data(), a.size()));
  EXPECT_TRUE(AllZero(b.data(), b.size()));
  test_hooks::ForEachLiveBuffer([](const unsigned char* data, size_t size) {
    EXPECT_TRUE(AllZero(data, size));
  });
  EXPECT_EQ(test_hooks::LiveBufferCount(), live);
  EXPECT_EQ(a.Clone().status(), absl::FailedPreconditionError("keys sealed"));
  EXPECT_FALSE(SecureEquals(a, a));

  // Buffers made afterwards are live keys again.
  const SecureBytes fresh = SecureBytes::Random(32).value();
  EXPECT_FALSE(fresh.wiped());
  EXPECT_TRUE(fresh.Clone().ok());
}

}  // namespace
}  // namespace tpp::crypto
