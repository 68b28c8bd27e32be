// ShardingRule::build: data nodes, defaults and checks, from YAML as users write it.
#include "router/sharding_rule.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/config_dir.h"

namespace shardproxy::router {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kHead = R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/a
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:1/b
    username: root
    password: root
rules:
- !SHARDING
)";

struct Built {
  std::shared_ptr<const config::Topology> topology;
  Result<std::shared_ptr<const ShardingRule>> rule = Status::ok();
};

Built build(const std::string& sharding) {
  config::testing::ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("database-db.yaml", std::string(kHead) + sharding);
  Built b;
  b.topology = dir.load();
  b.rule = ShardingRule::build(b.topology->databases.at("db"));
  return b;
}

std::vector<std::string> nodes(const TableRule& t) {
  std::vector<std::string> out;
  for (const DataNode& n : t.dataNodes) out.push_back(n.dataSource + "." + n.table);
  return out;
}

TEST(ShardingRuleTest, ExpandsNodesAndAppliesDefaults) {
  Built b = build(R"(  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingAlgorithmName: by_order
    t_plain: {}
  autoTables:
    t_auto:
      actualDataSources: ds_0, ds_1
      shardingStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: mod_3
  defaultDatabaseStrategy:
    standard:
      shardingColumn: userId
      shardingAlgorithmName: by_user
  defaultShardingColumn: order_id
  defaultKeyGenerateStrategy:
    column: id
    keyGeneratorName: uuid
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${userId % 2}
    by_order:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
    mod_3:
      type: MOD
      props:
        sharding-count: 3
  keyGenerators:
    uuid:
      type: UUID
)");
  ASSERT_TRUE(b.rule.isOk()) << b.rule.status().message();
  const ShardingRule& r = **b.rule;
  const TableRule* order = r.findTableRule("T_ORDER");
  ASSERT_NE(order, nullptr);
  EXPECT_THAT(nodes(*order), ElementsAre("ds_0.t_order_0", "ds_0.t_order_1", "ds_1.t_order_0",
                                         "ds_1.t_order_1"));
  EXPECT_THAT(order->dataSources, ElementsAre("ds_0", "ds_1"));
  EXPECT_THAT(order->databaseStrategy.columns, ElementsAre("userId"));  // as configured
  EXPECT_THAT(order->tableStrategy.columns, ElementsAre("order_id"));   // defaultShardingColumn
  EXPECT_EQ(order->tableNodeInfo.prefix, "t_order_");
  EXPECT_EQ(order->tableNodeInfo.suffixMinLength, 1u);
  ASSERT_TRUE(order->keyGenerate.has_value());
  EXPECT_EQ(order->keyGenerate->column, "id");
  const TableRule* plain = r.findTableRule("t_plain");
  ASSERT_NE(plain, nullptr);
  EXPECT_THAT(nodes(*plain), ElementsAre("ds_0.t_plain", "ds_1.t_plain"));
  const TableRule* autoTable = r.findTableRule("t_auto");
  ASSERT_NE(autoTable, nullptr);
  EXPECT_TRUE(autoTable->autoTable);
  EXPECT_THAT(nodes(*autoTable), ElementsAre("ds_0.t_auto_0", "ds_1.t_auto_1", "ds_0.t_auto_2"));
  EXPECT_EQ(r.findByActualTable("t_auto_2"), autoTable);
}

struct BadCase {
  const char* name;
  const char* sharding;
  const char* error;  // a substring of the message
};

class ShardingRuleErrorTest : public ::testing::TestWithParam<BadCase> {};

TEST_P(ShardingRuleErrorTest, NamesWhatIsWrong) {
  Built b = build(GetParam().sharding);
  ASSERT_FALSE(b.rule.isOk());
  EXPECT_THAT(b.rule.status().message(), HasSubstr(GetParam().error));
  EXPECT_THAT(b.rule.status().message(), HasSubstr("database-db.yaml:"));
}

