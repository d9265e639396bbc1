// `tppctl --cells FILE`: the cell map (proto/tpp/ops/v1/cells.proto, as
// JSON) and operator commands fanned out to every cell, each reported.
#ifndef TPP_TOOLS_TPPCTL_CELLS_H_
#define TPP_TOOLS_TPPCTL_CELLS_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "tools/tppctl/client.h"
#include "tpp/ops/v1/cells.pb.h"

namespace tpp::ctl {

inline constexpr int kCellsMax = 64;
inline constexpr size_t kCellMapBytesMax = 1 << 20;

// INVALID_ARGUMENT unless `json` is a CellMap with 1..kCellsMax cells, each
// with a unique name of [a-z0-9-]{1,32}, both addresses, and insurers that
// no other cell lists.
absl::StatusOr<tpp::ops::v1::CellMap> ParseCellMap(absl::string_view json);
absl::StatusOr<tpp::ops::v1::CellMap> LoadCellMap(const std::string& path);

// The cell serving `insurer_id`; NOT_FOUND when none does.
absl::StatusOr<tpp::ops::v1::Cell> CellOf(const tpp::ops::v1::CellMap& map,
                                          absl::string_view insurer_id);

// `options` pointed at `cell`'s listeners.
ClientOptions ForCell(const ClientOptions& options,
                      const tpp::ops::v1::Cell& cell);

// Runs `command` (which returns an exit code) on every cell in map order,
// each under a "== cell NAME" header, then prints one line per cell: ok or
// FAILED. A cell that does not answer is a failure, never skipped. Returns 0
// when every cell succeeded, else the highest exit code.
using CellCommand = std::function<int(const ClientOptions& cell_options,
                                      const tpp::ops::v1::Cell& cell)>;
int RunOnCells(const ClientOptions& options, const tpp::ops::v1::CellMap& map,
               const CellCommand& command);

}  // namespace tpp::ctl

#endif  // TPP_TOOLS_TPPCTL_CELLS_H_
