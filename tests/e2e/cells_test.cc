// The multi-cell deployment on loopback: three tppd cells, each serving one
// insurer, behind HAProxy (Debian's, configured by
// tools/cells/render-haproxy.py from a cell map), and `tppctl --cells`
// fanning operator commands out to them.
// - insurers load their members and providers submit claims through the
//   edge; each claim lands in the cell of its insurer, under the provider's
//   own identity (forwarded by the edge from the client certificate);
// - calls without x-tpp-insurer, or for an insurer no cell serves, are
//   refused by the edge with a gRPC error; a client cannot forge the
//   forwarded certificate;
// - `tppctl --cells` reports status, settles and isolates every cell; with
//   a cell stopped, it reports that cell failed and exits non-zero.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/member_client.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/isolation.grpc.pb.h"
#include "tpp/v1/settlement.grpc.pb.h"

#ifndef TPPCTL_PATH
#error "TPPCTL_PATH must name the tppctl binary"
#endif

extern char** environ;

namespace tpp::testing {
namespace {

constexpr char kHaproxy[] = "/usr/sbin/haproxy";
constexpr char kProvider[] = "provider/750100001";
constexpr char kContract[] = "GOLD-2026";

struct CellSpec {
  std::string name;
  std::string insurer;
};
const CellSpec kCells[] = {
    {"cell-a", "100000001"}, {"cell-b", "100000002"}, {"cell-c", "100000003"}};

// Adds x-tpp-insurer to every call, as tpp's clients do behind the edge.
class InsurerHeader final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit InsurerHeader(std::string insurer) : insurer_(std::move(insurer)) {}
  grpc::Status GetMetadata(
      grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
      std::multimap<grpc::string, grpc::string>* metadata) override {
    metadata->insert({"x-tpp-insurer", insurer_});
    return grpc::Status::OK;
  }

 private:
  std::string insurer_;
};

int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t length = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool Accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  const bool ok =
      ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  ::close(fd);
  return ok;
}

// Runs `args`, stdout and stderr to files; returns the exit code.
int Spawn(const std::vector<std::string>& args, const std::string& out,
          const std::string& err, pid_t* background = nullptr) {
  std::vector<char*> argv;
  for (const std::string& arg : args)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid = -1;
  const int spawned =
      posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return -1;
  if (background != nullptr) {
    *background = pid;
    return 0;
  }
  int wstatus = 0;
  if (waitpid(pid, &wstatus, 0) != pid || !WIFEXITED(wstatus)) return -1;
  return WEXITSTATUS(wstatus);
}

