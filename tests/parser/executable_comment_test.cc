// Executable comments are judged as the server judges them: content runs when the comment's
// version is at most the server's, and is a comment otherwise.
#include <gtest/gtest.h>

#include "parser/ast.h"
#include "parser/parser.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser {
namespace {

size_t selectItems(const std::string& sql) {
  auto s = ast::parseAst(sql);
  EXPECT_TRUE(s.isOk()) << sql << ": " << s.status().toString();
  if (!s || s->kind != ast::StatementKind::Select) return 0;
  return s->query(s->select).items.size();
}

TEST(ExecutableCommentTest, ContentRunsUpToTheServersVersion) {
  ASSERT_EQ(serverVersionId(), 101100u);  // the default until start-up sets it
  EXPECT_EQ(selectItems("SELECT 1 /*! , 2 */"), 2u);
  EXPECT_EQ(selectItems("SELECT 1 /*!50699 , 2 */"), 2u);
  // MariaDB leaves MySQL 5.7+ comments alone (they hold MySQL's syntax), unless written /*M!.
  EXPECT_EQ(selectItems("SELECT 1 /*!50700 , 2 */"), 1u);
  EXPECT_EQ(selectItems("SELECT 1 /*!99999 , 2 */"), 1u);
  EXPECT_EQ(selectItems("SELECT 1 /*M!50700 , 2 */"), 2u);
  EXPECT_EQ(selectItems("SELECT 1 /*!100000 , 2 */"), 2u);
  EXPECT_EQ(selectItems("SELECT 1 /*M!100500 , 2 */"), 2u);
  EXPECT_EQ(selectItems("SELECT 1 /*!101101 , 2 */"), 1u);
  EXPECT_EQ(selectItems("SELECT 1 /*M!999999 , 2 */"), 1u);
  EXPECT_EQ(selectItems("SELECT 1 /*m!999999 , (SELECT x FROM db.t) */, 3"), 2u);
  // A newer comment's content is not lexed at all, so text no grammar takes is fine there.
  auto sandbox = ast::parseAst("/*M!999999\\- enable the sandbox mode */");
  ASSERT_TRUE(sandbox.isOk()) << sandbox.status().toString();
  EXPECT_TRUE(sandbox->objects.empty());
  // Names in a newer comment are not the statement's; in an older one they are.
  auto older = ast::parseAst("SELECT 1 /*!50000 , (SELECT x FROM db.t) */");
  ASSERT_TRUE(older.isOk());
  EXPECT_EQ(older->objects.size(), 1u);
  auto newer = ast::parseAst("SELECT 1 /*!110000 , (SELECT x FROM db.t) */");
  ASSERT_TRUE(newer.isOk());
  EXPECT_TRUE(newer->objects.empty());
  // Offsets stay those of the text.
  auto after = ast::parseAst("SELECT /*!110000 2, */ 1 AS one");
  ASSERT_TRUE(after.isOk());
  const ast::SelectItem& item = after->query(after->select).items.at(0);
  EXPECT_EQ(after->text(item.span), "1 AS one");
  // Inside strings, quoted names and ordinary comments nothing is a marker.
  EXPECT_EQ(selectItems("SELECT '/*!110000 ', 2 /* /*!110000 */"), 2u);
  EXPECT_EQ(selectItems("SELECT `/*!110000`, 2 -- /*!110000\n FROM t"), 2u);
}

// The statement cache keys statements as the parser reads them: an executable comment's content
// is part of the statement exactly when the parser lexes it.
TEST(ExecutableCommentTest, TheStatementCacheAgrees) {
  StatementCache cache;
  auto items = [&](const std::string& sql) {
    auto s = cache.get(sql);
    EXPECT_TRUE(s.isOk()) << sql;
    return s ? s->query(s->select).items.size() : 0;
  };
  EXPECT_EQ(items("SELECT 1"), 1u);
  EXPECT_EQ(items("SELECT 1 /*M!100000 , 2 */"), 2u);
  EXPECT_EQ(items("SELECT 1 /*m!100000 , 3 */"), 2u);
  EXPECT_EQ(items("SELECT 1, 2"), 2u);
  EXPECT_EQ(items("SELECT 1 /*!110000 , 2 */"), 1u);
  EXPECT_EQ(items("SELECT 4 /*M!999999 , 5 */"), 1u);
  auto s = cache.get("SELECT 1 /*M!100000 , (SELECT x FROM db.t) */");
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(s->objects.size(), 1u);
}

TEST(ExecutableCommentTest, VersionIds) {
  EXPECT_EQ(versionIdOf("5.5.5-10.11.6-MariaDB-0+deb12u1-shardproxy-0.1"), 101106u);
  EXPECT_EQ(versionIdOf("8.0.36"), 80036u);
  EXPECT_EQ(versionIdOf("10.6"), 100600u);
  EXPECT_EQ(versionIdOf("x"), 0u);
}

}  // namespace
}  // namespace shardproxy::parser
