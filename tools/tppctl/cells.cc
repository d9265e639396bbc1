#include "tools/tppctl/cells.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"

namespace tpp::ctl {
namespace {

using tpp::ops::v1::Cell;
using tpp::ops::v1::CellMap;

bool ValidCellName(absl::string_view name) {
  if (name.empty() || name.size() > 32) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return absl::ascii_islower(static_cast<unsigned char>(c)) ||
           absl::ascii_isdigit(static_cast<unsigned char>(c)) || c == '-';
  });
}

}  // namespace

absl::StatusOr<CellMap> ParseCellMap(absl::string_view json) {
  CellMap map;
  google::protobuf::util::JsonParseOptions parse;
  parse.ignore_unknown_fields = false;
  auto parsed = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(json.data(), json.size()), &map, parse);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("cell map: ", parsed.ToString()));
  }
  if (map.cells().empty() || map.cells_size() > kCellsMax) {
    return absl::InvalidArgumentError(
        absl::StrCat("cell map: 1 to ", kCellsMax, " cells"));
  }
  std::set<std::string> names, insurers;
  for (const Cell& cell : map.cells()) {
    if (!ValidCellName(cell.name())) {
      return absl::InvalidArgumentError(
          absl::StrCat("cell map: bad cell name '", cell.name(), "'"));
    }
    if (!names.insert(cell.name()).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("cell map: cell ", cell.name(), " twice"));
    }
    if (cell.external().empty() || cell.admin().empty()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "cell map: cell ", cell.name(), " needs external and admin"));
    }
    for (const std::string& insurer : cell.insurers()) {
      if (!insurers.insert(insurer).second) {
        return absl::InvalidArgumentError(absl::StrCat(
            "cell map: insurer ", insurer, " is in more than one cell"));
      }
    }
  }
  return map;
}

absl::StatusOr<CellMap> LoadCellMap(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("cannot read ", path));
  }
  std::string json(kCellMapBytesMax + 1, '\0');
  in.read(json.data(), static_cast<std::streamsize>(json.size()));
  json.resize(static_cast<size_t>(in.gcount()));
  if (json.size() > kCellMapBytesMax) {
    return absl::InvalidArgumentError(absl::StrCat(path, " is too large"));
  }
  return ParseCellMap(json);
}

absl::StatusOr<Cell> CellOf(const CellMap& map, absl::string_view insurer_id) {
  for (const Cell& cell : map.cells()) {
    for (const std::string& insurer : cell.insurers()) {
      if (insurer == insurer_id) return cell;
    }
  }
  return absl::NotFoundError(
      absl::StrCat("insurer ", insurer_id, " is in no cell"));
}

ClientOptions ForCell(const ClientOptions& options, const Cell& cell) {
  ClientOptions out = options;
  out.target = cell.external();
  out.admin = cell.admin();
  if (!cell.tls_server_name().empty()) {
    out.tls_server_name = cell.tls_server_name();
  }
  return out;
}

int RunOnCells(const ClientOptions& options, const CellMap& map,
               const CellCommand& command) {
  std::vector<int> codes;
  for (const Cell& cell : map.cells()) {
    std::printf("== cell %s (admin %s)\n", cell.name().c_str(),
                cell.admin().c_str());
    std::fflush(stdout);
    const int code = command(ForCell(options, cell), cell);
    std::fflush(stdout);
    if (code != 0) {
      std::fprintf(stderr, "tppctl: cell %s failed (exit %d)\n",
                   cell.name().c_str(), code);
    }
    codes.push_back(code);
  }
  const int ok = static_cast<int>(std::count(codes.begin(), codes.end(), 0));
  std::printf("== cells: %d of %d ok\n", ok, map.cells_size());
  int worst = 0;
  for (int i = 0; i < map.cells_size(); ++i) {
    std::printf("  %-16s %s\n", map.cells(i).name().c_str(),
                codes[i] == 0 ? "ok" : "FAILED");
    worst = std::max(worst, codes[i]);
  }
  return worst;
}

}  // namespace tpp::ctl
