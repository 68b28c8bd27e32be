#include "executor/table_nodes.h"

#include <gtest/gtest.h>

#include "config/config_dir.h"

namespace shardproxy::executor {
namespace {

std::vector<std::string> flat(const std::vector<ActualTable>& tables) {
  std::vector<std::string> out;
  for (const ActualTable& t : tables) out.push_back(t.dataSource + "." + t.table);
  return out;
}

TEST(TableNodesTest, EveryActualTableOfSortsOfTables) {
  config::testing::ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("database-db.yaml", R"(databaseName: sharding_db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/phys_ds_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:1/phys_ds_1
    username: root
    password: root
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
- !BROADCAST
  tables:
    - t_address
)");
  auto topology = dir.load();
  const config::LogicalDatabase& db = topology->databases.at("sharding_db");
  auto rule = router::ShardingRule::build(db);
  ASSERT_TRUE(rule.isOk()) << rule.status().toString();
  metadata::TableLocations locations{{"t_single", {"ds_1"}}};
  EXPECT_EQ(flat(actualTablesOf(db, rule->get(), locations, "T_ORDER")),
            (std::vector<std::string>{"ds_0.t_order_0", "ds_0.t_order_1", "ds_1.t_order_0",
                                      "ds_1.t_order_1"}));
  EXPECT_EQ(flat(actualTablesOf(db, rule->get(), locations, "t_address")),
            (std::vector<std::string>{"ds_0.t_address", "ds_1.t_address"}));
  EXPECT_EQ(flat(actualTablesOf(db, rule->get(), locations, "t_single")),
            (std::vector<std::string>{"ds_1.t_single"}));
  // Unknown: where the router would send it, the default data source.
  EXPECT_EQ(flat(actualTablesOf(db, rule->get(), locations, "t_new")),
            (std::vector<std::string>{"ds_0.t_new"}));

  std::vector<PerDataSource<int>> groups;
  addTo(groups, "ds_1", 1);
  addTo(groups, "ds_0", 2);
  addTo(groups, "ds_1", 3);
  ASSERT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups[0].dataSource, "ds_1");
  EXPECT_EQ(groups[0].items, (std::vector<int>{1, 3}));
}

TEST(TableNodesTest, WorstStatusPerLogicalTable) {
  auto fold = [](const std::vector<MaintenanceRow>& rows) {
    std::vector<std::string> out;
    for (const MaintenanceRow& r : foldMaintenanceRows("db.t", rows)) {
      out.push_back(r.table + "|" + r.op + "|" + r.msgType + "|" + r.msgText);
    }
    return out;
  };
  // All fine: one status.
  EXPECT_EQ(fold({{"a.t_0", "check", "status", "OK"}, {"a.t_1", "check", "status", "OK"}}),
            (std::vector<std::string>{"db.t|check|status|OK"}));
  // Messages once each, before the status; OK beats "already up to date".
  EXPECT_EQ(fold({{"", "analyze", "status", "Table is already up to date"},
                  {"", "analyze", "note", "n1"},
                  {"", "analyze", "note", "n1"},
                  {"", "analyze", "status", "OK"}}),
            (std::vector<std::string>{"db.t|analyze|note|n1", "db.t|analyze|status|OK"}));
  // One actual table failed: its error is the answer.
  EXPECT_EQ(fold({{"", "optimize", "note", "recreate"},
                  {"", "optimize", "status", "OK"},
                  {"", "optimize", "Error", "Table 'db.t' doesn't exist"},
                  {"", "optimize", "status", "Operation failed"}}),
            (std::vector<std::string>{"db.t|optimize|Error|Table 'db.t' doesn't exist",
                                      "db.t|optimize|status|Operation failed"}));
  // A corrupt table is worse than OK.
  EXPECT_EQ(fold({{"", "check", "status", "OK"}, {"", "check", "status", "Corrupt"}}),
            (std::vector<std::string>{"db.t|check|status|Corrupt"}));
  // No status row: none made up.
  EXPECT_EQ(fold({{"", "repair", "note", "no repair"}}),
            (std::vector<std::string>{"db.t|repair|note|no repair"}));
}

}  // namespace
}  // namespace shardproxy::executor
