#include "storage/crypto/master_key_file.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"
#include "storage/crypto/keyring.h"

namespace tpp::crypto {
namespace {

class MasterKeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = ::testing::TempDir() + "tpp-master-key-XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const char* name : {"/key", "/link"}) unlink((dir_ + name).c_str());
    rmdir(dir_.c_str());
  }

  std::string Path() const { return dir_ + "/key"; }

  void WriteText(const std::string& text, mode_t mode) {
    std::ofstream(Path()) << text;
    ASSERT_EQ(chmod(Path().c_str(), mode), 0);
  }

  std::string dir_;
};

constexpr char kHex[] =
    "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

TEST_F(MasterKeyFileTest, WriteCreatesMode0600ThenLoads) {
  absl::StatusOr<MasterKey> written = WriteNewMasterKeyFile(Path(), 3);
  ASSERT_TRUE(written.ok()) << written.status();
  struct stat st;
  ASSERT_EQ(stat(Path().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  std::string line;
  std::getline(std::ifstream(Path()), line);
  EXPECT_EQ(line.size(), 3 + 64u);
  EXPECT_EQ(line.substr(0, 3), "v3:");

  absl::StatusOr<MasterKey> loaded = LoadMasterKeyFile(Path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->version, 3u);
  EXPECT_TRUE(SecureEquals(loaded->key, written->key));
  KeyRing ring;
  EXPECT_TRUE(ring.AddMasterKey(loaded->version, std::move(loaded->key)).ok());
}

TEST_F(MasterKeyFileTest, WriteRefusesToOverwrite) {
  WriteText("anything", 0600);
  EXPECT_EQ(WriteNewMasterKeyFile(Path()).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(WriteNewMasterKeyFile(Path() + "2", 0).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(MasterKeyFileTest, LoadsTheDevScriptFormat) {
  WriteText(std::string("v1:") + kHex + "\n", 0600);
  absl::StatusOr<MasterKey> loaded = LoadMasterKeyFile(Path());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(loaded->version, 1u);
  EXPECT_EQ(absl::BytesToHexString(loaded->key.view()), kHex);
}

TEST_F(MasterKeyFileTest, RefusesGroupOrOtherAccess) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0602}) {
    WriteText(std::string("v1:") + kHex + "\n", mode);
    EXPECT_EQ(LoadMasterKeyFile(Path()).status().code(),
              absl::StatusCode::kFailedPrecondition)
        << std::oct << mode;
  }
  for (mode_t mode : {0600, 0400}) {
    WriteText(std::string("v1:") + kHex + "\n", mode);
    EXPECT_TRUE(LoadMasterKeyFile(Path()).ok()) << std::oct << mode;
  }
}

TEST_F(MasterKeyFileTest, RefusesSymlinksAndMissingFiles) {
  EXPECT_EQ(LoadMasterKeyFile(Path()).status().code(),
            absl::StatusCode::kNotFound);
  WriteText(std::string("v1:") + kHex + "\n", 0600);
  ASSERT_EQ(symlink(Path().c_str(), (dir_ + "/link").c_str()), 0);
  EXPECT_EQ(LoadMasterKeyFile(dir_ + "/link").status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(MasterKeyFileTest, RefusesMalformedWithoutQuotingIt) {
  const std::string good_hex = kHex;
  for (const std::string& text :
       {std::string(""), "1:" + good_hex, "v0:" + good_hex, "v:" + good_hex,
        "v1:" + good_hex.substr(2), "v1:" + good_hex + "00",
        "v1:" + good_hex.substr(0, 62) + "zz", "v1" + good_hex,
        "v+1:" + good_hex, "v99999999999:" + good_hex,
        "v1:" + good_hex + "\n\n", "v1:" + good_hex + std::string(200, ' ')}) {
    WriteText(text, 0600);
    absl::Status status = LoadMasterKeyFile(Path()).status();
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_EQ(std::string(status.message()).find("0a0b0c"), std::string::npos);
  }
}

}  // namespace
}  // namespace tpp::crypto

namespace tpp::crypto {
namespace {

TEST(MasterKeysTest, ReplaceThenLoadSeveralVersions) {
  const std::string path =
      ::testing::TempDir() + "/tpp-keys-" + std::to_string(::getpid()) + ".key";
  std::remove(path.c_str());
  auto v1 = WriteNewMasterKeyFile(path, 1);
  ASSERT_TRUE(v1.ok()) << v1.status();
  MasterKey v2{2, *SecureBytes::Random(kMasterKeyBytes)};
  ASSERT_TRUE(ReplaceMasterKeys(path, {&*v1, &v2}).ok());
  auto keys = LoadMasterKeys(path);
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_EQ((*keys)[0].version, 1u);
  EXPECT_TRUE(SecureEquals((*keys)[0].key, v1->key));
  EXPECT_EQ((*keys)[1].version, 2u);
  EXPECT_TRUE(SecureEquals((*keys)[1].key, v2.key));
  // One line is still what LoadMasterKeyFile wants.
  EXPECT_FALSE(LoadMasterKeyFile(path).ok());
  ASSERT_TRUE(ReplaceMasterKeys(path, {&v2}).ok());
  auto only = LoadMasterKeyFile(path);
  ASSERT_TRUE(only.ok());
  EXPECT_EQ(only->version, 2u);
  struct stat st;
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  // A repeated version is refused.
  ASSERT_TRUE(ReplaceMasterKeys(path, {&v2, &v2}).ok());
  EXPECT_EQ(LoadMasterKeys(path).status().code(),
            absl::StatusCode::kInvalidArgument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tpp::crypto