struct Output {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CellsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(kHaproxy, X_OK) != 0) {
      GTEST_SKIP() << kHaproxy
                   << " is missing: tools/setup.sh installs Debian's haproxy";
    }
    std::string pattern =
        (std::filesystem::temp_directory_path() / "tpp-cells-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    const std::string certs = TestCerts::Get().dir();
    // HAProxy wants each certificate followed by its key in one file.
    Concat({certs + "/server.pem", certs + "/server.key"},
           dir_ + "/frontend.pem");
    Concat({certs + "/edge-haproxy.pem", certs + "/edge-haproxy.key"},
           dir_ + "/edge.pem");

    std::string json = "{\"cells\": [";
    for (const CellSpec& spec : kCells) {
      auto cell = std::make_unique<TppdProcess>(std::vector<std::string>{
          "--trusted_proxy_identity=spiffe://tpp.local/edge/haproxy"});
      ASSERT_TRUE(cell->Start().ok()) << cell->Stderr();
      absl::StrAppend(&json, cells_.empty() ? "" : ",", "{\"name\": \"",
                      spec.name, "\", \"external\": \"127.0.0.1:", cell->port(),
                      "\", \"admin\": \"127.0.0.1:", cell->admin_port(),
                      "\", \"insurers\": [\"", spec.insurer, "\"]}");
      cells_.push_back(std::move(cell));
    }
    json += "]}\n";
    cell_map_ = dir_ + "/cells.json";
    std::ofstream(cell_map_) << json;

    edge_port_ = FreeLoopbackPort();
    const std::string cfg = dir_ + "/haproxy.cfg";
    ASSERT_EQ(
        Spawn({"/usr/bin/python3",
               std::string(TPP_SOURCE_DIR) + "/tools/cells/render-haproxy.py",
               "--cells", cell_map_, "--bind",
               absl::StrCat("127.0.0.1:", edge_port_), "--frontend_cert",
               dir_ + "/frontend.pem", "--ca", certs + "/ca.pem",
               "--client_cert", dir_ + "/edge.pem", "--out", cfg},
              dir_ + "/render.out", dir_ + "/render.err"),
        0)
        << ReadFileOrEmpty(dir_ + "/render.err");
    ASSERT_EQ(Spawn({kHaproxy, "-db", "-f", cfg}, dir_ + "/haproxy.out",
                    dir_ + "/haproxy.err", &haproxy_),
              0);
    const absl::Time deadline = absl::Now() + absl::Seconds(20);
    while (!Accepts(edge_port_) && absl::Now() < deadline) {
      int wstatus = 0;
      if (::waitpid(haproxy_, &wstatus, WNOHANG) == haproxy_) {
        haproxy_ = -1;
        break;
      }
      absl::SleepFor(absl::Milliseconds(20));
    }
    ASSERT_TRUE(Accepts(edge_port_)) << ReadFileOrEmpty(dir_ + "/haproxy.err");
  }

  void TearDown() override {
    if (haproxy_ > 0) {
      ::kill(haproxy_, SIGTERM);
      int wstatus = 0;
      ::waitpid(haproxy_, &wstatus, 0);
    }
    cells_.clear();
    if (!dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(dir_, ignored);
    }
  }

  static void Concat(const std::vector<std::string>& parts,
                     const std::string& out) {
    std::ofstream file(out, std::ios::trunc);
    for (const std::string& part : parts) file << ReadFileOrEmpty(part);
  }

  // A channel through the edge as `identity`, every call naming `insurer`
  // (none when empty).
  std::shared_ptr<grpc::Channel> Edge(const std::string& identity,
                                      const std::string& insurer) {
    std::shared_ptr<grpc::ChannelCredentials> credentials =
        TestCerts::Get().Credentials(identity);
    if (!insurer.empty()) {
      credentials = grpc::CompositeChannelCredentials(
          credentials, grpc::MetadataCredentialsFromPlugin(
                           std::make_unique<InsurerHeader>(insurer)));
    }
    grpc::ChannelArguments args;
    args.SetSslTargetNameOverride("localhost");
    args.SetInt("tpp.test.channel", static_cast<int>(::random()));
    return grpc::CreateCustomChannel(absl::StrCat("127.0.0.1:", edge_port_),
                                     credentials, args);
  }

  Output Tppctl(std::vector<std::string> command) {
    std::vector<std::string> args = {TPPCTL_PATH,
                                     "--cells",
                                     cell_map_,
                                     "--tls_dir",
                                     TestCerts::Get().dir(),
                                     "--identity",
                                     "operator/alice",
                                     "--timeout_ms",
                                     "5000"};
    args.insert(args.end(), command.begin(), command.end());
    Output run;
    run.exit_code = Spawn(args, dir_ + "/ctl.out", dir_ + "/ctl.err");
    run.out = ReadFileOrEmpty(dir_ + "/ctl.out");
    run.err = ReadFileOrEmpty(dir_ + "/ctl.err");
    return run;
  }

  // Each insurer, through the edge, loads a contract and `count` members.
  std::map<std::string, std::vector<tpp::v1::MemberRecord>> LoadMembers(
      int count) {
    std::map<std::string, std::vector<tpp::v1::MemberRecord>> members;
    uint64_t seed = 11;
    for (const CellSpec& spec : kCells) {
      auto stub = tpp::v1::MemberService::NewStub(
          Edge("insurer/" + spec.insurer, spec.insurer));
      grpc::Status put = PutPharmacyContract(stub.get(), kContract, 20000, 0);
      EXPECT_TRUE(put.ok()) << spec.name << ": " << put.error_message();
      members[spec.insurer] = CoveredMembers(count, seed++, kContract);
      tpp::v1::ImportSummary summary;
      grpc::Status imported =
          ImportMembers(stub.get(), members[spec.insurer], &summary);
      EXPECT_TRUE(imported.ok())
          << spec.name << ": " << imported.error_message();
    }
    return members;
  }

  std::string dir_;
  std::string cell_map_;
  std::vector<std::unique_ptr<TppdProcess>> cells_;
  int edge_port_ = 0;
  pid_t haproxy_ = -1;
};

