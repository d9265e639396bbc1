#include "tools/tppctl/cells.h"

#include "gtest/gtest.h"

namespace tpp::ctl {
namespace {

constexpr char kMap[] = R"({"cells": [
  {"name": "cell-a", "external": "10.0.0.1:7443", "admin": "10.0.0.1:7444",
   "tlsServerName": "tppd.tpp-cell-a.svc", "insurers": ["100000001"]},
  {"name": "cell-b", "external": "10.0.0.2:7443", "admin": "10.0.0.2:7444",
   "insurers": ["100000002", "100000003"]}]})";

TEST(CellMapTest, ParsesAndFindsTheCellOfAnInsurer) {
  auto map = ParseCellMap(kMap);
  ASSERT_TRUE(map.ok()) << map.status();
  ASSERT_EQ(map->cells_size(), 2);
  auto cell = CellOf(*map, "100000003");
  ASSERT_TRUE(cell.ok());
  EXPECT_EQ(cell->name(), "cell-b");
  EXPECT_EQ(CellOf(*map, "999").status().code(), absl::StatusCode::kNotFound);

  ClientOptions options;
  ClientOptions a = ForCell(options, map->cells(0));
  EXPECT_EQ(a.target, "10.0.0.1:7443");
  EXPECT_EQ(a.admin, "10.0.0.1:7444");
  EXPECT_EQ(a.tls_server_name, "tppd.tpp-cell-a.svc");
  EXPECT_EQ(ForCell(options, map->cells(1)).tls_server_name, "localhost");
}

TEST(CellMapTest, RefusesBadMaps) {
  const char* bad[] = {
      "",
      "not json",
      R"({"cells": []})",
      R"({"cells": [{"name": "a", "external": "x:1", "admin": "x:2"}],
          "extra": 1})",
      R"({"cells": [{"name": "Cell A", "external": "x:1", "admin": "x:2"}]})",
      R"({"cells": [{"name": "a", "admin": "x:2"}]})",
      R"({"cells": [{"name": "a", "external": "x:1", "admin": "x:2"},
                    {"name": "a", "external": "y:1", "admin": "y:2"}]})",
      R"({"cells": [
          {"name": "a", "external": "x:1", "admin": "x:2", "insurers": ["1"]},
          {"name": "b", "external": "y:1", "admin": "y:2", "insurers": ["1"]}
         ]})",
  };
  for (const char* json : bad) {
    EXPECT_EQ(ParseCellMap(json).status().code(),
              absl::StatusCode::kInvalidArgument)
        << json;
  }
}

}  // namespace
}  // namespace tpp::ctl
