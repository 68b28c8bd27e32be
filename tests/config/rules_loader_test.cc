#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "config/config_dir.h"
#include "config/topology.h"

namespace shardproxy::config {
namespace {

using testing::ConfigDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kDataSources = R"(databaseName: sharding_db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:3306/demo_ds_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:3306/demo_ds_1
    username: root
    password: root
)";

// Line numbers in expectations count from the first line of kDataSources (10 lines).
constexpr const char* kSharding = R"(rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
      keyGenerateStrategy:
        column: order_id
        keyGeneratorName: snowflake
      auditStrategy:
        auditorNames:
          - sharding_key_required_auditor
        allowHintDisable: false
    t_order_item:
      actualDataNodes: ds_${0..1}.t_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_item_inline
  autoTables:
    t_account:
      actualDataSources: ds_0,ds_1
      shardingStrategy:
        standard:
          shardingColumn: account_id
          shardingAlgorithmName: mod_4
  bindingTables:
    - t_order,t_order_item
    - ref_1:t_order_item , t_order
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
  defaultShardingColumn: user_id
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
    t_order_item_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_item_${order_id % 2}
    mod_4:
      type: MOD
      props:
        sharding-count: 4
    complex:
      type: COMPLEX_INLINE
      props:
        sharding-columns: a,b
        algorithm-expression: t_${a}_${b}
  keyGenerators:
    snowflake:
      type: SNOWFLAKE
  auditors:
    sharding_key_required_auditor:
      type: DML_SHARDING_CONDITIONS
- !BROADCAST
  tables:
    - t_address
    - t_country
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_0
)";

TEST(RulesLoaderTest, ReadsShardingBroadcastAndSingle) {
  ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("database-sharding.yaml", std::string(kDataSources) + kSharding);
  auto t = dir.load();
  const DatabaseRules& r = t->databases.at("sharding_db").ruleSet;
  ASSERT_TRUE(r.sharding.has_value());
  const ShardingRuleConfig& s = *r.sharding;
  ASSERT_EQ(s.tables.size(), 2u);
  const TableRuleConfig& order = s.tables[0];
  EXPECT_EQ(order.logicTable, "t_order");
  EXPECT_EQ(order.line, 14);
  EXPECT_EQ(order.actualDataNodes, "ds_${0..1}.t_order_${0..1}");
  EXPECT_FALSE(order.databaseStrategy.has_value());
  ASSERT_TRUE(order.tableStrategy.has_value());
  EXPECT_EQ(order.tableStrategy->type, StrategyConfig::Type::Standard);
  EXPECT_THAT(order.tableStrategy->shardingColumns, ElementsAre("order_id"));
  EXPECT_EQ(order.tableStrategy->algorithmName, "t_order_inline");
  ASSERT_TRUE(order.keyGenerateStrategy.has_value());
  EXPECT_EQ(order.keyGenerateStrategy->column, "order_id");
  EXPECT_EQ(order.keyGenerateStrategy->keyGeneratorName, "snowflake");
  ASSERT_TRUE(order.auditStrategy.has_value());
  EXPECT_THAT(order.auditStrategy->auditorNames, ElementsAre("sharding_key_required_auditor"));
  EXPECT_FALSE(order.auditStrategy->allowHintDisable);

  ASSERT_EQ(s.autoTables.size(), 1u);
  EXPECT_EQ(s.autoTables[0].logicTable, "t_account");
  EXPECT_EQ(s.autoTables[0].actualDataSources, "ds_0,ds_1");
  EXPECT_EQ(s.autoTables[0].shardingStrategy->algorithmName, "mod_4");

  ASSERT_EQ(s.bindingTables.size(), 2u);
  EXPECT_EQ(s.bindingTables[0].name, "");
  EXPECT_THAT(s.bindingTables[0].tables, ElementsAre("t_order", "t_order_item"));
  EXPECT_EQ(s.bindingTables[1].name, "ref_1");
  EXPECT_THAT(s.bindingTables[1].tables, ElementsAre("t_order_item", "t_order"));

  ASSERT_TRUE(s.defaultDatabaseStrategy.has_value());
  EXPECT_THAT(s.defaultDatabaseStrategy->shardingColumns, ElementsAre("user_id"));
  ASSERT_TRUE(s.defaultTableStrategy.has_value());
  EXPECT_EQ(s.defaultTableStrategy->type, StrategyConfig::Type::None);
  EXPECT_EQ(s.defaultShardingColumn, "user_id");

  ASSERT_EQ(s.shardingAlgorithms.size(), 5u);
  EXPECT_EQ(s.shardingAlgorithms.at("mod_4").type, "MOD");
  EXPECT_EQ(s.shardingAlgorithms.at("mod_4").props.at("sharding-count"), "4");
  EXPECT_EQ(s.shardingAlgorithms.at("database_inline").props.at("algorithm-expression"),
            "ds_${user_id % 2}");
  EXPECT_EQ(s.keyGenerators.at("snowflake").type, "SNOWFLAKE");
  EXPECT_EQ(s.auditors.at("sharding_key_required_auditor").type, "DML_SHARDING_CONDITIONS");

  EXPECT_THAT(r.broadcastTables, ElementsAre("t_address", "t_country"));
  EXPECT_THAT(r.single.tables, ElementsAre("*.*"));
  EXPECT_EQ(r.single.defaultDataSource, "ds_0");
  EXPECT_THAT(t->warnings, ElementsAre(HasSubstr("authority: not configured")));
}

