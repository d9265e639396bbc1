#include "tools/tppctl/members_command.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/string_view.h"
#include "tpp/v1/members.grpc.pb.h"

namespace tpp::ctl {
namespace {

using Clock = std::chrono::steady_clock;

// A TTY line can be redrawn often; a log file gets a line now and then.
constexpr auto kTtyRefresh = std::chrono::milliseconds(200);
constexpr auto kLogRefresh = std::chrono::seconds(2);

// The parser's errors start with "line N: "; the report prints the line
// itself.
std::string WithoutLinePrefix(absl::string_view message) {
  if (absl::StartsWith(message, "line ")) {
    const size_t colon = message.find(": ");
    if (colon != absl::string_view::npos) message.remove_prefix(colon + 2);
  }
  return std::string(message);
}

// Records sent, records/s and MB/s (of records on the wire) on stderr.
class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty), start_(Clock::now()) {
    last_ = start_;
  }

  void Update(int64_t records, int64_t bytes) {
    const Clock::time_point now = Clock::now();
    if (now - last_ <
        (tty_ ? Clock::duration(kTtyRefresh) : Clock::duration(kLogRefresh))) {
      return;
    }
    last_ = now;
    Print(now, records, bytes);
  }

  // The final figures, then a line end on a TTY.
  void Done(int64_t records, int64_t bytes) {
    Print(Clock::now(), records, bytes);
    if (tty_) std::fputc('\n', stderr);
    std::fflush(stderr);
  }

 private:
  void Print(Clock::time_point now, int64_t records, int64_t bytes) {
    const double seconds =
        std::max(1e-3, std::chrono::duration<double>(now - start_).count());
    std::fprintf(stderr, "%s%lld records sent, %.0f records/s, %.2f MB/s%s",
                 tty_ ? "\r" : "", static_cast<long long>(records),
                 static_cast<double>(records) / seconds,
                 static_cast<double>(bytes) / 1e6 / seconds,
                 tty_ ? "   " : "\n");
    std::fflush(stderr);
  }

  const bool tty_;
  const Clock::time_point start_;
  Clock::time_point last_;
};

void PrintSummary(const tpp::v1::ImportSummary& summary,
                  const MemberCsvReader& reader) {
  std::printf(
      "sent %lld records: %lld accepted, %lld rejected by the node; "
      "%lld rejected locally (not sent)\n",
      static_cast<long long>(reader.sent()),
      static_cast<long long>(summary.accepted()),
      static_cast<long long>(summary.rejected()),
      static_cast<long long>(reader.rejected()));
  for (const tpp::v1::ImportError& error : summary.errors()) {
    const int64_t line = reader.LineOf(error.index());
    if (line > 0) {
      std::printf("  rejected index %lld (line %lld): %s\n",
                  static_cast<long long>(error.index()),
                  static_cast<long long>(line), error.reason().c_str());
    } else {
      std::printf("  rejected index %lld: %s\n",
                  static_cast<long long>(error.index()),
                  error.reason().c_str());
    }
  }
  if (summary.rejected() > summary.errors_size()) {
    std::printf(
        "  ... and %lld more rejected by the node (not listed)\n",
        static_cast<long long>(summary.rejected() - summary.errors_size()));
  }
  for (const LocalRejection& rejection : reader.rejections()) {
    std::printf("  not sent, line %lld: %s\n",
                static_cast<long long>(rejection.line),
                rejection.reason.c_str());
  }
  const int64_t unlisted =
      reader.rejected() - static_cast<int64_t>(reader.rejections().size());
  if (unlisted > 0) {
    std::printf("  ... and %lld more not sent (not listed)\n",
                static_cast<long long>(unlisted));
  }
}

}  // namespace

absl::StatusOr<bool> MemberCsvReader::Next(tpp::v1::MemberRecord* record) {
  MemberCsvRow row;
  while (true) {
    absl::StatusOr<bool> got = parser_.Next(&row);
    if (!got.ok()) {
      if (parser_.failed()) return got.status();
      Reject(parser_.record_line(), WithoutLinePrefix(got.status().message()));
      continue;
    }
    if (*got) {
      absl::StatusOr<tpp::v1::MemberRecord> converted =
          MemberRecordFromCsv(row);
      if (!converted.ok()) {
        Reject(parser_.record_line(),
               std::string(converted.status().message()));
        continue;
      }
      Track(parser_.record_line());
      *record = *std::move(converted);
      ++sent_;
      return true;
    }
    if (finished_) return false;
    chunk_.resize(kImportChunkBytes);
    in_->read(chunk_.data(), static_cast<std::streamsize>(chunk_.size()));
    if (in_->bad()) return absl::DataLossError("cannot read the file");
    const std::streamsize read = in_->gcount();
    bytes_read_ += read;
    parser_.Feed(absl::string_view(chunk_.data(), static_cast<size_t>(read)));
    if (!in_->good()) {
      parser_.Finish();
      finished_ = true;
    }
  }
}

