#include "storage/crypto/aead.h"

#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storage/crypto/secure_bytes.h"

namespace tpp::crypto {
namespace {

SecureBytes RandomKey() { return SecureBytes::Random(kAeadKeyBytes).value(); }

SecureBytes CountingKey() {  // 00 01 02 ... 1f
  std::string bytes(kAeadKeyBytes, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i);
  return SecureBytes::CopyOf(bytes).value();
}

TEST(AeadTest, RoundTrip) {
  const SecureBytes key = RandomKey();
  for (const std::string& plaintext :
       {std::string(), std::string("x"), std::string(100, 'p'),
        std::string(70000, '\xff')}) {
    absl::StatusOr<std::string> envelope = Seal(key, 7, plaintext, "aad");
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    EXPECT_EQ(envelope->size(), plaintext.size() + kEnvelopeOverheadBytes);
    EXPECT_EQ(EnvelopeKeyVersion(*envelope).value(), 7u);
    absl::StatusOr<std::string> opened = Open(key, *envelope, "aad");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, plaintext);
  }
}

TEST(AeadTest, OpensKnownEnvelope) {
  // Made by Python's cryptography AESGCM with key 00..1f, nonce 64..6f and
  // associated data header || "aad" (this file's format, key version 7).
  const std::string envelope = absl::HexStringToBytes(
      "01000000076465666768696a6b6c6d6e6f207eb20a16c922ee4eece1bc615fd1ae2c47"
      "1d715fd3ec7bf9");
  absl::StatusOr<std::string> opened = Open(CountingKey(), envelope, "aad");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, "hello tpp");
}