TEST(RulesLoaderTest, LegacyBroadcastTablesInsideSharding) {
  ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("config-sharding.yaml", std::string(kDataSources) + R"(rules:
- !SHARDING
  tables:
    t_user:
      actualDataNodes: ds_${0..1}.t_user
      databaseStrategy:
        complex:
          shardingColumns: a, b
          shardingAlgorithmName: c
  broadcastTables:
    - t_dict
  shardingAlgorithms:
    c:
      type: COMPLEX_INLINE
      props:
        sharding-columns: a,b
        algorithm-expression: ds_${(a + b) % 2}
)");
  auto t = dir.load();
  const DatabaseRules& r = t->databases.at("sharding_db").ruleSet;
  EXPECT_THAT(r.broadcastTables, ElementsAre("t_dict"));
  const StrategyConfig& st = *r.sharding->tables[0].databaseStrategy;
  EXPECT_EQ(st.type, StrategyConfig::Type::Complex);
  EXPECT_THAT(st.shardingColumns, ElementsAre("a", "b"));
}

struct BadCase {
  const char* rules;
  const char* error;
};

class RulesLoaderErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(RulesLoaderErrorTest, NamesFileLineAndKey) {
  ConfigDir dir;
  dir.write("global.yaml", "");
  std::string file = dir.write("database-x.yaml", std::string(kDataSources) + GetParam().rules);
  EXPECT_EQ(dir.error(), file + GetParam().error);
}

INSTANTIATE_TEST_SUITE_P(
    Rules, RulesLoaderErrorTest,
    ::testing::Values(
        BadCase{R"(rules:
- !SHARDING
  tables:
    t:
      actualDataNodes: ds_0.t
      tableStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: missing
)",
                ":19: !SHARDING.tables.t.tableStrategy.standard.shardingAlgorithmName: unknown "
                "sharding algorithm 'missing'"},
        BadCase{R"(rules:
- !SHARDING
  tables:
    t:
      tableStrategy:
        standard:
          shardingColumn: id
        complex:
          shardingColumns: id
)",
                ":15: !SHARDING.tables.t.tableStrategy: expected exactly one of standard, complex, "
                "hint or none"},
        BadCase{R"(rules:
- !SHARDING
  tables:
    t:
      tableStrategy:
        inline:
          shardingColumn: id
)",
                ":16: !SHARDING.tables.t.tableStrategy.inline: unknown strategy type (expected "
                "standard, complex, hint or none)"},
        BadCase{R"(rules:
- !SHARDING
  tables:
    t:
      keyGenerateStrategy:
        column: id
        keyGeneratorName: snow
)",
                ":17: !SHARDING.tables.t.keyGenerateStrategy.keyGeneratorName: unknown key "
                "generator 'snow'"},
        BadCase{R"(rules:
- !SHARDING
  tables:
    t:
      actualDataNodes: ds_0.t
  bindingTables:
    - t,u
)",
                ":17: !SHARDING.bindingTables[0]: binding table 'u' is not a sharded table of "
                "this rule"},
        BadCase{R"(rules:
- !SHARDING
  autoTables:
    a:
      actualDataSources: ds_0
)",
                ":14: !SHARDING.autoTables.a.shardingStrategy: missing"},
        BadCase{R"(rules:
- !SHARDING
  shardingAlgorithms:
    m:
      props:
        sharding-count: 2
)",
                ":14: !SHARDING.shardingAlgorithms.m.type: missing"},
        BadCase{R"(rules:
- !SINGLE
  tables:
    - t_user
)",
                ":14: !SINGLE.tables[0]: expected data_source.table, with * for any (e.g. "
                "\"*.*\", ds_0.t_user, ds_1.*), got 't_user'"}));

}  // namespace
}  // namespace shardproxy::config
