#include "storage/crypto/encoding.h"

#include <string>

#include "gtest/gtest.h"

namespace tpp::crypto::internal {
namespace {

TEST(HexTest, RoundTripsEveryByte) {
  unsigned char bytes[256];
  for (int i = 0; i < 256; ++i) bytes[i] = static_cast<unsigned char>(i);
  std::string hex(512, '?');
  HexEncode(bytes, sizeof(bytes), hex.data());
  EXPECT_EQ(hex.substr(0, 8), "00010203");
  EXPECT_EQ(hex.substr(504), "fcfdfeff");
  unsigned char back[256] = {};
  ASSERT_TRUE(HexDecode(hex, back));
  for (int i = 0; i < 256; ++i) EXPECT_EQ(back[i], bytes[i]) << i;
  ASSERT_TRUE(HexDecode("ABcdEf", back));
  EXPECT_EQ(back[0], 0xab);
  EXPECT_EQ(back[2], 0xef);
}

// Regression (found by UBSan): a bad high digit decodes to -1, which was
// shifted left as a signed int. Each bad digit, in either position, is
// refused without undefined behaviour.
TEST(HexTest, RefusesBadDigitsInEitherPosition) {
  unsigned char out[2];
  for (const char* bad : {"g0", "0g", "z1", "-1", " 1", "1 ",
                          "\xff"
                          "0",
                          "0\xff", "/0", ":0", "@0", "`0", "G0", "0G"}) {
    EXPECT_FALSE(HexDecode(bad, out)) << bad;
  }
  EXPECT_FALSE(HexDecode("abc", out));  // odd length
  EXPECT_TRUE(HexDecode("", out));
}

}  // namespace
}  // namespace tpp::crypto::internal
