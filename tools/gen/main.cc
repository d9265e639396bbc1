// tpp-gen-members: writes synthetic members as the insurer's import CSV.
//
//   tpp-gen-members --count N --seed S --insurer-prefix P --contracts c1,c2
//                   [--reference-year Y] > members.csv
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "services/members/member_csv.h"
#include "tools/gen/member_generator.h"

namespace {

constexpr uint64_t kCountMax = 20'000'000;
constexpr size_t kOutputBufferBytes = 1 << 20;

constexpr char kUsage[] =
    "usage: tpp-gen-members --count N --seed S --insurer-prefix DIGITS\n"
    "                       --contracts ID[,ID...] [--reference-year YEAR]\n";

int Fail(const std::string& message) {
  std::fprintf(stderr, "tpp-gen-members: %s\n%s", message.c_str(), kUsage);
  return 2;
}

bool Write(const std::string& bytes) {
  return std::fwrite(bytes.data(), 1, bytes.size(), stdout) == bytes.size();
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t count = 0;
  uint64_t seed = 1;
  tpp::MemberGeneratorOptions options;
  for (int i = 1; i < argc; ++i) {
    absl::string_view flag = argv[i];
    std::string value;
    if (const size_t eq = flag.find('='); eq != absl::string_view::npos) {
      value = std::string(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
    } else if (flag == "--help" || flag == "-h") {
      std::fputs(kUsage, stdout);
      return 0;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return Fail(std::string(flag) + " needs a value");
    }
    if (flag == "--count") {
      if (!absl::SimpleAtoi(value, &count) || count > kCountMax) {
        return Fail("--count must be 0.." + std::to_string(kCountMax));
      }
    } else if (flag == "--seed") {
      if (!absl::SimpleAtoi(value, &seed))
        return Fail("--seed is not a number");
    } else if (flag == "--insurer-prefix") {
      options.insurer_prefix = value;
    } else if (flag == "--contracts") {
      options.contract_ids = absl::StrSplit(value, ',');
    } else if (flag == "--reference-year") {
      if (!absl::SimpleAtoi(value, &options.reference_year)) {
        return Fail("--reference-year is not a number");
      }
    } else {
      return Fail("unknown flag " + std::string(flag));
    }
  }
  if (absl::Status valid = tpp::ValidateMemberGeneratorOptions(options);
      !valid.ok()) {
    return Fail(std::string(valid.message()));
  }

  tpp::MemberGenerator generator(seed, options);
  std::string out = std::string(tpp::kMemberCsvHeader) + "\n";
  out.reserve(kOutputBufferBytes + 4096);
  for (uint64_t n = 0; n < count; ++n) {
    out += tpp::FormatMemberCsvRow(generator.Next());
    out += '\n';
    if (out.size() >= kOutputBufferBytes) {
      if (!Write(out)) break;
      out.clear();
    }
  }
  if (!Write(out) || std::fflush(stdout) != 0) {
    std::fprintf(stderr, "tpp-gen-members: write failed: %s\n",
                 std::strerror(errno));
    return 1;
  }
  return 0;
}
