// A data directory that becomes full or read-only under load: writes fail
// with UNAVAILABLE and tppd logs it (storage_write_failed), reads go on,
// writes resume without a restart once the disk is writable again
// (storage_writable), and nothing acknowledged is lost: the node is then
// killed with SIGKILL and restarted, and the crash harness checks every
// acknowledged claim, the ceilings and the ledger.
//
// Two ways to break the disk:
//   - a real tmpfs mounted on the data directory (root only) and filled by
//     a filler file; skipped, with the reason, where mount(2) is refused;
//   - tppd's test flag --test_fault_file (storage/fault_fs.h): the disk
//     answers ENOSPC or EROFS on demand; deterministic, runs everywhere.
//     (A real read-only remount is refused with EBUSY while RocksDB holds
//     files open for writing, so read-only is only injected.)
#include <sys/mount.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/support/claim_client.h"
#include "tests/support/crash_harness.h"
#include "tests/support/member_client.h"
#include "tests/support/rpc_details.h"
#include "tests/support/tppd_process.h"
#include "tpp/v1/isolation.grpc.pb.h"

namespace tpp::testing {
namespace {

using tpp::v1::ClaimService;
using tpp::v1::EligibilityService;
using tpp::v1::MemberService;

constexpr char kInsurer[] = "insurer/100000001";
constexpr char kProvider[] = "provider/750100001";
constexpr int kMembers = 50;
constexpr int kLoadThreads = 4;
constexpr int64_t kCeilingCents = 10000000;

// Claims from a few threads, until stopped: counts successes and each
// failure code; every success is recorded by the harness.
class ClaimLoad {
 public:
  ClaimLoad(CrashHarness* harness,
            const std::vector<tpp::v1::MemberRecord>* members)
      : harness_(harness), members_(members) {
    for (int t = 0; t < kLoadThreads; ++t) {
      threads_.emplace_back([this, t] { Run(t); });
    }
  }
  ~ClaimLoad() { Stop(); }

  void Stop() {
    stop_ = true;
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }
  int ok() const { return ok_.load(); }
  int failed() const { return failed_.load(); }
  // Every failure code but UNAVAILABLE, with a count.
  std::map<int, int> other_failures() const {
    absl::MutexLock lock(&mu_);
    return other_;
  }
  // Waits until `pred()` holds (polled); false after `timeout`.
  template <typename Pred>
  static bool WaitFor(Pred pred, absl::Duration timeout) {
    const absl::Time deadline = absl::Now() + timeout;
    while (absl::Now() < deadline) {
      if (pred()) return true;
      absl::SleepFor(absl::Milliseconds(10));
    }
    return pred();
  }

 private:
  void Run(int t) {
    auto stub = ClaimService::NewStub(harness_->server().Channel(kProvider));
    for (int i = 0; !stop_; ++i) {
      tpp::v1::Claim claim;
      grpc::Status status =
          Submit(stub.get(),
                 PharmacyClaim((*members_)[(t * 13 + i) % kMembers],
                               absl::StrCat("D-", t, "-", i),
                               absl::StrCat("A", t, "-", i), 1000, 1000, 700),
                 &claim);
      if (status.ok()) {
        harness_->AckClaim(claim);
        ++ok_;
        // Paced: the checks after the restart read every claim back.
        absl::SleepFor(absl::Milliseconds(5));
        continue;
      }
      ++failed_;
      if (status.error_code() != grpc::StatusCode::UNAVAILABLE) {
        absl::MutexLock lock(&mu_);
        ++other_[status.error_code()];
      }
      absl::SleepFor(absl::Milliseconds(2));
    }
  }

  CrashHarness* harness_;
  const std::vector<tpp::v1::MemberRecord>* members_;
  std::atomic<bool> stop_{false};
  std::atomic<int> ok_{0};
  std::atomic<int> failed_{0};
  mutable absl::Mutex mu_;
  std::map<int, int> other_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

class DiskFaultsTest : public ::testing::Test {
 protected:
  // Contract and members, on a started node.
  void Populate(CrashHarness* harness) {
    auto insurer = MemberService::NewStub(harness->server().Channel(kInsurer));
    ASSERT_TRUE(ImportCoveredMembers(insurer.get(), kCeilingCents, kMembers,
                                     harness->seed(), &members_)
                    .ok());
  }

