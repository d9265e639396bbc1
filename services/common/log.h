// Structured JSON log lines on stderr, one object per line:
//   {"ts":"2026-11-28T19:27:55.123Z","level":"info","event":"listening",...}
// Callers pass only operational fields (method, code, ids of providers,
// insurers and operators): never a NIR, a name or a birth date.
//
// Thread-safe: each line is written with one write(2).
#ifndef TPP_SERVICES_COMMON_LOG_H_
#define TPP_SERVICES_COMMON_LOG_H_

#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace tpp {

enum class LogLevel { kDebug, kInfo, kWarning, kError };

// A field value: string, integer or boolean, rendered as JSON.
class LogValue {
 public:
  LogValue(absl::string_view s) : json_(Quote(s)) {}            // NOLINT
  LogValue(const char* s) : json_(Quote(s)) {}                  // NOLINT
  LogValue(const std::string& s) : json_(Quote(s)) {}           // NOLINT
  LogValue(int v) : json_(std::to_string(v)) {}                 // NOLINT
  LogValue(long v) : json_(std::to_string(v)) {}                // NOLINT
  LogValue(long long v) : json_(std::to_string(v)) {}           // NOLINT
  LogValue(unsigned v) : json_(std::to_string(v)) {}            // NOLINT
  LogValue(unsigned long v) : json_(std::to_string(v)) {}       // NOLINT
  LogValue(unsigned long long v) : json_(std::to_string(v)) {}  // NOLINT
  LogValue(double v) : json_(std::to_string(v)) {}              // NOLINT
  LogValue(bool v) : json_(v ? "true" : "false") {}             // NOLINT
  const std::string& json() const { return json_; }

  static std::string Quote(absl::string_view s);

 private:
  std::string json_;
};

using LogField = std::pair<absl::string_view, LogValue>;

void Log(LogLevel level, absl::string_view event,
         std::initializer_list<LogField> fields = {});

// Lines below `level` are dropped. Default: kInfo.
void SetLogLevel(LogLevel level);

}  // namespace tpp

#endif  // TPP_SERVICES_COMMON_LOG_H_
