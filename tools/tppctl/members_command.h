// `tppctl members import --csv FILE`: streams an insurer's member import CSV
// (services/members/member_csv.h) to MemberService.ImportMembers and prints
// the summary. Rows are converted by MemberRecordFromCsv
// (services/members/member_record_csv.h), shared with tpp-bench and the
// tests so that all of them send the same records for the same file.
//
// Nothing it prints holds a value from the file: rejections name the record,
// its line and the reason only (the file holds NIRs, names, birth dates).
#ifndef TPP_TOOLS_TPPCTL_MEMBERS_COMMAND_H_
#define TPP_TOOLS_TPPCTL_MEMBERS_COMMAND_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "services/members/member_csv.h"
#include "services/members/member_record_csv.h"
#include "tools/tppctl/client.h"
#include "tpp/v1/members.pb.h"

namespace tpp::ctl {

inline constexpr size_t kImportChunkBytes = 1 << 20;
// Local rejections kept for the report; the count goes on past it.
inline constexpr size_t kLocalRejectionsListedMax = 1000;
// Records whose line does not follow from the previous one's (the first,
// those after a skipped or multi-line record); past it, lines are unknown.
inline constexpr size_t kLineAnchorsMax = 1 << 20;
// Big files take long: the import's deadline is at least this.
inline constexpr int64_t kImportDeadlineMinMs = 60 * 60 * 1000;

// A record the client did not send: the CSV parser or MemberRecordFromCsv
// refused it.
struct LocalRejection {
  int64_t line = 0;  // 1-based line where the record starts
  std::string reason;
};

// Reads MemberRecords out of an import CSV, chunk by chunk, and remembers
// what the report needs: the line of each record returned (to locate the
// server's rejections, which are indexed by stream position) and the
// records rejected locally.
//
// Thread-compatible: one thread at a time.
class MemberCsvReader {
 public:
  // REQUIRES: `in` outlives the reader.
  explicit MemberCsvReader(std::istream* in) : in_(in) {}
  MemberCsvReader(const MemberCsvReader&) = delete;
  MemberCsvReader& operator=(const MemberCsvReader&) = delete;

  //  - true: *record is the next record to send, at stream index sent() - 1.
  //  - false: the input is exhausted.
  //  - an error: the whole file is unusable (a read error, a bad header).
  absl::StatusOr<bool> Next(tpp::v1::MemberRecord* record);

  int64_t sent() const { return sent_; }
  int64_t bytes_read() const { return bytes_read_; }
  int64_t rejected() const { return rejected_; }
  // The first kLocalRejectionsListedMax local rejections.
  const std::vector<LocalRejection>& rejections() const { return listed_; }
  // The line where the record at stream `index` starts; 0 when unknown.
  int64_t LineOf(int64_t index) const;

 private:
  struct Anchor {
    int64_t index;
    int64_t line;
  };

  void Reject(int64_t line, std::string reason);
  void Track(int64_t line);

  std::istream* in_;
  MemberCsvParser parser_;
  std::string chunk_;
  bool finished_ = false;
  int64_t sent_ = 0;
  int64_t bytes_read_ = 0;
  int64_t rejected_ = 0;
  std::vector<LocalRejection> listed_;
  std::vector<Anchor> anchors_;     // increasing index
  int64_t lines_known_until_ = -1;  // -1: every record's line is known
};

// Imports `csv_path` as the options' identity (an insurer). Returns the exit
// code: 0 when every record was accepted, 1 when any was rejected (locally
// or by the server), 2 on a usage or connection error.
int RunMembersImport(const ClientOptions& options, const std::string& csv_path);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_MEMBERS_COMMAND_H_
