// ShardingSphere's system tables as the proxy answers SELECTs over them: the columns as
// ShardingSphere's YAML types them, the rows a user may see, and WHERE, ORDER BY, LIMIT,
// DISTINCT and COUNT evaluated in process.
#include "admin/system_tables.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser/ast.h"
#include "protocol/constants.h"

namespace shardproxy::admin {
namespace {

std::vector<ShardingTableStatistics> sample() {
  std::vector<ShardingTableStatistics> rows;
  uint32_t id = 1;
  for (const char* db : {"sharding_db", "other_db"}) {
    for (int ds = 0; ds < 2; ++ds) {
      for (int t = 0; t < 2; ++t) {
        ShardingTableStatistics r;
        r.id = id++;
        r.logicDatabase = db;
        r.logicTable = "t_order";
        r.actualDatabase = "ds_" + std::to_string(ds);
        r.actualTable = "t_order_" + std::to_string(t);
        r.rowCount = static_cast<uint64_t>(ds * 10 + t);
        r.size = 16384u * static_cast<uint64_t>(t + 1);
        rows.push_back(r);
      }
    }
  }
  return rows;
}

// The result as lines: "error <code>: <message>", or the column names then each row.
std::vector<std::string> run(const std::string& sql, bool seesOther = false) {
  auto parsed = parser::ast::parseAst(sql);
  if (!parsed) return {"parse error: " + parsed.status().message()};
  std::vector<ShardingTableStatistics> statistics = sample();
  SystemTable table =
      systemTable(selectedSystemTable(parsed.value()), "9.9.9", statistics,
                  [&](std::string_view db) { return seesOther || db == "sharding_db"; });
  asio::io_context io;
  std::optional<Result<SystemResult>> result;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { result = co_await selectSystemTable(parsed.value(), table); },
      asio::detached);
  io.run();
  if (!result) return {"did not finish"};
  if (!*result) {
    return {"error " + std::to_string(result->status().code()) + ": " + result->status().message()};
  }
  std::vector<std::string> lines;
  std::string header;
  for (const auto& c : (*result)->columns) header += (header.empty() ? "" : "|") + c.name;
  lines.push_back(header);
  for (const merger::Row& row : (*result)->rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i) {
      line += (i ? "|" : "") + (row[i].null ? std::string("NULL") : row[i].text);
    }
    lines.push_back(line);
  }
  return lines;
}

using Lines = std::vector<std::string>;

TEST(SystemTablesTest, ClusterInformationHoldsTheVersion) {
  EXPECT_EQ(run("SELECT * FROM shardingsphere.cluster_information"), (Lines{"version", "9.9.9"}));
  EXPECT_EQ(run("select VERSION as v from cluster_information c where c.version = '9.9.9'"),
            (Lines{"v", "9.9.9"}));
  EXPECT_EQ(run("SELECT version FROM shardingsphere.cluster_information WHERE version <> '9.9.9'"),
            (Lines{"version"}));
}

TEST(SystemTablesTest, ColumnsAreTypedAsShardingSpheresDefinitions) {
  auto parsed = parser::ast::parseAst("SELECT * FROM shardingsphere.sharding_table_statistics s");
  ASSERT_TRUE(parsed.isOk());
  std::vector<ShardingTableStatistics> statistics = sample();
  SystemTable table = systemTable("sharding_table_statistics", "9.9.9", statistics,
                                  [](std::string_view) { return true; });
  asio::io_context io;
  std::optional<Result<SystemResult>> result;
  asio::co_spawn(
      io, [&]() -> awaitable<void> { result = co_await selectSystemTable(parsed.value(), table); },
      asio::detached);
  io.run();
  ASSERT_TRUE(result && result->isOk());
  const auto& columns = (*result)->columns;
  ASSERT_EQ(columns.size(), 7u);
  std::vector<std::string> names;
  for (const auto& c : columns) {
    names.push_back(c.name);
    EXPECT_EQ(c.schema, "shardingsphere");
    EXPECT_EQ(c.table, "s");
    EXPECT_EQ(c.orgTable, "sharding_table_statistics");
    EXPECT_EQ(c.orgName, c.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"id", "logic_database_name", "logic_table_name",
                                             "actual_database_name", "actual_table_name",
                                             "row_count", "size"}));
  EXPECT_EQ(columns[0].type, protocol::ColumnType::kLong);
  EXPECT_TRUE(columns[0].flags & protocol::colflag::kPriKey);
  EXPECT_EQ(columns[1].type, protocol::ColumnType::kVarString);
  EXPECT_EQ(columns[1].collation, 45);
  EXPECT_EQ(columns[5].type, protocol::ColumnType::kNewDecimal);
  EXPECT_EQ(columns[6].type, protocol::ColumnType::kNewDecimal);
  EXPECT_EQ(columns[6].collation, 63);
  EXPECT_EQ((*result)->rows.size(), 8u);
}

