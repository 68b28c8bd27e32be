// The logical information_schema's pure part: which references a statement makes and which
// databases its WHERE limits them to, how the data sources' rows become logical ones (a sharded
// table once, its sizes summed, index names without the actual table's suffix, a broadcast table
// once), and the derived table's text.
#include "admin/information_schema.h"

#include <gtest/gtest.h>

#include "config/config_dir.h"
#include "protocol/constants.h"

namespace shardproxy::admin {
namespace {

namespace ast = parser::ast;
using Row = std::vector<std::optional<std::string>>;

protocol::ColumnDefinition column(std::string name,
                                  protocol::ColumnType type = protocol::ColumnType::kVarString,
                                  uint16_t flags = 0) {
  protocol::ColumnDefinition c;
  c.name = std::move(name);
  c.type = type;
  c.flags = flags;
  return c;
}

std::vector<InformationSchemaRef> refsOf(const std::string& sql, std::string_view database) {
  auto parsed = ast::parseAst(sql);
  EXPECT_TRUE(parsed.isOk()) << sql;
  if (!parsed) return {};
  return informationSchemaRefs(parsed.value(), database);
}

TEST(InformationSchemaTest, ReferencesAndTheDatabasesTheirWhereNames) {
  auto refs = refsOf(
      "SELECT * FROM information_schema.TABLES t JOIN INFORMATION_SCHEMA.columns c ON "
      "c.TABLE_NAME = t.TABLE_NAME WHERE t.TABLE_SCHEMA = 'Shop' AND c.TABLE_SCHEMA IN "
      "(DATABASE(), 'x')",
      "sharding_db");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_EQ(refs[0].table, "TABLES");
  EXPECT_EQ(refs[0].alias, "t");
  ASSERT_TRUE(refs[0].databases.has_value());
  EXPECT_EQ(*refs[0].databases, (std::set<std::string>{"shop"}));
  EXPECT_EQ(refs[1].table, "COLUMNS");
  ASSERT_TRUE(refs[1].databases.has_value());
  EXPECT_EQ(*refs[1].databases, (std::set<std::string>{"sharding_db", "x"}));

  // Under OR, or unqualified beside another table, nothing limits the rows.
  refs = refsOf(
      "SELECT * FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'a' OR TABLE_NAME = 'b'", "");
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_FALSE(refs[0].databases.has_value());
  refs = refsOf(
      "SELECT * FROM information_schema.TABLES t, information_schema.COLUMNS c WHERE "
      "TABLE_SCHEMA = 'a'",
      "");
  ASSERT_EQ(refs.size(), 2u);
  EXPECT_FALSE(refs[0].databases.has_value());
  EXPECT_FALSE(refs[1].databases.has_value());

  // Unqualified names are information_schema's only while it is the session's database; the
  // server's own tables (ENGINES) and CTEs are not the proxy's.
  EXPECT_EQ(refsOf("SELECT * FROM TABLES", "sharding_db").size(), 0u);
  EXPECT_EQ(refsOf("SELECT * FROM TABLES", "information_schema").size(), 1u);
  EXPECT_EQ(refsOf("SELECT * FROM information_schema.ENGINES", "").size(), 0u);
  EXPECT_EQ(refsOf("WITH TABLES AS (SELECT 1) SELECT * FROM TABLES", "information_schema").size(),
            0u);
  // A subquery's reference is limited by its own block's WHERE.
  refs = refsOf(
      "SELECT 1 FROM DUAL WHERE EXISTS (SELECT 1 FROM information_schema.TABLES WHERE "
      "TABLE_SCHEMA = 'db' AND TABLE_NAME = 't')",
      "");
  ASSERT_EQ(refs.size(), 1u);
  ASSERT_TRUE(refs[0].databases.has_value());
  EXPECT_EQ(*refs[0].databases, (std::set<std::string>{"db"}));
}

class LogicalCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("global.yaml", "");
    dir_.write("database-db.yaml", R"(databaseName: sharding_db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/phys_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:1/phys_1
    username: root
    password: root
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
- !BROADCAST
  tables:
  - t_dict
)");
    topology_ = dir_.load();
    db_ = &topology_->databases.at("sharding_db");
    auto rule = router::ShardingRule::build(*db_);
    ASSERT_TRUE(rule.isOk()) << rule.status().toString();
    rule_ = std::move(rule.value());
  }

  const config::DataSource& source(int i) const { return db_->dataSources[i]; }

  config::testing::ConfigDir dir_;
  std::shared_ptr<const config::Topology> topology_;
  const config::LogicalDatabase* db_ = nullptr;
  std::shared_ptr<const router::ShardingRule> rule_;
};

