#include "admin/distsql.h"

#include <gtest/gtest.h>

#include <string>
#include <variant>

namespace shardproxy::admin {
namespace {

TEST(DistVariable, SetAndShowForms) {
  auto set = distVariable("SET VARIABLE transaction_type = 'XA'");
  ASSERT_TRUE(set.has_value());
  EXPECT_TRUE(set->set);
  EXPECT_FALSE(set->dist);
  EXPECT_EQ(set->name, "transaction_type");
  EXPECT_EQ(set->value, "XA");
  auto dist = distVariable("  set dist variable Transaction_Type = local ;");
  ASSERT_TRUE(dist.has_value());
  EXPECT_TRUE(dist->set && dist->dist);
  EXPECT_EQ(dist->name, "transaction_type");
  EXPECT_EQ(dist->value, "local");
  auto show = distVariable("SHOW VARIABLE transaction_type");
  ASSERT_TRUE(show.has_value());
  EXPECT_FALSE(show->set);
  EXPECT_EQ(show->name, "transaction_type");
  auto where = distVariable("SHOW DIST VARIABLE WHERE NAME = transaction_type");
  ASSERT_TRUE(where.has_value());
  EXPECT_TRUE(where->dist);
  EXPECT_EQ(where->name, "transaction_type");
  auto all = distVariable("show dist variables");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->name.empty());
}

TEST(DistVariable, MySqlStatementsAreNotDistSql) {
  for (const char* sql : {"SET autocommit = 0", "SET @a = 1", "SHOW VARIABLES",
                          "SHOW VARIABLES LIKE 'x'", "SET VARIABLE a", "SET VARIABLE a = 1 , b = 2",
                          "SHOW DIST VARIABLE", "SELECT 1", "", "SET VARIABLE 'unterminated"}) {
    EXPECT_FALSE(distVariable(sql).has_value()) << sql;
  }
}

// The statements admin answers, written with comments of each style, any case, quoting and `;`.
TEST(DistVariable, CommentsCaseQuotingAndSemicolon) {
  auto set = distVariable(
      "/* lead */ sEt /*x*/ DiSt -- line\n VARIABLE `Transaction_Type` # hash\n = \"XA\" ;");
  ASSERT_TRUE(set.has_value());
  EXPECT_TRUE(set->set && set->dist);
  EXPECT_EQ(set->name, "transaction_type");
  EXPECT_EQ(set->value, "XA");
  auto quotedName = distVariable("SET VARIABLE 'transaction_type' = `local`");
  ASSERT_TRUE(quotedName.has_value());
  EXPECT_EQ(quotedName->name, "transaction_type");
  EXPECT_EQ(quotedName->value, "local");
  // Quoted values are read as MySQL reads string literals.
  EXPECT_EQ(distVariable("SET VARIABLE a = 'it''s\\n'")->value, "it's\n");
  EXPECT_EQ(distVariable("SET VARIABLE a = `x``y`")->value, "x`y");
  EXPECT_EQ(distVariable("SET VARIABLE a = 1.5")->value, "1.5");
  // Keywords of the grammar are names too.
  EXPECT_EQ(distVariable("SHOW VARIABLE name")->name, "name");
  EXPECT_EQ(distVariable("SHOW DIST VARIABLE WHERE")->name, "where");
  auto where = distVariable("show/**/dist variable where name = 'Transaction_Type';");
  ASSERT_TRUE(where.has_value());
  EXPECT_EQ(where->name, "transaction_type");
  auto all = distVariable("-- header\nSHOW DIST VARIABLES # all\n;");
  ASSERT_TRUE(all.has_value());
  EXPECT_TRUE(all->dist && all->name.empty());
  for (const char* sql :
       {"SHOW DIST VARIABLES ;;", "SHOW DIST VARIABLES; SELECT 1", "SHOW VARIABLE WHERE NAME = a",
        "SET DIST VARIABLE a := 1", "SET VARIABLE a = -1", "SHOW DIST VARIABLE a b",
        "SHOW DIST VARIABLES --x", "SET DIST VARIABLES a = 1",
        "SHOW DIST /* unterminated VARIABLES"}) {
    EXPECT_FALSE(distVariable(sql).has_value()) << sql;
  }
}

TEST(Preview, TargetIsTheTextAfterTheKeyword) {
  EXPECT_EQ(previewTarget("PREVIEW SELECT 1"), "SELECT 1");
  EXPECT_EQ(previewTarget("  preview\n\tSELECT * FROM t_order WHERE id = 1;"),
            "SELECT * FROM t_order WHERE id = 1;");
  // Comments before the keyword are skipped; those after it belong to the statement.
  EXPECT_EQ(previewTarget("/* a */ # b\nPrEvIeW /* keep */ SELECT 1"), "/* keep */ SELECT 1");
  // Byte offsets, not code points: non-ASCII (and invalid UTF-8) before the statement.
  EXPECT_EQ(previewTarget("/* caf\xc3\xa9 \xff */ PREVIEW SELECT '\xc3\xbc'"), "SELECT '\xc3\xbc'");
  // The statement after PREVIEW is anything, even what the DistSQL lexer cannot make sense of.
  EXPECT_EQ(previewTarget("PREVIEW SELECT 'unterminated"), "SELECT 'unterminated");
  EXPECT_EQ(previewTarget("PREVIEW SHOW DIST VARIABLES"), "SHOW DIST VARIABLES");
  EXPECT_EQ(previewTarget("PREVIEW"), "");
  for (const char* sql : {"PREVIEWS SELECT 1", "SELECT 1", "", "/* PREVIEW */ SELECT 1",
                          "SELECT 'PREVIEW x'", "`PREVIEW` SELECT 1"}) {
    EXPECT_FALSE(previewTarget(sql).has_value()) << sql;
  }
  auto parsed = parseDistSql("PREVIEW SELECT 1");
  ASSERT_TRUE(parsed.has_value());
  ASSERT_TRUE(std::holds_alternative<distsql::Preview>(*parsed));
  EXPECT_EQ(std::get<distsql::Preview>(*parsed).offset, 8u);
}

// Ordinary statements are ruled out by their first keywords: the grammar never runs for them.
TEST(DistSql, MySqlStatementsNeverReachTheGrammar) {
  DistSqlParseStats stats;
  for (const char* sql : {"SHOW VARIABLES",
                          "SET @a=1",
                          "SET autocommit=0",
                          "SHOW VARIABLES LIKE 'x'",
                          "SELECT 1",
                          "",
                          "SET @a = 1",
                          "SET SESSION sql_mode = ''",
                          "SHOW DATABASES",
                          "SHOW TABLES FROM db",
                          "SHOW GLOBAL VARIABLES",
                          "/* SHOW DIST VARIABLES */ SELECT 1",
                          "SET NAMES utf8mb4",
                          "/*!40101 SET character_set_client = utf8 */",
                          "INSERT INTO t VALUES (1)",
                          "BEGIN",
                          "SHOW",
                          "SET",
                          "   ",
                          "SHOWDIST VARIABLES",
                          "SET `DIST` VARIABLE a = 1"}) {
    EXPECT_FALSE(mayBeDistSql(sql)) << sql;
    EXPECT_FALSE(parseDistSql(sql, &stats).has_value()) << sql;
  }
  EXPECT_EQ(stats.grammarRuns, 0u);
  // What may be DistSQL runs the grammar, which has the last word.
  EXPECT_TRUE(parseDistSql("SHOW DIST VARIABLES", &stats).has_value());
  EXPECT_EQ(stats.grammarRuns, 1u);
  EXPECT_FALSE(parseDistSql("SHOW STORAGE ENGINES", &stats).has_value());
  EXPECT_EQ(stats.grammarRuns, 2u);
}

TEST(DistSql, ShowDistVariablesLike) {
  auto parsed = parseDistSql("SHOW DIST VARIABLES LIKE 'xa\\_%'");
  ASSERT_TRUE(parsed.has_value());
  const auto* show = std::get_if<distsql::ShowDistVariable>(&*parsed);
  ASSERT_NE(show, nullptr);
  EXPECT_TRUE(show->dist);
  EXPECT_TRUE(show->name.empty());
  EXPECT_EQ(show->like, "xa\\_%");
  // Not answered by admin yet: it goes the MySQL way as before.
  EXPECT_FALSE(distVariable(*parsed).has_value());
}

// Issue 18's read-side statements: parsed now, answered later.
TEST(DistSql, ShowRules) {
  using K = distsql::ShowRulesKind;
  struct Case {
    const char* sql;
    K kind;
    const char* table;
    const char* database;
    const char* like;  // nullptr: none
  };
  const Case cases[] = {
      {"SHOW STORAGE UNITS", K::StorageUnits, "", "", nullptr},
      {"show storage units from sharding_db;", K::StorageUnits, "", "sharding_db", nullptr},
      {"SHOW SHARDING TABLE RULES FROM `my db`", K::ShardingTableRules, "", "my db", nullptr},
      {"SHOW SHARDING TABLE RULE t_order", K::ShardingTableRule, "t_order", "", nullptr},
      {"SHOW SHARDING TABLE RULE `rules` FROM db", K::ShardingTableRule, "rules", "db", nullptr},
      {"SHOW BROADCAST TABLE RULES", K::BroadcastTableRules, "", "", nullptr},
      {"SHOW SINGLE TABLES", K::SingleTables, "", "", nullptr},
      {"SHOW SINGLE TABLES FROM db LIKE 't\\_%'", K::SingleTables, "", "db", "t\\_%"},
      {"SHOW SINGLE TABLE t_user", K::SingleTable, "t_user", "", nullptr},
      {"SHOW COMPUTE NODES", K::ComputeNodes, "", "", nullptr},
      {"SHOW SHARDING ALGORITHMS /* c */ FROM db", K::ShardingAlgorithms, "", "db", nullptr},
      {"SHOW DEFAULT SHARDING STRATEGY", K::DefaultShardingStrategy, "", "", nullptr},
      {"SHOW SHARDING KEY GENERATORS FROM db", K::ShardingKeyGenerators, "", "db", nullptr},
  };
  for (const Case& c : cases) {
    auto parsed = parseDistSql(c.sql);
    ASSERT_TRUE(parsed.has_value()) << c.sql;
    const auto* rules = std::get_if<distsql::ShowRules>(&*parsed);
    ASSERT_NE(rules, nullptr) << c.sql;
    EXPECT_EQ(rules->kind, c.kind) << c.sql;
    EXPECT_EQ(rules->table, c.table) << c.sql;
    EXPECT_EQ(rules->database, c.database) << c.sql;
    EXPECT_EQ(rules->like.has_value(), c.like != nullptr) << c.sql;
    if (c.like != nullptr) {
      EXPECT_EQ(*rules->like, c.like) << c.sql;
    }
    EXPECT_FALSE(distVariable(*parsed).has_value()) << c.sql;
  }
  for (const char* sql :
       {"SHOW STORAGE ENGINES", "SHOW SHARDING TABLE RULE", "SHOW COMPUTE NODES x",
        "SHOW SHARDING TABLE RULES FROM", "SHOW DEFAULT SHARDING"}) {
    EXPECT_FALSE(parseDistSql(sql).has_value()) << sql;
  }
}

}  // namespace
}  // namespace shardproxy::admin
