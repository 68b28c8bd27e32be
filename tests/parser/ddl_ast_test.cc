// DDL bodies (DdlStatement): the tables a statement names and their roles, index and constraint
// names, database names, IF [NOT] EXISTS; describe() output with and without offsets, the
// Names of the table references, and statement cache hits equal to fresh parses.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser/ast.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser::ast {
namespace {

std::string dump(const std::string& sql, bool withOffsets = false) {
  auto statement = parseAst(sql);
  if (!statement.isOk()) {
    return "ERROR " + statement.status().message();
  }
  return describe(*statement, withOffsets);
}

struct Case {
  std::string sql;
  std::string expected;
};

void expectDumps(const std::vector<Case>& cases, bool withOffsets = false) {
  for (const auto& c : cases) {
    EXPECT_EQ(dump(c.sql, withOffsets), c.expected) << c.sql;
  }
}

Statement build(const std::string& sql) {
  auto statement = parseAst(sql);
  EXPECT_TRUE(statement.isOk()) << sql << ": " << statement.status().message();
  return statement.isOk() ? std::move(statement).value() : Statement{};
}

TEST(DdlAstTest, Offsets) {
  expectDumps(
      {
          {"CREATE TABLE t (a VARCHAR(10) DEFAULT 'x', KEY idx_a (a))",
           "(ddl create-table (tables (table t @13:14)) (indexes (name idx_a @47:52)))"},
          {"CREATE TABLE t2 LIKE t1",
           "(ddl create-table (tables (table t2 @13:15) (like (table t1 @21:23))))"},
          // Backquotes are part of the span, not of the value.
          {"ALTER TABLE `db`.`t` ADD UNIQUE KEY `uk` (a), RENAME INDEX a TO `b``c`, RENAME TO u",
           "(ddl alter-table (tables (table db.t @12:20) (rename-to (table u @82:83))) (indexes "
           "(name uk @36:40) (name a @59:60) (name b`c @64:70)))"},
          {"RENAME TABLE a TO b, db.c TO db.d",
           "(ddl rename-table (tables (table a @13:14) (rename-to (table b @18:19)) (table db.c "
           "@21:25) (rename-to (table db.d @29:33))))"},
          {"DROP INDEX i ON db.t",
           "(ddl drop-index (tables (table db.t @16:20)) (indexes (name i @11:12)))"},
          {"CREATE SCHEMA `my db`", "(ddl create-database (database my db @14:21))"},
          {"CREATE VIEW v AS SELECT a FROM t WHERE b = 'x'",
           "(ddl create-view (tables (table v @12:13) (query (table t @31:32))) (as (select "
           "(items (col a @24:25)) (from (table t @31:32)) (where (= (col b @39:40) (lit str 'x' "
           "#0 @43:46) @39:46)))))"},
      },
      /*withOffsets=*/true);
}

TEST(DdlAstTest, CreateTable) {
  expectDumps({
      {"CREATE TABLE `my t` (`a` INT, INDEX `idx``x` (`a`))",
       "(ddl create-table (tables (table my t)) (indexes (name idx`x)))"},
      {"CREATE TABLE `db`.`t` (a INT)", "(ddl create-table (tables (table db.t)))"},
      {"CREATE TABLE db.t2 (LIKE db.t1)",
       "(ddl create-table (tables (table db.t2) (like (table db.t1))))"},
      {"CREATE TABLE IF NOT EXISTS t LIKE `other`",
       "(ddl create-table if-not-exists (tables (table t) (like (table other))))"},
      {"CREATE TEMPORARY TABLE IF NOT EXISTS tmp (a INT)",
       "(ddl create-table temporary if-not-exists (tables (table tmp)))"},
      // Every index and constraint name in text order; PRIMARY KEY names are not listed.
      {"CREATE TABLE t (id INT PRIMARY KEY, pid INT REFERENCES parent (id), c INT CONSTRAINT "
       "c_pos CHECK (c > 0), CONSTRAINT pk PRIMARY KEY (id), PRIMARY KEY (id), UNIQUE (c), "
       "UNIQUE KEY uk (c), CONSTRAINT uc UNIQUE INDEX ui (c), CONSTRAINT fk FOREIGN KEY fi (pid) "
       "REFERENCES db.parent (id) ON DELETE CASCADE, FOREIGN KEY (c) REFERENCES other (id), "
       "FULLTEXT ft (c), SPATIAL KEY sp (c), CONSTRAINT chk CHECK (c < 10), CHECK (c <> 5))",
       "(ddl create-table (tables (table t) (references (table parent)) (references (table "
       "db.parent)) (references (table other))) (indexes (name c_pos) (name uk) (name uc) (name "
       "ui) (name fk) (name fi) (name ft) (name sp) (name chk)))"},
      {"CREATE TABLE m (a INT) ENGINE = MERGE UNION = (t1, db.t2)",
       "(ddl create-table (tables (table m) (union (table t1)) (union (table db.t2))))"},
  });
}

TEST(DdlAstTest, CreateTableAsSelect) {
  expectDumps({
      {"CREATE TABLE t2 SELECT * FROM t1",
       "(ddl create-table (tables (table t2) (query (table t1))) (as (select (items *) (from "
       "(table t1)))))"},
      {"CREATE TABLE t2 (id INT) IGNORE (SELECT a.id FROM a JOIN db.b ON a.id = b.id)",
       "(ddl create-table (tables (table t2) (query (table a)) (query (table db.b))) (as (select "
       "(items (col a.id)) (from (join (table a) (table db.b) (on (= (col a.id) (col "
       "b.id))))))))"},
      // Tables of derived tables and subqueries too, in text order.
      {"CREATE TABLE t3 AS SELECT a FROM t1 JOIN (SELECT * FROM t4) d ON 1 WHERE x IN (SELECT y "
       "FROM t5)",
       "(ddl create-table (tables (table t3) (query (table t1)) (query (table t4)) (query (table "
       "t5))) (as (select (items (col a)) (from (join (table t1) (derived as d (select (items *) "
       "(from (table t4)))) (on (lit int 1 #0)))) (where (in (col x) (select (items (col y)) "
       "(from (table t5))))))))"},
  });
}

TEST(DdlAstTest, AlterTable) {
  expectDumps({
      {"ALTER TABLE t ADD INDEX i (a)", "(ddl alter-table (tables (table t)) (indexes (name i)))"},
      {"ALTER TABLE t ADD KEY k (a), ADD UNIQUE u (b), ADD UNIQUE KEY uk (b), ADD UNIQUE INDEX "
       "ui (b), ADD FULLTEXT INDEX ft (c)",
       "(ddl alter-table (tables (table t)) (indexes (name k) (name u) (name uk) (name ui) "
       "(name ft)))"},
      {"ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (p) REFERENCES parent (id), ADD CONSTRAINT "
       "chk CHECK (a > 0), ADD PRIMARY KEY (id)",
       "(ddl alter-table (tables (table t) (references (table parent))) (indexes (name fk) "
       "(name chk)))"},
      // IF EXISTS of a clause is not the statement's.
      {"ALTER TABLE t DROP INDEX i, DROP KEY k, DROP INDEX IF EXISTS j, DROP FOREIGN KEY fk, "
       "DROP CONSTRAINT c, DROP CHECK chk, DROP PRIMARY KEY",
       "(ddl alter-table (tables (table t)) (indexes (name i) (name k) (name j) (name fk) (name "
       "c) (name chk)))"},
      {"ALTER TABLE t RENAME INDEX a TO b, RENAME KEY c TO d",
       "(ddl alter-table (tables (table t)) (indexes (name a) (name b) (name c) (name d)))"},
      {"ALTER TABLE t ALTER INDEX i INVISIBLE, ALTER CONSTRAINT c NOT ENFORCED",
       "(ddl alter-table (tables (table t)) (indexes (name i) (name c)))"},
      // Column names are not index names.
      {"ALTER TABLE t DROP COLUMN a, ALTER COLUMN b SET DEFAULT 1, RENAME COLUMN c TO d, ADD "
       "COLUMN e INT, CHANGE f g INT, MODIFY h INT REFERENCES p (id)",
       "(ddl alter-table (tables (table t) (references (table p))))"},
      {"ALTER TABLE db.t RENAME TO db.u",
       "(ddl alter-table (tables (table db.t) (rename-to (table db.u))))"},
      {"ALTER TABLE t RENAME AS u", "(ddl alter-table (tables (table t) (rename-to (table u))))"},
      {"ALTER TABLE t RENAME u", "(ddl alter-table (tables (table t) (rename-to (table u))))"},
      {"ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE t2",
       "(ddl alter-table (tables (table t) (exchange (table t2))))"},
      {"ALTER TABLE t ENGINE = InnoDB", "(ddl alter-table (tables (table t)))"},
  });
}

TEST(DdlAstTest, DropTruncateRename) {
  expectDumps({
      {"DROP TABLE a, db.b, `c`", "(ddl drop-table (tables (table a) (table db.b) (table c)))"},
      {"DROP TEMPORARY TABLE IF EXISTS t",
       "(ddl drop-table temporary if-exists (tables (table "
       "t)))"},
      {"DROP TABLES t", "(ddl drop-table (tables (table t)))"},
      {"TRUNCATE TABLE db.t", "(ddl truncate-table (tables (table db.t)))"},
      {"TRUNCATE t", "(ddl truncate-table (tables (table t)))"},
      {"RENAME TABLE a TO b, db.c TO db.d",
       "(ddl rename-table (tables (table a) (rename-to (table b)) (table db.c) (rename-to (table "
       "db.d))))"},
      {"RENAME TABLES a TO b", "(ddl rename-table (tables (table a) (rename-to (table b))))"},
  });
}

TEST(DdlAstTest, Indexes) {
  expectDumps({
      {"CREATE INDEX i ON t (a)", "(ddl create-index (tables (table t)) (indexes (name i)))"},
      {"CREATE UNIQUE INDEX ui ON db.t (a, b)",
       "(ddl create-index (tables (table db.t)) (indexes (name ui)))"},
      {"CREATE FULLTEXT INDEX ft ON t (c)",
       "(ddl create-index (tables (table t)) (indexes (name ft)))"},
      {"CREATE SPATIAL INDEX sp ON t (g)",
       "(ddl create-index (tables (table t)) (indexes (name sp)))"},
      {"CREATE INDEX IF NOT EXISTS `i x` ON `t` (a)",
       "(ddl create-index if-not-exists (tables (table t)) (indexes (name i x)))"},
      {"DROP INDEX i ON t", "(ddl drop-index (tables (table t)) (indexes (name i)))"},
      {"DROP INDEX IF EXISTS i ON db.t",
       "(ddl drop-index if-exists (tables (table db.t)) (indexes (name i)))"},
  });
}

TEST(DdlAstTest, Databases) {
  expectDumps({
      {"CREATE DATABASE d", "(ddl create-database (database d))"},
      {"CREATE SCHEMA IF NOT EXISTS `my db` CHARACTER SET utf8mb4",
       "(ddl create-database if-not-exists (database my db))"},
      {"ALTER DATABASE d CHARACTER SET utf8mb4", "(ddl alter-database (database d))"},
      {"ALTER DATABASE CHARACTER SET utf8mb4", "(ddl alter-database)"},
      {"DROP DATABASE d", "(ddl drop-database (database d))"},
      {"DROP SCHEMA IF EXISTS d", "(ddl drop-database if-exists (database d))"},
  });
}

TEST(DdlAstTest, Views) {
  expectDumps({
      {"CREATE VIEW v AS SELECT a FROM t",
       "(ddl create-view (tables (table v) (query (table t))) (as (select (items (col a)) (from "
       "(table t)))))"},
      {"CREATE OR REPLACE ALGORITHM = MERGE VIEW db.v (x, y) AS SELECT a, b FROM t1 JOIN t2 "
       "USING (id) WHERE a IN (SELECT c FROM t3)",
       "(ddl create-view (tables (table db.v) (query (table t1)) (query (table t2)) (query "
       "(table t3))) (as (select (items (col a) (col b)) (from (join (table t1) (table t2) "
       "(using id))) (where (in (col a) (select (items (col c)) (from (table t3))))))))"},
      // A CTE reference is listed like a table (the query's `with` tells them apart).
      {"CREATE VIEW v AS WITH c AS (SELECT * FROM t) SELECT * FROM c",
       "(ddl create-view (tables (table v) (query (table t)) (query (table c))) (as (with (cte c "
       "(select (items *) (from (table t)))) select (items *) (from (table c)))))"},
      {"ALTER VIEW v AS SELECT 1 FROM dual",
       "(ddl alter-view (tables (table v)) (as (select (items (lit int 1 #0)))))"},
      {"DROP VIEW v", "(ddl drop-view (tables (table v)))"},
      {"DROP VIEW IF EXISTS v, db.w", "(ddl drop-view if-exists (tables (table v) (table db.w)))"},
  });
}

TEST(DdlAstTest, OtherDdlHasKindAndFlagsOnly) {
  expectDumps({
      {"CREATE TABLESPACE ts ADD DATAFILE 'ts.ibd'", "(ddl tablespace)"},
      {"DROP PROCEDURE IF EXISTS p", "(ddl stored-program if-exists)"},
      {"CREATE FUNCTION IF NOT EXISTS f RETURNS STRING SONAME 'f.so'",
       "(ddl stored-program if-not-exists)"},
  });
}

TEST(DdlAstTest, TablesAreTableRefsWithNames) {
  Statement s = build("RENAME TABLE `db`.`a` TO db.b");
  ASSERT_EQ(s.kind, StatementKind::Ddl);
  ASSERT_EQ(s.ddlKind, DdlKind::RenameTable);
  ASSERT_EQ(s.ddl.tables.size(), 2u);
  EXPECT_EQ(s.ddl.tables[0].role, DdlTable::Role::Target);
  EXPECT_EQ(s.ddl.tables[1].role, DdlTable::Role::RenameTo);
  const TableRef& from = s.tableRef(s.ddl.tables[0].table);
  EXPECT_EQ(from.kind, TableRef::Kind::Table);
  EXPECT_EQ(from.schema.value, "db");
  EXPECT_EQ(s.text(from.schema.span), "`db`");
  EXPECT_EQ(from.name.value, "a");
  EXPECT_EQ(s.text(from.name.span), "`a`");
  EXPECT_EQ(s.text(from.span), "`db`.`a`");
  EXPECT_TRUE(from.alias.empty());
  const TableRef& to = s.tableRef(s.ddl.tables[1].table);
  EXPECT_EQ(s.text(to.span), "db.b");
  EXPECT_EQ(to.schema.value, "db");
  EXPECT_EQ(to.name.value, "b");
  EXPECT_EQ(s.ddl.query, kNone);

  Statement view = build("CREATE VIEW v AS SELECT * FROM t");
  ASSERT_NE(view.ddl.query, kNone);
  ASSERT_EQ(view.ddl.tables.size(), 2u);
  // The query table is the select's own reference, not a copy.
  EXPECT_EQ(view.ddl.tables[1].table, view.query(view.ddl.query).from[0]);

  Statement db = build("DROP DATABASE IF EXISTS `x``y`");
  EXPECT_EQ(db.ddl.database.value, "x`y");
  EXPECT_EQ(db.text(db.ddl.database.span), "`x``y`");
  EXPECT_TRUE(db.ddl.ifExists);
  EXPECT_FALSE(db.ddl.ifNotExists);
  EXPECT_TRUE(db.ddl.tables.empty());
}

// A cache hit must give exactly the AST of a fresh parse: for the same text, and for other
// literals (DDL literals outside a query are not AST nodes, so those differ only by a miss).
TEST(DdlAstTest, StatementCacheHitsEqualFreshParses) {
  StatementCache cache;
  const std::vector<std::string> statements = {
      "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x', KEY idx_a (a))",
      "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x', KEY idx_a (a))",
      "CREATE TABLE t (a VARCHAR(20) DEFAULT 'longer', KEY idx_a (a))",
      "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x')",
      "CREATE TABLE t (a VARCHAR(10) DEFAULT 'x')",
      // Query literals are bound: the offsets after them move on a hit.
      "CREATE VIEW v AS SELECT a FROM t WHERE b = 1 UNION SELECT a FROM db.u WHERE c = 'x'",
      "CREATE VIEW v AS SELECT a FROM t WHERE b = 123456 UNION SELECT a FROM db.u WHERE c = 'yy'",
      "CREATE TABLE t2 (a INT, UNIQUE KEY uk (a)) AS SELECT a FROM t1 WHERE b IN (1, 2) AND c "
      "IN (SELECT c FROM t3)",
      "CREATE TABLE t2 (a INT, UNIQUE KEY uk (a)) AS SELECT a FROM t1 WHERE b IN (100, 2000) AND "
      "c IN (SELECT c FROM t3)",
      "ALTER TABLE t ADD INDEX i (a), ALTER COLUMN b SET DEFAULT 5, RENAME INDEX j TO k",
      "ALTER TABLE t ADD INDEX i (a), ALTER COLUMN b SET DEFAULT 5, RENAME INDEX j TO k",
      "ALTER TABLE t ADD INDEX i (a), ALTER COLUMN b SET DEFAULT 50, RENAME INDEX j TO k",
      "DROP TABLE IF EXISTS a, b",
      "DROP TABLE IF EXISTS a, b",
  };
  for (const auto& sql : statements) {
    auto fresh = parseAst(sql);
    auto cached = cache.get(sql);
    ASSERT_TRUE(fresh.isOk()) << sql;
    ASSERT_TRUE(cached.isOk()) << sql;
    EXPECT_EQ(describe(*fresh, true), describe(*cached, true)) << sql;
    EXPECT_EQ(toJson(*fresh), toJson(*cached)) << sql;
  }
  EXPECT_EQ(cache.hits(), 6u);  // the repeats and the bound query literals
}

}  // namespace
}  // namespace shardproxy::parser::ast