TEST_F(LogicalCatalogTest, TablesShowEachLogicalTableOnceWithSums) {
  using protocol::ColumnType;
  const uint16_t kUnsigned = protocol::colflag::kUnsigned;
  std::vector<protocol::ColumnDefinition> columns = {
      column("TABLE_SCHEMA"),
      column("TABLE_NAME"),
      column("TABLE_ROWS", ColumnType::kLongLong, kUnsigned),
      column("AVG_ROW_LENGTH", ColumnType::kLongLong, kUnsigned),
      column("DATA_LENGTH", ColumnType::kLongLong, kUnsigned),
      column("AUTO_INCREMENT", ColumnType::kLongLong, kUnsigned)};
  auto rows = [&](std::string physical, std::vector<Row> r) {
    CatalogRows out{columns, {}};
    for (Row& row : r) {
      row.insert(row.begin(), physical);
      out.rows.push_back(std::move(row));
    }
    return out;
  };
  LogicalCatalog catalog("TABLES");
  catalog.add(*db_, rule_.get(), source(0),
              rows("phys_0", {{"t_order_0", "10", "100", "1000", "5"},
                              {"t_order_1", "20", "100", "2000", "9"},
                              {"t_dict", "3", "10", "30", std::nullopt},
                              {"t_single", "1", "1", "1", std::nullopt}}));
  catalog.add(*db_, rule_.get(), source(1),
              rows("phys_1", {{"t_order_0", "30", "100", "3000", "7"},
                              {"t_order_1", "40", "100", "4000", "2"},
                              {"t_dict", "3", "10", "30", std::nullopt}}));
  CatalogRows out = catalog.take();
  ASSERT_EQ(out.rows.size(), 3u);
  std::map<std::string, Row> byName;
  for (const Row& r : out.rows) {
    EXPECT_EQ(r[0], "sharding_db");
    byName[*r[1]] = r;
  }
  ASSERT_EQ(byName.count("t_order"), 1u);
  // Rows and bytes summed over the four actual tables; the average follows; AUTO_INCREMENT is
  // the largest next value.
  EXPECT_EQ(byName["t_order"][2], "100");
  EXPECT_EQ(byName["t_order"][4], "10000");
  EXPECT_EQ(byName["t_order"][3], "100");
  EXPECT_EQ(byName["t_order"][5], "9");
  // The broadcast table once, from the first data source; a single table as it is.
  EXPECT_EQ(byName["t_dict"][2], "3");
  EXPECT_EQ(byName.count("t_single"), 1u);
}

TEST_F(LogicalCatalogTest, IndexRowsComeFromTheFirstActualTable) {
  std::vector<protocol::ColumnDefinition> columns = {column("TABLE_SCHEMA"), column("TABLE_NAME"),
                                                     column("INDEX_SCHEMA"), column("INDEX_NAME"),
                                                     column("COLUMN_NAME")};
  CatalogRows first{columns,
                    {{"phys_0", "t_order_0", "phys_0", "PRIMARY", "order_id"},
                     {"phys_0", "t_order_0", "phys_0", "idx_user_t_order_0", "user_id"},
                     {"phys_0", "t_order_1", "phys_0", "PRIMARY", "order_id"},
                     {"phys_0", "t_order_1", "phys_0", "idx_user_t_order_1", "user_id"}}};
  CatalogRows second{columns,
                     {{"phys_1", "t_order_0", "phys_1", "PRIMARY", "order_id"},
                      {"phys_1", "t_order_0", "phys_1", "idx_user_t_order_0", "user_id"}}};
  LogicalCatalog catalog("STATISTICS");
  catalog.add(*db_, rule_.get(), source(0), first);
  catalog.add(*db_, rule_.get(), source(1), second);
  CatalogRows out = catalog.take();
  ASSERT_EQ(out.rows.size(), 2u);
  EXPECT_EQ(out.rows[0], (Row{"sharding_db", "t_order", "sharding_db", "PRIMARY", "order_id"}));
  EXPECT_EQ(out.rows[1], (Row{"sharding_db", "t_order", "sharding_db", "idx_user", "user_id"}));
}

TEST_F(LogicalCatalogTest, ViewDefinitionsNameTheLogicalDatabase) {
  std::vector<protocol::ColumnDefinition> columns = {column("TABLE_SCHEMA"), column("TABLE_NAME"),
                                                     column("VIEW_DEFINITION")};
  CatalogRows rows{
      columns, {{"phys_0", "v", "select `phys_0`.`t_dict`.`id` AS `id` from `phys_0`.`t_dict`"}}};
  LogicalCatalog catalog("VIEWS");
  catalog.add(*db_, rule_.get(), source(0), rows);
  CatalogRows out = catalog.take();
  ASSERT_EQ(out.rows.size(), 1u);
  EXPECT_EQ(out.rows[0][2],
            "select `sharding_db`.`t_dict`.`id` AS `id` from `sharding_db`.`t_dict`");
}

TEST(InformationSchemaTest, DerivedTableKeepsTheColumnsTypes) {
  using protocol::ColumnType;
  CatalogRows rows{
      {column("TABLE_NAME"),
       column("TABLE_ROWS", ColumnType::kLongLong, protocol::colflag::kUnsigned),
       column("VERSION", ColumnType::kLongLong), column("CREATE_TIME", ColumnType::kDatetime)},
      {{"it's", "5", "-1", "2026-01-02 03:04:05"},
       {std::nullopt, "x", std::nullopt, "0000-00-00 00:00:00"}}};
  EXPECT_EQ(derivedTable("TABLES", rows, false),
            "(SELECT * FROM information_schema.TABLES WHERE 0 UNION ALL VALUES ('it''s', "
            "CAST(5 AS UNSIGNED), -1, TIMESTAMP'2026-01-02 03:04:05'), (NULL, 'x', CAST(NULL AS "
            "SIGNED), '0000-00-00 00:00:00'))");
  EXPECT_EQ(derivedTable("TABLES", CatalogRows{rows.columns, {}}, false),
            "(SELECT * FROM information_schema.TABLES WHERE 0)");
}

}  // namespace
}  // namespace shardproxy::admin