  // While writes fail, reads that hold no personal data go on (the
  // isolation state); a read of personal data cannot have its audit record
  // written, so it is refused UNAVAILABLE / AUDIT_UNAVAILABLE: nothing
  // leaves unaudited (issue #7 wins over "reads go on").
  void ExpectReadsGoOn(CrashHarness* harness) {
    auto claims = harness->acknowledged_claims();
    ASSERT_FALSE(claims.empty());
    auto isolation = tpp::v1::IsolationService::NewStub(
        harness->server().Channel("operator/alice", TppdProcess::Port::kAdmin));
    grpc::ClientContext ctx;
    tpp::v1::IsolationStatus state;
    grpc::Status status =
        isolation->GetIsolation(&ctx, tpp::v1::GetIsolationRequest(), &state);
    EXPECT_TRUE(status.ok()) << status.error_message();
    auto reader = ClaimService::NewStub(harness->server().Channel(kProvider));
    tpp::v1::Claim got;
    grpc::Status read = Get(reader.get(), claims.begin()->first, &got);
    EXPECT_EQ(read.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ErrorReason(read), "AUDIT_UNAVAILABLE");
    EXPECT_TRUE(got.claim_id().empty());  // nothing left
    auto eligibility =
        EligibilityService::NewStub(harness->server().Channel(kProvider));
    tpp::v1::CheckEligibilityResponse answer;
    grpc::Status check =
        Check(eligibility.get(), PharmacyCheck(members_[0]), &answer);
    EXPECT_EQ(check.error_code(), grpc::StatusCode::UNAVAILABLE);
    EXPECT_EQ(ErrorReason(check), "AUDIT_UNAVAILABLE");
  }

  // One outage: `breaks` the disk, waits for UNAVAILABLE, checks reads and
  // the log line, `repairs` it, waits for writes to succeed again.
  // With `restart_needed`, the repair must instead bring the log line
  // storage_restart_required, and writes keep failing until the restart.
  template <typename Break, typename Repair>
  void Outage(CrashHarness* harness, ClaimLoad* load, Break breaks,
              Repair repairs, absl::Duration fail_within,
              bool restart_needed = false) {
    TppdProcess& server = harness->server();
    const int failed_before = load->failed();
    const size_t log_failed_before =
        Count(server.Stderr(), "storage_write_failed");
    const size_t log_ok_before = Count(server.Stderr(), "\"storage_writable\"");
    breaks();
    ASSERT_TRUE(ClaimLoad::WaitFor(
        [&] { return load->failed() > failed_before + 20; }, fail_within))
        << "writes never failed";
    // Failing now: nothing succeeds for a while.
    const int ok_while_failing = load->ok();
    absl::SleepFor(absl::Milliseconds(200));
    EXPECT_EQ(load->ok(), ok_while_failing) << "a write got through";
    ExpectReadsGoOn(harness);
    EXPECT_EQ(Count(server.Stderr(), "storage_write_failed"),
              log_failed_before + 1)
        << server.Stderr();
    repairs();
    if (restart_needed) {
      ASSERT_TRUE(ClaimLoad::WaitFor(
          [&] {
            return Count(server.Stderr(), "storage_restart_required") == 1;
          },
          absl::Seconds(10)))
          << server.Stderr();
      const int ok_after_repair = load->ok();
      absl::SleepFor(absl::Milliseconds(200));
      EXPECT_EQ(load->ok(), ok_after_repair);
      return;
    }
    const int ok_before_repair = load->ok();
    const absl::Time repaired = absl::Now();
    ASSERT_TRUE(ClaimLoad::WaitFor(
        [&] { return load->ok() > ok_before_repair + 20; }, absl::Seconds(10)))
        << "writes did not resume: " << server.Stderr();
    std::cout << "writes resumed "
              << absl::ToInt64Milliseconds(absl::Now() - repaired)
              << " ms after the repair\n";
    EXPECT_EQ(Count(server.Stderr(), "\"storage_writable\""),
              log_ok_before + 1);
  }

  // Ends with SIGKILL and a restart: everything acknowledged is there.
  void KillAndCheck(CrashHarness* harness) {
    harness->KillAfter(absl::ZeroDuration());
    ASSERT_TRUE(harness->RestartAfterKill().ok());
    EXPECT_TRUE(harness->CheckAcknowledgedClaims());
    EXPECT_TRUE(
        harness->CheckCeilings(members_, kCeilingCents, kInsurer, kProvider));
    EXPECT_TRUE(harness->CheckLedger());
    // And writes work after the restart.
    auto claims = ClaimService::NewStub(harness->server().Channel(kProvider));
    tpp::v1::Claim claim;
    grpc::Status status = Submit(
        claims.get(),
        PharmacyClaim(members_[1], "AFTER", "AFTER", 1000, 1000, 700), &claim);
    EXPECT_TRUE(status.ok()) << status.error_message();
  }

