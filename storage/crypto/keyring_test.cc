#include "storage/crypto/keyring.h"

#include <string>
#include <thread>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storage/crypto/aead.h"
#include "storage/crypto/field_crypto.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {
namespace {

SecureBytes RandomKey() { return SecureBytes::Random(32).value(); }

SecureBytes CountingKey() {  // 00 01 02 ... 1f
  std::string bytes(32, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  return SecureBytes::CopyOf(bytes).value();
}

bool AllZero(const SecureBytes& bytes) {
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes.data()[i] != 0) return false;
  }
  return true;
}

const absl::Status kSealed = absl::FailedPreconditionError("keys sealed");

TEST(KeyRingTest, NewRingIsSealed) {
  KeyRing ring;
  EXPECT_TRUE(ring.IsSealed());
  EXPECT_EQ(ring.PrimaryVersion().status(), kSealed);
  EXPECT_EQ(ring.NewDataKey().status(), kSealed);
  EXPECT_EQ(ring.WrapDataKey("insurer-a", "m/1", RandomKey()).status(),
            kSealed);
  EXPECT_TRUE(ring.LoadedVersions().empty());
}

TEST(KeyRingTest, FirstKeyBecomesPrimary) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(3, RandomKey()).ok());
  ASSERT_TRUE(ring.AddMasterKey(4, RandomKey()).ok());
  EXPECT_FALSE(ring.IsSealed());
  EXPECT_EQ(ring.PrimaryVersion().value(), 3u);
  EXPECT_EQ(ring.LoadedVersions(), (std::vector<uint32_t>{3, 4}));
}