int64_t MemberCsvReader::LineOf(int64_t index) const {
  if (index < 0 || index >= sent_) return 0;
  if (lines_known_until_ >= 0 && index >= lines_known_until_) return 0;
  auto after = std::upper_bound(
      anchors_.begin(), anchors_.end(), index,
      [](int64_t i, const Anchor& anchor) { return i < anchor.index; });
  if (after == anchors_.begin()) return 0;
  const Anchor& anchor = *(after - 1);
  return anchor.line + (index - anchor.index);
}

void MemberCsvReader::Reject(int64_t line, std::string reason) {
  ++rejected_;
  if (listed_.size() < kLocalRejectionsListedMax) {
    listed_.push_back({line, std::move(reason)});
  }
}

// Most records start on the line after the previous one's: only the others
// are remembered.
void MemberCsvReader::Track(int64_t line) {
  if (lines_known_until_ >= 0) return;
  if (!anchors_.empty()) {
    const Anchor& last = anchors_.back();
    if (last.line + (sent_ - last.index) == line) return;
  }
  if (anchors_.size() >= kLineAnchorsMax) {
    lines_known_until_ = sent_;
    return;
  }
  anchors_.push_back({sent_, line});
}

int RunMembersImport(const ClientOptions& options,
                     const std::string& csv_path) {
  std::ifstream in(csv_path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "tppctl: cannot read %s\n", csv_path.c_str());
    return 2;
  }
  MemberCsvReader reader(&in);
  tpp::v1::MemberRecord record;
  // The header is checked before the call starts.
  absl::StatusOr<bool> got = reader.Next(&record);
  if (!got.ok()) {
    std::fprintf(stderr, "tppctl: %s: %s\n", csv_path.c_str(),
                 std::string(got.status().message()).c_str());
    return 2;
  }

  auto stub = tpp::v1::MemberService::NewStub(Connect(options, options.target));
  grpc::ClientContext ctx;
  // The node's own stream deadline (--stream_deadline_ms) may be shorter.
  ctx.set_deadline(std::chrono::system_clock::now() +
                   std::chrono::milliseconds(std::max<int64_t>(
                       options.timeout_ms, kImportDeadlineMinMs)));
  tpp::v1::ImportSummary summary;
  auto writer = stub->ImportMembers(&ctx, &summary);
  Progress progress(isatty(STDERR_FILENO) == 1);
  int64_t bytes_sent = 0;
  absl::Status read_error;
  while (*got) {
    bytes_sent += static_cast<int64_t>(record.ByteSizeLong());
    // A false Write means the call is over: Finish() tells why.
    if (!writer->Write(record, grpc::WriteOptions().set_buffer_hint())) break;
    progress.Update(reader.sent(), bytes_sent);
    got = reader.Next(&record);
    if (!got.ok()) {
      read_error = got.status();
      ctx.TryCancel();
      break;
    }
  }
  writer->WritesDone();
  const grpc::Status status = writer->Finish();
  progress.Done(reader.sent(), bytes_sent);
  if (!read_error.ok()) {
    std::fprintf(stderr,
                 "tppctl: %s: %s; import cancelled after %lld records\n",
                 csv_path.c_str(), std::string(read_error.message()).c_str(),
                 static_cast<long long>(reader.sent()));
    return 2;
  }
  if (!status.ok()) {
    std::fprintf(stderr,
                 "tppctl: import failed: %s (%lld records sent; those the "
                 "node took before the failure may be stored)\n",
                 Describe(status).c_str(),
                 static_cast<long long>(reader.sent()));
    return 2;
  }
  PrintSummary(summary, reader);
  if (summary.accepted() + summary.rejected() != reader.sent()) {
    std::printf("the node counted %lld records, %lld were sent\n",
                static_cast<long long>(summary.accepted() + summary.rejected()),
                static_cast<long long>(reader.sent()));
    return 1;
  }
  return summary.rejected() == 0 && reader.rejected() == 0 ? 0 : 1;
}

}  // namespace tpp::ctl
