#include "tools/tppctl/statement_command.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "tools/tppctl/statement_check.h"
#include "tools/tppctl/statement_format.h"
#include "tpp/v1/settlement.grpc.pb.h"

namespace tpp::ctl {
namespace {

// Where the statement goes: stdout, or a temporary file that becomes --out
// only once the statement is verified (Commit), removed otherwise.
class Output {
 public:
  Output() = default;
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;
  ~Output() {
    if (file_ != nullptr && file_ != stdout) std::fclose(file_);
    if (!temp_.empty()) ::unlink(temp_.c_str());
  }

  // False after printing why.
  bool Open(const std::string& path, bool force) {
    if (path.empty()) {
      file_ = stdout;
      return true;
    }
    path_ = path;
    force_ = force;
    struct stat st;
    if (!force && ::lstat(path.c_str(), &st) == 0) {
      std::fprintf(stderr,
                   "tppctl: %s exists; --force replaces it, or choose "
                   "another --out\n",
                   path.c_str());
      return false;
    }
    std::string temp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temp.data());  // mode 0600
    if (fd < 0) {
      std::fprintf(stderr, "tppctl: cannot create %s: %s\n", temp.c_str(),
                   std::strerror(errno));
      return false;
    }
    temp_ = temp;
    file_ = ::fdopen(fd, "w");
    if (file_ == nullptr) {
      ::close(fd);
      std::fprintf(stderr, "tppctl: cannot write %s\n", temp.c_str());
      return false;
    }
    return true;
  }

  std::FILE* file() const { return file_; }

  // Flushes, and for a file syncs it and gives it its name. False after
  // printing why.
  bool Commit() {
    if (std::fflush(file_) != 0 || std::ferror(file_) != 0) {
      std::fprintf(stderr, "tppctl: cannot write the statement: %s\n",
                   std::strerror(errno));
      return false;
    }
    if (file_ == stdout) return true;
    const bool synced = ::fsync(::fileno(file_)) == 0;
    const bool closed = std::fclose(file_) == 0;
    file_ = nullptr;
    if (!synced || !closed) {
      std::fprintf(stderr, "tppctl: cannot write %s: %s\n", temp_.c_str(),
                   std::strerror(errno));
      return false;
    }
    // Without --force, link() refuses a FILE made meanwhile.
    if (force_ ? ::rename(temp_.c_str(), path_.c_str()) != 0
               : ::link(temp_.c_str(), path_.c_str()) != 0) {
      std::fprintf(stderr, "tppctl: cannot create %s: %s\n", path_.c_str(),
                   std::strerror(errno));
      return false;
    }
    if (!force_) ::unlink(temp_.c_str());
    temp_.clear();
    return true;
  }

 private:
  std::FILE* file_ = nullptr;
  std::string path_;
  std::string temp_;  // removed unless committed
  bool force_ = false;
};

void PrintFigures(const char* who, int64_t lines, int64_t cents,
                  const std::string& digest) {
  std::fprintf(stderr, "  %-9s %lld lines, %s EUR (%lld cents), digest %s\n",
               who, static_cast<long long>(lines), FormatEuros(cents).c_str(),
               static_cast<long long>(cents), digest.c_str());
}

int Acknowledge(const ClientOptions& options,
                tpp::v1::SettlementService::Stub* stub,
                const std::string& settlement_id, const StatementCheck& check) {
  tpp::v1::AcknowledgeStatementRequest request;
  request.set_settlement_id(settlement_id);
  request.set_line_count(check.line_count());
  request.set_total_cents(check.total_cents());
  request.set_digest(check.digest());
  tpp::v1::AcknowledgeStatementResponse response;
  auto ctx = NewContext(options);
  grpc::Status rpc = stub->AcknowledgeStatement(ctx.get(), request, &response);
  if (!rpc.ok()) {
    std::fprintf(stderr, "tppctl: acknowledgement failed: %s\n",
                 Describe(rpc).c_str());
    return 2;
  }
  const bool matched = response.result() == tpp::v1::MATCHED;
  std::fprintf(stderr, "acknowledged %s: %s\n", settlement_id.c_str(),
               matched ? "MATCHED" : "DISCREPANCY");
  if (matched) return 0;
  PrintFigures("ours:", check.line_count(), check.total_cents(),
               check.digest());
  PrintFigures("platform:", response.expected_line_count(),
               response.expected_total_cents(), response.expected_digest());
  return 1;
}

}  // namespace