  static size_t Count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + 1)) {
      ++n;
    }
    return n;
  }

  std::vector<tpp::v1::MemberRecord> members_;
};

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::trunc) << text;
}

// Full: writes resume without a restart. Read-only: a restart recovers.
TEST_F(DiskFaultsTest, InjectedFullThenReadOnlyDiskUnderLoad) {
  const std::string control = std::filesystem::temp_directory_path() /
                              absl::StrCat("tpp-fault-", ::getpid(), "-",
                                           absl::ToUnixNanos(absl::Now()));
  WriteFile(control, "");
  CrashHarness harness({"--test_fault_file=" + control, "--rate_per_s=1000000",
                        "--rate_burst=1000000"});
  ASSERT_TRUE(harness.server().Start().ok());
  Populate(&harness);
  ClaimLoad load(&harness, &members_);
  ASSERT_TRUE(
      ClaimLoad::WaitFor([&] { return load.ok() > 100; }, absl::Seconds(20)));
  Outage(
      &harness, &load, [&] { WriteFile(control, "nospace"); },
      [&] { WriteFile(control, ""); }, absl::Seconds(5));
  // RocksDB holds a WAL write refused by a read-only file system fatal:
  // once the disk is writable again, tppd says a restart is needed, and
  // the restart (a SIGKILL here, the harshest) recovers.
  Outage(
      &harness, &load, [&] { WriteFile(control, "readonly"); },
      [&] { WriteFile(control, ""); }, absl::Seconds(5),
      /*restart_needed=*/true);
  load.Stop();
  std::cout << load.ok() << " claims acknowledged, " << load.failed()
            << " refused\n";
  EXPECT_TRUE(load.other_failures().empty())
      << "a failure other than UNAVAILABLE, code "
      << load.other_failures().begin()->first;
  KillAndCheck(&harness);
  harness.server().Stop();
  std::remove(control.c_str());
}

// A tmpfs on the data directory, unmounted (lazily) on the way out.
class TmpfsMount {
 public:
  TmpfsMount(const std::string& dir, const std::string& size) : dir_(dir) {
    std::filesystem::create_directories(dir);
    const std::string options = "size=" + size + ",mode=0700";
    if (::mount("tpp-test", dir.c_str(), "tmpfs", 0, options.c_str()) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (error_.empty()) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string error_;
};

// Fills `dir`'s file system but `leave_bytes`; returns the filler's path.
std::string Fill(const std::string& dir, size_t leave_bytes,
                 const std::string& name) {
  const std::string path = dir + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return path;
  const std::string block(64 << 10, 'x');
  for (;;) {
    const auto space = std::filesystem::space(dir);
    if (space.available <= leave_bytes + block.size()) break;
    if (std::fwrite(block.data(), 1, block.size(), f) != block.size()) break;
    std::fflush(f);
  }
  std::fclose(f);
  return path;
}

TEST_F(DiskFaultsTest, RealTmpfsFillsUpUnderLoad) {
  CrashHarness harness({"--rate_per_s=1000000", "--rate_burst=1000000"});
  TmpfsMount mount(harness.server().data_dir(), "80m");
  if (!mount.error().empty()) {
    GTEST_SKIP() << "cannot mount a tmpfs here (" << mount.error()
                 << "): the injected test covers a full disk";
  }
  // Less free space than the 35 MB RocksDB preallocates for a WAL, so that
  // WAL appends need real space; RocksDB's recovery from a full disk waits
  // for 32 MB (a memtable) free, which removing both fillers gives back.
  const std::string base_filler =
      Fill(harness.server().data_dir(), 24 << 20, "base-filler");
  ASSERT_TRUE(harness.server().Start().ok());
  Populate(&harness);
  ClaimLoad load(&harness, &members_);
  ASSERT_TRUE(
      ClaimLoad::WaitFor([&] { return load.ok() > 100; }, absl::Seconds(20)));
  std::string filler;
  Outage(
      &harness, &load,
      [&] { filler = Fill(harness.server().data_dir(), 256 << 10, "filler"); },
      [&] {
        std::remove(filler.c_str());
        std::remove(base_filler.c_str());
      },
      absl::Seconds(30));
  load.Stop();
  std::cout << load.ok() << " claims acknowledged, " << load.failed()
            << " refused\n";
  EXPECT_TRUE(load.other_failures().empty())
      << "a failure other than UNAVAILABLE, code "
      << load.other_failures().begin()->first;
  KillAndCheck(&harness);
  harness.server().Kill();  // before the unmount
}

}  // namespace
}  // namespace tpp::testing