INSTANTIATE_TEST_SUITE_P(
    Rules, ShardingRuleErrorTest,
    ::testing::Values(
        BadCase{"UnknownAlgorithmType", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..1}
      tableStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: a
  shardingAlgorithms:
    a:
      type: NO_SUCH_THING
)",
                "!SHARDING.shardingAlgorithms.a: "},
        BadCase{"NodeOutsideDataSources", R"(  tables:
    t:
      actualDataNodes: ds_${0..2}.t
)",
                "!SHARDING.tables.t.actualDataNodes: data node 'ds_2.t' names unknown data source "
                "'ds_2'"},
        BadCase{"BadInlineExpression", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..}
)",
                "!SHARDING.tables.t.actualDataNodes: "},
        BadCase{"BindingLayoutsDiffer", R"(  tables:
    a:
      actualDataNodes: ds_${0..1}.a_${0..1}
    b:
      actualDataNodes: ds_${0..1}.b_${0..2}
  bindingTables:
    - a,b
)",
                "binding tables 'a' and 'b' have different data node layouts"},
        BadCase{"WrongAlgorithmKind", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..1}
      tableStrategy:
        complex:
          shardingColumns: a,b
          shardingAlgorithmName: m
  shardingAlgorithms:
    m:
      type: MOD
      props:
        sharding-count: 2
)",
                "algorithm 'm' (MOD) is a standard algorithm and cannot serve a complex strategy"},
        BadCase{"StandardWithoutColumn", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..1}
      tableStrategy:
        standard:
          shardingAlgorithmName: m
  shardingAlgorithms:
    m:
      type: MOD
      props:
        sharding-count: 2
)",
                "standard strategy without shardingColumn, and no defaultShardingColumn"},
        BadCase{"AutoTableNeedsAutoAlgorithm", R"(  autoTables:
    t:
      actualDataSources: ds_0
      shardingStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: i
  shardingAlgorithms:
    i:
      type: INLINE
      props:
        algorithm-expression: t_${id % 2}
)",
                "auto tables need an auto-table algorithm"},
        BadCase{"BadKeyGenerator", R"(  tables:
    t:
      actualDataNodes: ds_0.t
      keyGenerateStrategy:
        column: id
        keyGeneratorName: k
  keyGenerators:
    k:
      type: SNOWFLAKE
      props:
        worker-id: 5000
)",
                "!SHARDING.keyGenerators.k: "},
        BadCase{"UnknownAuditorType", R"(  tables:
    t:
      actualDataNodes: ds_0.t
      auditStrategy:
        auditorNames: [x]
  auditors:
    x:
      type: SOMETHING
)",
                "unknown auditor type 'SOMETHING' (expected DML_SHARDING_CONDITIONS)"},
        BadCase{"ClassBased", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..1}
  shardingAlgorithms:
    custom:
      type: CLASS_BASED
      props:
        strategy: STANDARD
        algorithmClassName: com.example.MyAlgorithm
)",
                "!SHARDING.shardingAlgorithms.custom: CLASS_BASED: sharding algorithm classes are "
                "Java code (algorithmClassName 'com.example.MyAlgorithm') and cannot run in "
                "shardproxy; use a built-in algorithm instead: INLINE, INTERVAL, MOD"},
        BadCase{"UnusedAlgorithmIsCheckedToo", R"(  tables:
    t:
      actualDataNodes: ds_0.t
  shardingAlgorithms:
    unused:
      type: MOD
      props:
        sharding-count: zero
)",
                "!SHARDING.shardingAlgorithms.unused: "},
        BadCase{"MissingAlgorithmProp", R"(  tables:
    t:
      actualDataNodes: ds_0.t_${0..1}
      tableStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: m
  shardingAlgorithms:
    m:
      type: MOD
)",
                "sharding-count"}),
    [](const ::testing::TestParamInfo<BadCase>& info) { return info.param.name; });

TEST(ShardingRuleTest, BroadcastTableCannotAlsoBeSharded) {
  config::testing::ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("database-db.yaml", std::string(kHead) + R"(  tables:
    t:
      actualDataNodes: ds_0.t
- !BROADCAST
  tables:
    - T
)");
  auto topology = dir.load();
  auto rule = ShardingRule::build(topology->databases.at("db"));
  ASSERT_FALSE(rule.isOk());
  EXPECT_THAT(rule.status().message(), HasSubstr("table 't' is also a sharded table"));
}

}  // namespace
}  // namespace shardproxy::router