TEST(AeadTest, WrongKeyOrAadIsDataLoss) {
  const SecureBytes key = RandomKey();
  const std::string envelope = Seal(key, 1, "secret", "row-1").value();
  EXPECT_EQ(Open(RandomKey(), envelope, "row-1").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Open(key, envelope, "row-2").status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(Open(key, envelope, "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, AlternatingKeysKeepWorking) {
  // Each thread keeps the last key's schedule; switching keys back and forth
  // must neither reuse a stale one nor refuse a good one.
  const SecureBytes a = RandomKey();
  const SecureBytes b = RandomKey();
  for (int i = 0; i < 3; ++i) {
    const std::string from_a = Seal(a, 1, "for a", "").value();
    const std::string from_b = Seal(b, 1, "for b", "").value();
    EXPECT_EQ(Open(a, from_a, "").value(), "for a");
    EXPECT_EQ(Open(a, from_b, "").status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(Open(b, from_b, "").value(), "for b");
    EXPECT_EQ(Open(b, from_a, "").status().code(), absl::StatusCode::kDataLoss);
    EXPECT_EQ(Open(CountingKey(), from_a, "").status().code(),
              absl::StatusCode::kDataLoss);
  }
}

TEST(AeadTest, EverySingleBitFlipIsDataLoss) {
  const SecureBytes key = RandomKey();
  const std::string envelope =
      Seal(key, 3, std::string(100, 'm'), "aad").value();
  for (size_t byte = 0; byte < envelope.size(); ++byte) {
    for (int bit = 0; bit < 8; ++bit) {
      std::string damaged = envelope;
      damaged[byte] = static_cast<char>(damaged[byte] ^ (1 << bit));
      absl::StatusOr<std::string> opened = Open(key, damaged, "aad");
      ASSERT_EQ(opened.status().code(), absl::StatusCode::kDataLoss)
          << "byte " << byte << " bit " << bit;
    }
  }
}

TEST(AeadTest, TruncatedOrExtendedIsDataLoss) {
  const SecureBytes key = RandomKey();
  const std::string envelope = Seal(key, 1, std::string(40, 'm'), "").value();
  for (size_t size = 0; size < envelope.size(); ++size) {
    ASSERT_EQ(Open(key, envelope.substr(0, size), "").status().code(),
              absl::StatusCode::kDataLoss)
        << "size " << size;
  }
  EXPECT_EQ(Open(key, envelope + "x", "").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, NoncesNeverRepeat) {
  constexpr int kEnvelopes = 1000000;
  const SecureBytes key = RandomKey();
  absl::flat_hash_set<std::pair<uint64_t, uint32_t>> nonces;
  nonces.reserve(kEnvelopes);
  for (int i = 0; i < kEnvelopes; ++i) {
    const std::string envelope = Seal(key, 1, "", "").value();
    std::pair<uint64_t, uint32_t> nonce;
    std::memcpy(&nonce.first, envelope.data() + kEnvelopeHeaderBytes, 8);
    std::memcpy(&nonce.second, envelope.data() + kEnvelopeHeaderBytes + 8, 4);
    ASSERT_TRUE(nonces.insert(nonce).second) << "nonce repeated at " << i;
  }
}

TEST(AeadTest, SecretRoundTrip) {
  const SecureBytes key = RandomKey();
  const SecureBytes secret = RandomKey();
  const std::string envelope = SealSecret(key, 2, secret, "dek").value();
  absl::StatusOr<SecureBytes> opened = OpenSecret(key, envelope, "dek");
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_TRUE(SecureEquals(*opened, secret));
  EXPECT_EQ(OpenSecret(key, envelope, "other").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(AeadTest, RejectsBadKeySizeAndOversizedAad) {
  const SecureBytes short_key = SecureBytes::Random(16).value();
  EXPECT_EQ(Seal(short_key, 1, "p", "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Open(SecureBytes(), std::string(64, 'x'), "").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Seal(RandomKey(), 1, "p", std::string(kAadBytesMax + 1, 'a'))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(AeadTest, WipedKeyIsRefusedNotUsedAsZeros) {
  SecureBytes key = RandomKey();
  const SecureBytes secret = RandomKey();
  const std::string envelope = Seal(key, 1, "p", "").value();
  ZeroizeAllKeys();
  ASSERT_TRUE(key.wiped());
  EXPECT_EQ(Seal(key, 1, "p", "").status(),
            absl::FailedPreconditionError("keys sealed"));
  EXPECT_EQ(Open(key, envelope, "").status(),
            absl::FailedPreconditionError("keys sealed"));
  const SecureBytes fresh = RandomKey();
  EXPECT_EQ(SealSecret(fresh, 1, secret, "").status(),
            absl::FailedPreconditionError("keys sealed"));
  EXPECT_TRUE(Seal(fresh, 1, "p", "").ok());
}

// Operations racing with a wipe either complete or fail cleanly; once the
// wipe returns, every one fails. Run under TSan to check the locking.
TEST(AeadTest, ConcurrentOperationsAndWipe) {
  constexpr int kThreads = 4;
  constexpr int kRounds = 2000;
  SecureBytes key = RandomKey();
  const std::string envelope = Seal(key, 1, "payload", "aad").value();
  std::vector<std::thread> threads;
  std::vector<int> unexpected(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        absl::StatusOr<std::string> sealed = Seal(key, 1, "payload", "aad");
        absl::StatusOr<std::string> opened = Open(key, envelope, "aad");
        const bool ok = sealed.ok() && opened.ok() && *opened == "payload";
        const bool refused =
            sealed.status().code() == absl::StatusCode::kFailedPrecondition ||
            opened.status().code() == absl::StatusCode::kFailedPrecondition;
        if (!ok && !refused) ++unexpected[t];
      }
    });
  }
  ZeroizeAllKeys();
  EXPECT_EQ(Open(key, envelope, "aad").status().code(),
            absl::StatusCode::kFailedPrecondition);
  for (std::thread& thread : threads) thread.join();
  for (int t = 0; t < kThreads; ++t) EXPECT_EQ(unexpected[t], 0);
}

}  // namespace
}  // namespace tpp::crypto
