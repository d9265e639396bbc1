#include "tools/tppctl/unseal_command.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <vector>

#include "absl/strings/str_cat.h"
#include "storage/crypto/master_key_file.h"
#include "storage/crypto/secure_bytes.h"
#include "storage/crypto/shamir.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp::ctl {
namespace {

int Fail(const std::string& what) {
  std::fprintf(stderr, "tppctl: %s\n", what.c_str());
  return 1;
}

// Creates `path` (O_EXCL, 0600) holding `line` and a line end, synced.
bool WriteShareFile(const std::string& path, absl::string_view line) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return false;
  std::string out = absl::StrCat(line, "\n");
  const bool ok =
      ::write(fd, out.data(), out.size()) == static_cast<ssize_t>(out.size()) &&
      ::fsync(fd) == 0;
  std::fill(out.begin(), out.end(), '\0');
  return ::close(fd) == 0 && ok;
}

}  // namespace

int RunInitKeys(const std::string& key_file, int shares, int threshold,
                const std::string& out_dir) {
  if (threshold < 2 || threshold > shares || shares > crypto::kSharesMax) {
    std::fprintf(stderr, "tppctl: need 2 <= --threshold <= --shares <= 255\n");
    return 2;
  }
  absl::StatusOr<std::vector<crypto::MasterKey>> keys =
      crypto::LoadMasterKeys(key_file);
  if (!keys.ok()) return Fail(std::string(keys.status().message()));
  if (keys->size() != 1) {
    return Fail(
        "the key file holds several versions (a rotation is under "
        "way): let it finish first");
  }
  const crypto::MasterKey& master = keys->front();
  absl::StatusOr<std::string> check = crypto::KeyCheckValue(master.key);
  if (!check.ok()) return Fail(std::string(check.status().message()));
  absl::StatusOr<std::vector<crypto::Share>> split =
      crypto::Split(master.key, shares, threshold);
  if (!split.ok()) return Fail(std::string(split.status().message()));
  if (::mkdir(out_dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Fail("cannot create " + out_dir);
  }
  for (crypto::Share& share : *split) {
    const int x = share.x;
    crypto::ShareRecord record{std::move(share), threshold, *check};
    absl::StatusOr<crypto::SecureBytes> line = crypto::FormatShare(record);
    if (!line.ok()) return Fail(std::string(line.status().message()));
    const std::string path = absl::StrCat(out_dir, "/share-", x, ".txt");
    if (!WriteShareFile(path, line->view())) {
      return Fail("cannot create " + path + " (it must not exist yet)");
    }
    std::printf("wrote %s\n", path.c_str());
  }
  std::printf(
      "master key v%u split into %d shares, any %d of which unseal it; key "
      "check value %s\nhand each share file to a different operator, then "
      "remove them from this machine\n",
      master.version, shares, threshold, check->c_str());
  return 0;
}

int RunUnseal(const ClientOptions& options, const std::string& share_file) {
  struct stat st;
  if (::stat(share_file.c_str(), &st) != 0) {
    return Fail("cannot read " + share_file);
  }
  if ((st.st_mode & 077) != 0) {
    return Fail(share_file + " is readable by others: chmod 600 it");
  }
  tpp::v1::UnsealRequest request;
  {
    std::FILE* in = std::fopen(share_file.c_str(), "rb");
    if (in == nullptr) return Fail("cannot read " + share_file);
    char buffer[1024];
    const size_t n = std::fread(buffer, 1, sizeof(buffer), in);
    std::fclose(in);
    std::string line(buffer, n);
    std::fill(buffer, buffer + sizeof(buffer), '\0');
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) {
      line.pop_back();
    }
    request.set_share(std::move(line));
  }
  auto stub =
      tpp::v1::IsolationService::NewStub(Connect(options, options.admin));
  auto ctx = NewContext(options);
  tpp::v1::UnsealResponse response;
  grpc::Status rpc = stub->Unseal(ctx.get(), request, &response);
  std::string* share = request.mutable_share();
  std::fill(share->begin(), share->end(), '\0');
  if (!rpc.ok()) return Fail(Describe(rpc));
  if (response.unsealed()) {
    std::printf("unsealed: the master key is back in memory (%d shares)\n",
                response.shares_received());
  } else {
    std::printf(
        "share accepted: %d of %d; the next share must come from "
        "another operator\n",
        response.shares_received(), response.threshold());
  }
  return 0;
}

}  // namespace tpp::ctl