TEST_F(CellsTest, ClaimsLandInTheCellOfTheirInsurer) {
  auto members = LoadMembers(2);
  std::map<std::string, std::string> claim_of;  // insurer -> claim id
  for (const CellSpec& spec : kCells) {
    auto claims = tpp::v1::ClaimService::NewStub(Edge(kProvider, spec.insurer));
    tpp::v1::SubmitClaimRequest request = PharmacyClaim(
        members[spec.insurer][0], "F-" + spec.insurer, "PH7", 5500, 2300, 1610);
    request.set_insurer_id(spec.insurer);
    tpp::v1::Claim claim;
    grpc::Status status = Submit(claims.get(), request, &claim);
    ASSERT_TRUE(status.ok()) << spec.name << ": " << status.error_message();
    EXPECT_EQ(claim.status(), tpp::v1::APPROVED) << spec.name;
    // The cell saw the provider, not the edge router.
    EXPECT_EQ(claim.provider_id(), "750100001");
    claim_of[spec.insurer] = claim.claim_id();
  }
  // Asked directly, each cell holds exactly its insurer's claim.
  for (size_t i = 0; i < cells_.size(); ++i) {
    auto direct = tpp::v1::ClaimService::NewStub(cells_[i]->Channel(kProvider));
    std::vector<tpp::v1::Claim> listed;
    ASSERT_TRUE(List(direct.get(), {}, &listed).ok());
    ASSERT_EQ(listed.size(), 1u) << kCells[i].name;
    EXPECT_EQ(listed[0].claim_id(), claim_of[kCells[i].insurer]);
    EXPECT_EQ(listed[0].insurer_id(), kCells[i].insurer);
    for (const CellSpec& other : kCells) {
      if (other.insurer == kCells[i].insurer) continue;
      tpp::v1::Claim got;
      EXPECT_EQ(Get(direct.get(), claim_of[other.insurer], &got).error_code(),
                grpc::StatusCode::NOT_FOUND);
    }
  }
}

TEST_F(CellsTest, TppctlInsurerCommandsGoThroughTheEdge) {
  // tppctl sets x-tpp-insurer for an insurer identity.
  const std::string file = dir_ + "/contracts.jsonl";
  std::ofstream(file) << R"({"contract_id":"SILVER-2026","guarantees":)"
                      << R"([{"category":"OPTICAL","rate_bp":10000}]})"
                      << "\n";
  std::vector<std::string> args = {TPPCTL_PATH,
                                   "--target",
                                   absl::StrCat("127.0.0.1:", edge_port_),
                                   "--tls_dir",
                                   TestCerts::Get().dir(),
                                   "--identity",
                                   "insurer/100000002",
                                   "contracts",
                                   "put",
                                   "--file",
                                   file};
  ASSERT_EQ(Spawn(args, dir_ + "/ctl.out", dir_ + "/ctl.err"), 0)
      << ReadFileOrEmpty(dir_ + "/ctl.out")
      << ReadFileOrEmpty(dir_ + "/ctl.err");
  // The contract is in cell-b: a member of it imports there, directly.
  auto direct =
      tpp::v1::MemberService::NewStub(cells_[1]->Channel("insurer/100000002"));
  tpp::v1::ImportSummary summary;
  ASSERT_TRUE(
      ImportMembers(direct.get(), CoveredMembers(1, 3, "SILVER-2026"), &summary)
          .ok());
  EXPECT_EQ(summary.accepted(), 1);
  EXPECT_EQ(summary.rejected(), 0);
}

TEST_F(CellsTest, TheEdgeRefusesCallsItCannotRoute) {
  auto check = [](const std::shared_ptr<grpc::Channel>& channel,
                  tpp::v1::CheckEligibilityResponse* response) {
    auto stub = tpp::v1::EligibilityService::NewStub(channel);
    tpp::v1::CheckEligibilityRequest request;
    request.set_insurer_id("100000001");
    return Check(stub.get(), request, response);
  };
  tpp::v1::CheckEligibilityResponse response;
  grpc::Status missing = check(Edge(kProvider, ""), &response);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(missing.error_message(), "x-tpp-insurer"))
      << missing.error_message();
  EXPECT_EQ(ErrorReason(missing), "INSURER_HEADER_MISSING");
  grpc::Status unknown = check(Edge(kProvider, "999999999"), &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ErrorReason(unknown), "INSURER_NOT_ROUTED");
}

// The forwarded-certificate header a client sends is replaced by the edge:
// a provider claiming an insurer's certificate stays a provider.
class ForgedHeader final : public grpc::MetadataCredentialsPlugin {
 public:
  explicit ForgedHeader(std::string cert) : cert_(std::move(cert)) {}
  grpc::Status GetMetadata(
      grpc::string_ref, grpc::string_ref, const grpc::AuthContext&,
      std::multimap<grpc::string, grpc::string>* metadata) override {
    metadata->insert({"x-tpp-insurer", "100000001"});
    metadata->insert({"x-tpp-client-cert", cert_});
    return grpc::Status::OK;
  }