TEST(SystemTablesTest, AUserSeesTheRowsOfTheirDatabasesOnly) {
  EXPECT_EQ(run("SELECT COUNT(*) FROM shardingsphere.sharding_table_statistics"),
            (Lines{"COUNT(*)", "4"}));
  EXPECT_EQ(run("SELECT COUNT(*) FROM shardingsphere.sharding_table_statistics", true),
            (Lines{"COUNT(*)", "8"}));
  EXPECT_EQ(
      run("SELECT DISTINCT logic_database_name FROM shardingsphere.sharding_table_statistics"),
      (Lines{"logic_database_name", "sharding_db"}));
}

TEST(SystemTablesTest, WhereOrderByLimit) {
  EXPECT_EQ(run("SELECT id, actual_table_name FROM shardingsphere.sharding_table_statistics "
                "WHERE actual_database_name = 'ds_1' ORDER BY id DESC"),
            (Lines{"id|actual_table_name", "4|t_order_1", "3|t_order_0"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics "
                "WHERE row_count >= 1 AND NOT (size > 16384) OR id IN (1) ORDER BY 1"),
            (Lines{"id", "1", "3"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics "
                "WHERE row_count BETWEEN 1 AND 10 ORDER BY size DESC, id LIMIT 1, 2"),
            (Lines{"id", "3"}));
  // Numbers compare as numbers (10 > 9), names case-insensitively as utf8mb4_general_ci does.
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics WHERE row_count > 9 "
                "AND ACTUAL_DATABASE_NAME = 'DS_1' ORDER BY row_count"),
            (Lines{"id", "3", "4"}));
  EXPECT_EQ(
      run("SELECT actual_table_name AS t, COUNT(*) FROM shardingsphere.sharding_table_statistics"),
      (Lines{"error 1235: unsupported: COUNT together with columns (no GROUP BY) over "
             "ShardingSphere's system tables"}));
  EXPECT_EQ(
      run("SELECT id AS n FROM shardingsphere.sharding_table_statistics ORDER BY n DESC LIMIT 1"),
      (Lines{"n", "4"}));
  EXPECT_EQ(run("SELECT COUNT(*) AS n FROM shardingsphere.sharding_table_statistics WHERE 3 < id"),
            (Lines{"n", "1"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics WHERE id IS NULL"),
            (Lines{"id"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics WHERE id = NULL"),
            (Lines{"id"}));
}

TEST(SystemTablesTest, LikeAtTheTopOfAnd) {
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics "
                "WHERE actual_table_name LIKE '%\\_1' AND actual_database_name NOT LIKE 'DS\\_0'"),
            (Lines{"id", "4"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics "
                "WHERE id = 1 OR actual_table_name LIKE 't%'"),
            (Lines{"error 1235: unsupported: this operator in WHERE over ShardingSphere's "
                   "system tables"}));
}

TEST(SystemTablesTest, UnknownColumnsAndUnsupportedFormsGetClearErrors) {
  EXPECT_EQ(run("SELECT nope FROM shardingsphere.sharding_table_statistics"),
            (Lines{"error 1054: Unknown column 'nope' in 'field list'"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics WHERE x.id = 1"),
            (Lines{"error 1054: Unknown column 'x.id' in 'where clause'"}));
  EXPECT_EQ(run("SELECT id FROM shardingsphere.sharding_table_statistics ORDER BY 3"),
            (Lines{"error 1054: Unknown column '3' in 'order clause'"}));
  for (const char* sql : {
           "SELECT id + 1 FROM shardingsphere.sharding_table_statistics",
           "SELECT id FROM shardingsphere.sharding_table_statistics GROUP BY id",
           "SELECT id FROM shardingsphere.sharding_table_statistics WHERE id = size",
           "SELECT id FROM shardingsphere.sharding_table_statistics WHERE id = (SELECT 1)",
           "SELECT id FROM shardingsphere.sharding_table_statistics UNION SELECT 1",
           "SELECT COUNT(DISTINCT id) FROM shardingsphere.sharding_table_statistics",
       }) {
    std::vector<std::string> lines = run(sql);
    ASSERT_EQ(lines.size(), 1u) << sql;
    EXPECT_EQ(lines[0].rfind("error 1235: unsupported: ", 0), 0u) << sql << ": " << lines[0];
  }
}

}  // namespace
}  // namespace shardproxy::admin