TEST(KeyRingTest, RejectsBadMasterKeys) {
  KeyRing ring;
  EXPECT_EQ(ring.AddMasterKey(0, RandomKey()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ring.AddMasterKey(1, SecureBytes::Random(31).value()).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  EXPECT_EQ(ring.AddMasterKey(1, RandomKey()).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ring.SetPrimary(9).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ring.RetireVersion(9).code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(ring.RetireVersion(1).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KeyRingTest, WrapUnwrap) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  const SecureBytes dek = ring.NewDataKey().value();
  const std::string wrapped = ring.WrapDataKey("insurer-a", "m/1", dek).value();
  EXPECT_EQ(EnvelopeKeyVersion(wrapped).value(), 1u);
  absl::StatusOr<SecureBytes> unwrapped =
      ring.UnwrapDataKey("insurer-a", "m/1", wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status();
  EXPECT_TRUE(SecureEquals(*unwrapped, dek));
  // Bound to its member and insurer.
  EXPECT_EQ(ring.UnwrapDataKey("insurer-a", "m/2", wrapped).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ring.UnwrapDataKey("insurer-b", "m/1", wrapped).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(ring.UnwrapDataKey("insurer-a", "m/1", "junk").status().code(),
            absl::StatusCode::kDataLoss);
  // Another ring (another master key) cannot unwrap it.
  KeyRing other;
  ASSERT_TRUE(other.AddMasterKey(1, RandomKey()).ok());
  EXPECT_EQ(other.UnwrapDataKey("insurer-a", "m/1", wrapped).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyRingTest, DerivedKeysDependOnInsurerAndVersion) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, CountingKey()).ok());
  ASSERT_TRUE(ring.AddMasterKey(2, RandomKey()).ok());
  // Pins the derivation (HKDF-SHA256, no salt, length-prefixed info), which
  // must never change silently. Computed with Python's hmac.
  const SecureBytes key_a1 = ring.BlindIndexKey("insurer-a").value();
  EXPECT_EQ(absl::BytesToHexString(key_a1.view()),
            "046815708d49a436de6ded7a998fea7ae19b20289d93d851fee2eab18d26367b");
  EXPECT_FALSE(SecureEquals(key_a1, ring.BlindIndexKey("insurer-b").value()));
  EXPECT_FALSE(
      SecureEquals(key_a1, ring.BlindIndexKey("insurer-a", 2).value()));
  EXPECT_TRUE(SecureEquals(key_a1, ring.BlindIndexKey("insurer-a", 1).value()));
  EXPECT_EQ(ring.BlindIndexKey("insurer-a", 5).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(KeyRingTest, RotationRewrapsThenRetires) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  const SecureBytes dek = ring.NewDataKey().value();
  const std::string old_wrapped = ring.WrapDataKey("ins", "m/1", dek).value();

  ASSERT_TRUE(ring.AddMasterKey(2, RandomKey()).ok());
  ASSERT_TRUE(ring.SetPrimary(2).ok());
  EXPECT_EQ(ring.PrimaryVersion().value(), 2u);
  absl::StatusOr<KeyRing::Rewrapped> rewrapped =
      ring.Rewrap("ins", "m/1", old_wrapped);
  ASSERT_TRUE(rewrapped.ok()) << rewrapped.status();
  EXPECT_TRUE(rewrapped->changed);
  EXPECT_EQ(EnvelopeKeyVersion(rewrapped->wrapped).value(), 2u);
  // Already under the primary: unchanged.
  absl::StatusOr<KeyRing::Rewrapped> again =
      ring.Rewrap("ins", "m/1", rewrapped->wrapped);
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_FALSE(again->changed);
  EXPECT_EQ(again->wrapped, rewrapped->wrapped);

  ASSERT_TRUE(ring.RetireVersion(1).ok());
  EXPECT_EQ(ring.LoadedVersions(), (std::vector<uint32_t>{2}));
  EXPECT_EQ(
      ring.UnwrapDataKey("ins", "m/1", old_wrapped).status(),
      absl::FailedPreconditionError("master key version 1 is not loaded"));
  EXPECT_EQ(ring.Rewrap("ins", "m/1", old_wrapped).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::StatusOr<SecureBytes> unwrapped =
      ring.UnwrapDataKey("ins", "m/1", rewrapped->wrapped);
  ASSERT_TRUE(unwrapped.ok()) << unwrapped.status();
  EXPECT_TRUE(SecureEquals(*unwrapped, dek));
}

TEST(KeyRingTest, SealWipesAndRefusesEverything) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  SecureBytes dek = ring.NewDataKey().value();
  const std::string wrapped = ring.WrapDataKey("ins", "m/1", dek).value();
  const std::string field =
      EncryptField(dek, "ins", "m/1", "nir", "1850578006048").value();
  ASSERT_TRUE(ring.BlindIndexKey("ins").ok());  // Fills the cache.
  ASSERT_FALSE(AllZero(dek));
  const size_t live_before = test_hooks::LiveBufferCount();

  ring.Seal();

  EXPECT_TRUE(ring.IsSealed());
  // The caller's data key was zeroed in place, not just dropped.
  EXPECT_TRUE(dek.wiped());
  EXPECT_TRUE(AllZero(dek));
  // The ring's master key and cached derived keys are gone; what is left in
  // the process (held by this test) is all zeros.
  EXPECT_LE(test_hooks::LiveBufferCount(), live_before - 3);
  test_hooks::ForEachLiveBuffer([](const unsigned char* data, size_t size) {
    for (size_t i = 0; i < size; ++i) ASSERT_EQ(data[i], 0) << "byte " << i;
  });

  EXPECT_EQ(ring.PrimaryVersion().status(), kSealed);
  EXPECT_EQ(ring.NewDataKey().status(), kSealed);
  EXPECT_EQ(ring.WrapDataKey("ins", "m/1", dek).status(), kSealed);
  EXPECT_EQ(ring.UnwrapDataKey("ins", "m/1", wrapped).status(), kSealed);
  EXPECT_EQ(ring.Rewrap("ins", "m/1", wrapped).status(), kSealed);
  EXPECT_EQ(ring.BlindIndexKey("ins").status(), kSealed);
  EXPECT_EQ(
      ring.MemberBlindIndex("ins", "1850578006048", "1985-05-01", 1).status(),
      kSealed);
  EXPECT_EQ(ring.SetPrimary(1), kSealed);
  EXPECT_EQ(DecryptField(dek, "ins", "m/1", "nir", field).status(), kSealed);
  EXPECT_EQ(EncryptField(dek, "ins", "m/1", "nir", "x").status(), kSealed);

  // Unsealing is loading a master key again.
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  EXPECT_FALSE(ring.IsSealed());
  EXPECT_TRUE(ring.NewDataKey().ok());
}

TEST(KeyRingTest, DirectZeroizeSealsTheRing) {
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  ASSERT_TRUE(ring.AddMasterKey(2, RandomKey()).ok());
  ZeroizeAllKeys();
  EXPECT_TRUE(ring.IsSealed());
  EXPECT_EQ(ring.WrapDataKey("ins", "m/1", RandomKey()).status(), kSealed);
  // The wiped versions are dropped when a key is loaded again.
  ASSERT_TRUE(ring.AddMasterKey(2, RandomKey()).ok());
  EXPECT_EQ(ring.LoadedVersions(), (std::vector<uint32_t>{2}));
  EXPECT_TRUE(ring.WrapDataKey("ins", "m/1", RandomKey()).ok());
}

TEST(KeyRingTest, ConcurrentUseAndSeal) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 500;
  KeyRing ring;
  ASSERT_TRUE(ring.AddMasterKey(1, RandomKey()).ok());
  std::vector<int> unexpected(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string insurer = "ins-" + std::to_string(t % 2);
      for (int i = 0; i < kRounds; ++i) {
        absl::StatusOr<SecureBytes> dek = ring.NewDataKey();
        if (!dek.ok()) {
          if (dek.status() != kSealed) ++unexpected[t];
          continue;
        }
        absl::StatusOr<std::string> wrapped =
            ring.WrapDataKey(insurer, "m/1", *dek);
        absl::StatusOr<SecureBytes> unwrapped =
            wrapped.ok() ? ring.UnwrapDataKey(insurer, "m/1", *wrapped)
                         : absl::StatusOr<SecureBytes>(wrapped.status());
        if (unwrapped.ok()) {
          if (!SecureEquals(*unwrapped, *dek) && !dek->wiped()) ++unexpected[t];
        } else if (unwrapped.status() != kSealed) {
          ++unexpected[t];
        }
      }
    });
  }
  ring.Seal();
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(unexpected[t], 0);
  EXPECT_TRUE(ring.IsSealed());
}

}  // namespace
}  // namespace tpp::crypto