 private:
  std::string cert_;
};

TEST_F(CellsTest, AClientCannotForgeTheForwardedCertificate) {
  // The insurer's certificate as HAProxy would forward it (DER, base64).
  const std::string der = dir_ + "/insurer.der";
  ASSERT_EQ(Spawn({"/usr/bin/openssl", "x509", "-in",
                   TestCerts::Get().dir() + "/insurer-100000001.pem",
                   "-outform", "DER", "-out", der},
                  dir_ + "/o.out", dir_ + "/o.err"),
            0);
  ASSERT_EQ(Spawn({"/usr/bin/base64", "-w0", der}, dir_ + "/b64", dir_ + "/e"),
            0);
  auto credentials = grpc::CompositeChannelCredentials(
      TestCerts::Get().Credentials(kProvider),
      grpc::MetadataCredentialsFromPlugin(
          std::make_unique<ForgedHeader>(ReadFileOrEmpty(dir_ + "/b64"))));
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride("localhost");
  auto stub = tpp::v1::SettlementService::NewStub(grpc::CreateCustomChannel(
      absl::StrCat("127.0.0.1:", edge_port_), credentials, args));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  tpp::v1::ListSettlementsResponse response;
  // ListSettlements is for insurers and operators: a provider is refused.
  EXPECT_EQ(stub->ListSettlements(&ctx, {}, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(CellsTest, TppctlFansOutAndReportsEveryCell) {
  LoadMembers(1);
  Output run = Tppctl({"status"});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "== cells: 3 of 3 ok")) << run.out;

  run = Tppctl({"settle", "--cutoff", TodayUtc()});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
  for (const CellSpec& spec : kCells) {
    EXPECT_TRUE(absl::StrContains(run.out, "== cell " + spec.name)) << run.out;
    EXPECT_TRUE(absl::StrContains(run.out, "insurer_id: " + spec.insurer))
        << run.out;
  }

  run = Tppctl({"isolate", "--scope", "platform", "--reason", "INC-7 drill"});
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_TRUE(absl::StrContains(run.out, "== cells: 3 of 3 ok")) << run.out;
  for (size_t i = 0; i < cells_.size(); ++i) {
    auto iso = tpp::v1::IsolationService::NewStub(
        cells_[i]->Channel("operator/bob", TppdProcess::Port::kAdmin));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(10));
    tpp::v1::IsolationStatus status;
    ASSERT_TRUE(iso->GetIsolation(&ctx, {}, &status).ok());
    bool platform_isolated = false;
    for (const auto& scope : status.scopes()) {
      platform_isolated |= scope.scope().kind() == tpp::v1::PLATFORM &&
                           scope.state() == tpp::v1::ISOLATED;
    }
    EXPECT_TRUE(platform_isolated) << kCells[i].name;
    EXPECT_TRUE(absl::StrContains(run.out, "  " + kCells[i].name)) << run.out;
  }
  // Through the edge, every cell now refuses the outside.
  for (const CellSpec& spec : kCells) {
    auto stub =
        tpp::v1::EligibilityService::NewStub(Edge(kProvider, spec.insurer));
    tpp::v1::CheckEligibilityRequest request;
    request.set_insurer_id(spec.insurer);
    tpp::v1::CheckEligibilityResponse response;
    grpc::Status refused = Check(stub.get(), request, &response);
    EXPECT_EQ(refused.error_code(), grpc::StatusCode::UNAVAILABLE) << spec.name;
    EXPECT_EQ(ErrorReason(refused), "PLATFORM_ISOLATED") << spec.name;
  }
}

TEST_F(CellsTest, ACellThatDoesNotAnswerIsReportedFailed) {
  ASSERT_EQ(cells_[1]->Stop(), 0);
  Output run = Tppctl(
      {"isolate", "--scope", "insurer:100000001", "--reason", "cell-b down"});
  EXPECT_NE(run.exit_code, 0) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "== cells: 2 of 3 ok")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "cell-b           FAILED")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "cell-a           ok")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "cell-c           ok")) << run.out;
  EXPECT_TRUE(absl::StrContains(run.err, "cell cell-b failed")) << run.err;

  run = Tppctl({"status"});
  EXPECT_EQ(run.exit_code, 1) << run.out;
  EXPECT_TRUE(absl::StrContains(run.out, "cell-b           FAILED")) << run.out;

  // Commands that work on one node refuse --cells rather than ignore it.
  run = Tppctl({"isolation", "status"});
  EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
}

}  // namespace
}  // namespace tpp::testing
