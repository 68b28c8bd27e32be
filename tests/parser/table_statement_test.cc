// The shapes of LOCK TABLES, FLUSH TABLES, table maintenance and EXPLAIN read from their tokens.
#include "parser/table_statement.h"

#include <gtest/gtest.h>

#include <string>

namespace shardproxy::parser {
namespace {

ast::Statement parsed(const std::string& sql) {
  auto r = ast::parseAst(sql);
  EXPECT_TRUE(r.isOk()) << sql << ": " << r.status().toString();
  return r.isOk() ? std::move(r.value()) : ast::Statement{};
}

TEST(TableStatementTest, MaintenanceHeadTablesTail) {
  auto s = parsed("CHECK TABLE t_order, `db`.t_order_item QUICK EXTENDED");
  TableCommandShape shape = tableCommand(s);
  EXPECT_EQ(shape.command, TableCommand::Check);
  ASSERT_EQ(shape.tables.size(), 2u);
  EXPECT_EQ(s.objects[shape.tables[0]].name.value, "t_order");
  EXPECT_EQ(s.objects[shape.tables[1]].schema.value, "db");
  EXPECT_EQ(s.text(shape.head), "CHECK TABLE ");
  EXPECT_EQ(s.text(shape.tail), " QUICK EXTENDED");

  s = parsed("/* c */ analyze NO_WRITE_TO_BINLOG tables t;");
  shape = tableCommand(s);
  EXPECT_EQ(shape.command, TableCommand::Analyze);
  EXPECT_EQ(s.text(shape.head), "analyze NO_WRITE_TO_BINLOG tables ");
  EXPECT_EQ(s.text(shape.tail), "");

  EXPECT_EQ(tableCommand(parsed("OPTIMIZE LOCAL TABLE a")).command, TableCommand::Optimize);
  EXPECT_EQ(tableCommand(parsed("REPAIR TABLE a USE_FRM")).command, TableCommand::Repair);
  EXPECT_EQ(tableCommand(parsed("CHECKSUM TABLE a, b EXTENDED")).command, TableCommand::Checksum);
  EXPECT_EQ(tableCommand(parsed("SELECT 1")).command, TableCommand::None);
}

TEST(TableStatementTest, FlushForms) {
  auto s = parsed("FLUSH TABLES");
  TableCommandShape shape = tableCommand(s);
  EXPECT_EQ(shape.command, TableCommand::FlushTables);
  EXPECT_TRUE(shape.tables.empty());
  EXPECT_FALSE(shape.flushLocks);
  EXPECT_EQ(s.text(shape.head), "FLUSH TABLES");

  s = parsed("FLUSH /*!40101 LOCAL */ TABLES WITH READ LOCK");
  shape = tableCommand(s);
  EXPECT_EQ(shape.command, TableCommand::FlushTables);
  EXPECT_TRUE(shape.flushLocks);
  EXPECT_FALSE(shape.forExport);

  s = parsed("FLUSH TABLE t1, t2 FOR EXPORT");
  shape = tableCommand(s);
  EXPECT_EQ(shape.command, TableCommand::FlushTables);
  EXPECT_EQ(shape.tables.size(), 2u);
  EXPECT_TRUE(shape.forExport);
  EXPECT_EQ(s.text(shape.tail), " FOR EXPORT");

  shape = tableCommand(parsed("FLUSH TABLES t WITH READ LOCK"));
  EXPECT_TRUE(shape.flushLocks);
  EXPECT_EQ(shape.tables.size(), 1u);

  // Other options act on the server, not on tables.
  EXPECT_EQ(tableCommand(parsed("FLUSH LOGS")).command, TableCommand::None);
  EXPECT_EQ(tableCommand(parsed("FLUSH PRIVILEGES")).command, TableCommand::None);
}

TEST(TableStatementTest, LockClauses) {
  auto s = parsed(
      "LOCK TABLES `t_order` READ /*!32311 LOCAL */,t_order_item AS i LOW_PRIORITY WRITE, "
      "db.t3 t READ");
  auto clauses = tableLockClauses(s);
  ASSERT_EQ(clauses.size(), 3u);
  EXPECT_EQ(s.objects[clauses[0].object].name.value, "t_order");
  EXPECT_EQ(s.text(clauses[0].clause), " READ /*!32311 LOCAL */");
  EXPECT_EQ(s.text(clauses[1].clause), " AS i LOW_PRIORITY WRITE");
  EXPECT_EQ(s.objects[clauses[2].object].schema.value, "db");
  EXPECT_EQ(s.text(clauses[2].clause), " t READ");
  EXPECT_FALSE(lockClauseHasAlias(s, clauses[0]));
  EXPECT_TRUE(lockClauseHasAlias(s, clauses[1]));
  EXPECT_TRUE(lockClauseHasAlias(s, clauses[2]));
  EXPECT_TRUE(tableLockClauses(parsed("UNLOCK TABLES")).empty());

  // mysqldump's form: the last clause ends inside an executable comment, which it keeps whole.
  s = parsed("LOCK TABLES `a` READ /*!32311 LOCAL */,`b` READ /*!32311 LOCAL */;");
  clauses = tableLockClauses(s);
  ASSERT_EQ(clauses.size(), 2u);
  EXPECT_EQ(s.text(clauses[0].clause), " READ /*!32311 LOCAL */");
  EXPECT_EQ(s.text(clauses[1].clause), " READ /*!32311 LOCAL */");
}

TEST(TableStatementTest, ExplainShapes) {
  auto s = parsed("EXPLAIN SELECT * FROM t WHERE id = 1");
  auto shape = explainShape(s);
  ASSERT_TRUE(shape);
  EXPECT_EQ(s.sql.substr(shape->statement), "SELECT * FROM t WHERE id = 1");
  EXPECT_FALSE(shape->json);
  EXPECT_EQ(s.text(shape->options), " ");

  s = parsed("explain format = json delete from t where id = 2;");
  shape = explainShape(s);
  ASSERT_TRUE(shape);
  EXPECT_TRUE(shape->json);
  EXPECT_EQ(s.text(shape->options), " format = json ");
  EXPECT_EQ(s.sql.substr(shape->statement, 6), "delete");

  s = parsed("DESCRIBE EXTENDED SELECT 1");
  shape = explainShape(s);
  ASSERT_TRUE(shape);
  EXPECT_EQ(s.text(shape->keyword), "DESCRIBE");
  EXPECT_EQ(s.text(shape->options), " EXTENDED ");

  s = parsed("EXPLAIN ANALYZE FORMAT=JSON SELECT 1");
  shape = explainShape(s);
  ASSERT_TRUE(shape);
  EXPECT_TRUE(shape->analyze);
  EXPECT_TRUE(shape->json);

  EXPECT_FALSE(explainShape(parsed("EXPLAIN t")));  // DESCRIBE t: the table's columns
  EXPECT_FALSE(explainShape(parsed("EXPLAIN FOR CONNECTION 5")));
}

}  // namespace
}  // namespace shardproxy::parser