int RunStatementFetch(const ClientOptions& options,
                      const StatementFetch& fetch) {
  Output output;
  if (!output.Open(fetch.out, fetch.force)) return 2;
  absl::StatusOr<std::unique_ptr<StatementWriter>> writer =
      NewStatementWriter(fetch.format, output.file());
  if (!writer.ok()) {
    std::fprintf(stderr, "tppctl: %s\n",
                 std::string(writer.status().message()).c_str());
    return 2;
  }

  auto stub =
      tpp::v1::SettlementService::NewStub(Connect(options, options.target));
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(std::max<int64_t>(
                       options.timeout_ms, kStatementDeadlineMinMs)));
  tpp::v1::StreamStatementRequest request;
  request.set_settlement_id(fetch.settlement_id);
  auto reader = stub->StreamStatement(&ctx, request);

  StatementCheck check;
  tpp::v1::StatementChunk chunk;
  tpp::v1::StatementTrailer trailer;
  bool has_trailer = false;
  absl::Status broken;  // the stream cannot be verified
  (*writer)->Begin();
  while (broken.ok() && reader->Read(&chunk)) {
    if (has_trailer) {
      broken = absl::DataLossError("lines arrived after the trailer");
      break;
    }
    for (const tpp::v1::StatementLine& line : chunk.lines()) {
      broken = check.Add(line);
      if (!broken.ok()) break;
      (*writer)->Line(line);
    }
    if (chunk.has_trailer()) {
      has_trailer = true;
      trailer = chunk.trailer();
    }
  }
  if (!broken.ok()) ctx.TryCancel();
  const grpc::Status status = reader->Finish();
  if (!broken.ok()) {
    std::fprintf(stderr, "tppctl: statement %s cannot be verified: %s\n",
                 fetch.settlement_id.c_str(),
                 std::string(broken.message()).c_str());
    return 1;
  }
  if (!status.ok()) {
    std::fprintf(
        stderr, "tppctl: statement fetch failed after %lld lines: %s\n",
        static_cast<long long>(check.line_count()), Describe(status).c_str());
    return 2;
  }
  if (!has_trailer) {
    std::fprintf(stderr,
                 "tppctl: statement %s NOT VERIFIED: the stream ended "
                 "without a trailer after %lld lines\n",
                 fetch.settlement_id.c_str(),
                 static_cast<long long>(check.line_count()));
    return 1;
  }
  (*writer)->Trailer(trailer);
  if (absl::Status verified = check.Verify(trailer); !verified.ok()) {
    std::fprintf(stderr, "tppctl: statement %s NOT VERIFIED: %s\n",
                 fetch.settlement_id.c_str(),
                 std::string(verified.message()).c_str());
    PrintFigures("received:", check.line_count(), check.total_cents(),
                 check.digest());
    PrintFigures("trailer:", trailer.line_count(), trailer.total_cents(),
                 trailer.digest());
    return 1;
  }
  if (!output.Commit()) return 2;
  std::fprintf(
      stderr,
      "statement %s: %lld lines, total %s EUR (%lld cents), "
      "digest %s: verified against the trailer%s%s\n",
      fetch.settlement_id.c_str(), static_cast<long long>(check.line_count()),
      FormatEuros(check.total_cents()).c_str(),
      static_cast<long long>(check.total_cents()), check.digest().c_str(),
      fetch.out.empty() ? "" : "; written to ", fetch.out.c_str());
  if (!fetch.acknowledge) return 0;
  return Acknowledge(options, stub.get(), fetch.settlement_id, check);
}

}  // namespace tpp::ctl
