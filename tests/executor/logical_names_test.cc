#include "executor/logical_names.h"

#include <gtest/gtest.h>

#include "config/config_dir.h"

namespace shardproxy::executor {
namespace {

TEST(LogicalNamesTest, BackendMessagesSpeakOfLogicalNames) {
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
)");
  auto topology = dir.load();
  const config::LogicalDatabase& db = topology->databases.at("sharding_db");
  auto rule = router::ShardingRule::build(db);
  ASSERT_TRUE(rule.isOk()) << rule.status().toString();
  EXPECT_EQ(logicalText("Table 'phys_ds_1.t_order_1' doesn't exist", db, rule->get()),
            "Table 'sharding_db.t_order' doesn't exist");
  EXPECT_EQ(logicalText("Unknown column 'x' in `phys_ds_0`.`t_order_0`", db, rule->get()),
            "Unknown column 'x' in `sharding_db`.`t_order`");
  // Whole names only; other names stay.
  EXPECT_EQ(logicalText("phys_ds_01 t_order_00 t_order", db, rule->get()),
            "phys_ds_01 t_order_00 t_order");
  // Index names on actual tables lose the actual table's suffix.
  EXPECT_EQ(logicalText("Duplicate entry '7' for key 'uk_no_t_order_1'", db, rule->get()),
            "Duplicate entry '7' for key 'uk_no'");
  EXPECT_EQ(logicalText("idx_user_t_order_0,PRIMARY", db, rule->get()), "idx_user,PRIMARY");
  EXPECT_EQ(logicalText("t_order_x_t_order", db, rule->get()), "t_order_x_t_order");
  EXPECT_EQ(logicalText("Duplicate entry '1' for key 'PRIMARY'", db, nullptr),
            "Duplicate entry '1' for key 'PRIMARY'");
  Status mapped =
      logicalError(Status(1146, "42S02", "Table 'phys_ds_0.x' doesn't exist"), db, nullptr);
  EXPECT_EQ(mapped.code(), 1146);
  EXPECT_EQ(mapped.sqlState(), "42S02");
  EXPECT_EQ(mapped.message(), "Table 'sharding_db.x' doesn't exist");
}

}  // namespace
}  // namespace shardproxy::executor
