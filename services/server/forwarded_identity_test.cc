#include "services/server/forwarded_identity.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

#ifndef TPP_SOURCE_DIR
#error "TPP_SOURCE_DIR must name the source tree"
#endif

namespace tpp {
namespace {

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Two dev CAs (tools/dev-certs.sh), the second one unknown to the verifier,
// and client certificates in DER, base64.
class ForwardedCertVerifierTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tpp-fwd-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = new std::string(pattern);
    const std::string script =
        std::string(TPP_SOURCE_DIR) + "/tools/dev-certs.sh";
    ASSERT_EQ(std::system(absl::StrCat(script, " ", *dir_,
                                       "/ca provider/750100001 2>/dev/null")
                              .c_str()),
              0);
    ASSERT_EQ(std::system(absl::StrCat(script, " ", *dir_,
                                       "/other provider/750100001 2>/dev/null")
                              .c_str()),
              0);
    ASSERT_EQ(
        std::system(absl::StrCat("mkdir -p ", *dir_, "/two && cp ", *dir_,
                                 "/ca/ca.pem ", *dir_, "/ca/ca.key ", *dir_,
                                 "/two && TPP_EXTRA_URI_SAN=spiffe://tpp.local/"
                                 "operator/mallory ",
                                 script, " ", *dir_,
                                 "/two provider/750100002 2>/dev/null")
                        .c_str()),
        0);
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete dir_;
  }

  // The certificate `pem` (relative to the temporary folder) as base64 DER.
  static std::string Base64Der(const std::string& pem) {
    const std::string der = absl::StrCat(*dir_, "/cert.der");
    EXPECT_EQ(std::system(absl::StrCat("openssl x509 -in ", *dir_, "/", pem,
                                       " -outform DER -out ", der)
                              .c_str()),
              0);
    return absl::Base64Escape(Read(der));
  }

  static std::string* dir_;
};

std::string* ForwardedCertVerifierTest::dir_ = nullptr;

TEST_F(ForwardedCertVerifierTest, AcceptsACertificateOfTheCa) {
  auto verifier = ForwardedCertVerifier::Create(Read(*dir_ + "/ca/ca.pem"));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  auto uri =
      (*verifier)->VerifiedUriSan(Base64Der("ca/provider-750100001.pem"));
  ASSERT_TRUE(uri.ok()) << uri.status();
  EXPECT_EQ(*uri, "spiffe://tpp.local/provider/750100001");
}

TEST_F(ForwardedCertVerifierTest, RefusesEverythingElse) {
  auto verifier = ForwardedCertVerifier::Create(Read(*dir_ + "/ca/ca.pem"));
  ASSERT_TRUE(verifier.ok()) << verifier.status();
  const std::string good = Base64Der("ca/provider-750100001.pem");
  std::string der;
  ASSERT_TRUE(absl::Base64Unescape(good, &der));
  const std::string bad[] = {
      "",
      "not base64 !",
      absl::Base64Escape("not a certificate"),
      absl::Base64Escape(der + "x"),              // trailing bytes
      Base64Der("other/provider-750100001.pem"),  // another CA
      Base64Der("two/provider-750100002.pem"),    // two URI SANs
      Base64Der("ca/server.pem"),                 // not for client auth
      std::string(kForwardedCertBase64BytesMax + 4, 'A'),  // too large
  };
  for (const std::string& value : bad) {
    auto uri = (*verifier)->VerifiedUriSan(value);
    EXPECT_EQ(uri.status().code(), absl::StatusCode::kUnauthenticated)
        << value.substr(0, 40);
  }
}

TEST_F(ForwardedCertVerifierTest, NeedsACaCertificate) {
  EXPECT_FALSE(ForwardedCertVerifier::Create("").ok());
  EXPECT_FALSE(ForwardedCertVerifier::Create("garbage").ok());
}

}  // namespace
}  // namespace tpp
