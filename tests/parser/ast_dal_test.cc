// AST bodies of the statements the session answers itself: USE, SHOW DATABASES / TABLES /
// STATUS, KILL.
#include <gtest/gtest.h>

#include "parser/ast.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser {
namespace {

ast::Statement parsed(const char* sql) {
  auto r = ast::parseAst(sql);
  EXPECT_TRUE(r.isOk()) << sql << ": " << r.status().toString();
  return r.isOk() ? std::move(r.value()) : ast::Statement{};
}

TEST(AstDalTest, Use) {
  auto s = parsed("USE `my``db`");
  EXPECT_EQ(s.kind, ast::StatementKind::Use);
  EXPECT_EQ(s.useDatabase.value, "my`db");
  EXPECT_EQ(s.text(s.useDatabase.span), "`my``db`");
}

TEST(AstDalTest, ShowDatabasesAndTables) {
  auto s = parsed("SHOW SCHEMAS LIKE 'd\\_%'");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Databases);
  ASSERT_NE(s.show.like, ast::kNone);
  EXPECT_EQ(s.expr(s.show.like).value, "d\\_%");  // \_ keeps its backslash for LIKE

  s = parsed("SHOW FULL TABLES IN db2 WHERE Table_type = 'VIEW'");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Tables);
  EXPECT_TRUE(s.show.full);
  EXPECT_EQ(s.show.database.value, "db2");
  EXPECT_EQ(s.show.like, ast::kNone);
  EXPECT_EQ(s.text(s.show.filterSpan), "WHERE Table_type = 'VIEW'");

  s = parsed("SHOW TABLES");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Tables);
  EXPECT_FALSE(s.show.full);
  EXPECT_TRUE(s.show.database.empty());
  EXPECT_TRUE(s.show.filterSpan.empty());

  s = parsed("SHOW TABLE STATUS FROM db LIKE 't%'");
  EXPECT_EQ(s.kind, ast::StatementKind::Show);
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::TableStatus);
  EXPECT_EQ(s.show.database.value, "db");
  EXPECT_EQ(s.text(s.show.filterSpan), "LIKE 't%'");

  s = parsed("SHOW WARNINGS LIMIT 2");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Warnings);
  s = parsed("SHOW COUNT(*) WARNINGS");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Other);

  s = parsed("SHOW OPEN TABLES");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Other);
}

TEST(AstDalTest, ShowStatus) {
  auto s = parsed("SHOW STATUS LIKE 'Ssl_cipher'");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Status);
  EXPECT_FALSE(s.show.global);
  ASSERT_NE(s.show.like, ast::kNone);
  EXPECT_EQ(s.expr(s.show.like).value, "Ssl_cipher");

  s = parsed("SHOW SESSION STATUS WHERE Variable_name = 'Ssl_version'");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Status);
  EXPECT_FALSE(s.show.global);
  EXPECT_EQ(s.text(s.show.filterSpan), "WHERE Variable_name = 'Ssl_version'");

  s = parsed("SHOW GLOBAL STATUS");
  EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Status);
  EXPECT_TRUE(s.show.global);

  // Other statements with STATUS in them are not this one.
  for (const char* other :
       {"SHOW ENGINE INNODB STATUS", "SHOW PROCEDURE STATUS",
        "SHOW MASTER STATUS", "SHOW SLAVE STATUS", "SHOW GLOBAL VARIABLES"}) {
    s = parsed(other);
    EXPECT_EQ(s.show.kind, ast::ShowStatement::Kind::Other) << other;
  }
  EXPECT_EQ(parsed("SHOW TABLE STATUS").show.kind, ast::ShowStatement::Kind::TableStatus);
}

TEST(AstDalTest, Kill) {
  auto s = parsed("KILL QUERY 42");
  EXPECT_EQ(s.kind, ast::StatementKind::Kill);
  EXPECT_TRUE(s.kill.query);
  EXPECT_EQ(s.expr(s.kill.target).value, "42");
  s = parsed("KILL CONNECTION 7");
  EXPECT_FALSE(s.kill.query);
}

TEST(AstDalTest, CacheBindsTheLikePattern) {
  StatementCache cache;
  ASSERT_TRUE(cache.get("SHOW TABLES LIKE 'a%'").isOk());
  auto s = cache.get("SHOW TABLES LIKE 'order_items%'");
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(cache.hits(), 1u);
  EXPECT_EQ(s->expr(s->show.like).value, "order_items%");
  EXPECT_EQ(s->text(s->show.filterSpan), "LIKE 'order_items%'");
}

}  // namespace
}  // namespace shardproxy::parser
