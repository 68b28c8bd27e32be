#include "parser/normalizer.h"

#include <gtest/gtest.h>

namespace shardproxy::parser {
namespace {

struct Case {
  const char* sql;
  const char* key;
  std::vector<std::string> literals;  // literal texts, in order
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.sql; }

class NormalizerTest : public ::testing::TestWithParam<Case> {};

TEST_P(NormalizerTest, KeyAndLiterals) {
  const Case& c = GetParam();
  Normalized n;
  ASSERT_TRUE(normalize(c.sql, n)) << c.sql;
  EXPECT_EQ(n.key, c.key);
  std::vector<std::string> texts;
  std::string_view sql(c.sql);
  for (const auto& l : n.literals) texts.emplace_back(sql.substr(l.begin, l.end - l.begin));
  EXPECT_EQ(texts, c.literals);
}

INSTANTIATE_TEST_SUITE_P(
    Statements, NormalizerTest,
    ::testing::Values(
        Case{"SELECT c FROM sbtest1 WHERE id=5017", "SELECT c FROM sbtest1 WHERE id = ?", {"5017"}},
        Case{"select  *\n from t\twhere a = 'x''y' and b=\"q\\\"r\"",
             "select * from t where a = ? and b = ?",
             {"'x''y'", "\"q\\\"r\""}},
        Case{"SELECT 1.5e-3, .5, -7, 0x1F, X'0a', b'101', 0b11",
             "SELECT ? , ? , - ? , ? , ? , ? , ?",
             {"1.5e-3", ".5", "7", "0x1F", "X'0a'", "b'101'", "0b11"}},
        Case{"SELECT _utf8mb4'ü', N'x'", "SELECT _utf8mb4 ? , N ?", {"'ü'", "'x'"}},
        Case{"SELECT a FROM t WHERE id IN (1, 2, 3)", "SELECT a FROM t WHERE id IN ( ? , ? , ? )",
             {"1", "2", "3"}},
        Case{"SELECT a FROM t WHERE id = ? AND b = ?", "SELECT a FROM t WHERE id = :? AND b = :?",
             {}},
        Case{"SELECT a, b FROM t ORDER BY 2 DESC, 1 LIMIT 10, 5",
             "SELECT a , b FROM t ORDER BY 2 DESC , 1 LIMIT ? , ?",
             {"10", "5"}},
        Case{"SELECT a FROM t GROUP BY 1 HAVING count(*) > 2",
             "SELECT a FROM t GROUP BY 1 HAVING count ( * ) > ?",
             {"2"}},
        Case{"SELECT (SELECT 1 FROM u ORDER BY 1) + 2", "SELECT ( SELECT ? FROM u ORDER BY 1 ) + ?",
             {"1", "2"}},
        Case{"SELECT /* note */ a -- trailing\n FROM t # more\n WHERE x = 1",
             "SELECT a FROM t WHERE x = ?",
             {"1"}},
        Case{"SELECT /*+ MAX_EXECUTION_TIME(10) */ a FROM t",
             "SELECT /*+ MAX_EXECUTION_TIME(10) */ a FROM t",
             {}},
        Case{"/* SHARDINGSPHERE_HINT: SHARDING_DATABASE_VALUE=1 */ SELECT 1",
             "/* SHARDINGSPHERE_HINT: SHARDING_DATABASE_VALUE=1 */ SELECT ?",
             {"1"}},
        Case{"/*!40101 SET NAMES utf8 */", "SET NAMES utf8", {}},
        Case{"SELECT /*!50100 STRAIGHT_JOIN */ 1", "SELECT STRAIGHT_JOIN ?", {"1"}},
        Case{"SELECT @a := 1, @@session.sql_mode, @`q`",
             "SELECT @a := ? , @@session.sql_mode , @`q`",
             {"1"}},
        Case{"SELECT `weird ``name`` 1` FROM `t`", "SELECT `weird ``name`` 1` FROM `t`", {}},
        Case{"SELECT 1st_col, t.5 FROM t", "SELECT 1st_col , t . ? FROM t", {"5"}},
        Case{"SELECT a->>'$.x', b<=>c FROM t", "SELECT a ->> ? , b <=> c FROM t", {"'$.x'"}},
        Case{"INSERT INTO t (a, b) VALUES (1, 'a'), (2, NULL)",
             "INSERT INTO t ( a , b ) VALUES ( ? , ? ) , ( ? , NULL )",
             {"1", "'a'", "2"}},
        Case{"SELECT 1; SELECT 2 ORDER BY 1", "SELECT ? ; SELECT ? ORDER BY 1", {"1", "2"}}));

TEST(NormalizerTest, UnterminatedInputIsRefused) {
  Normalized n;
  EXPECT_FALSE(normalize("SELECT 'abc", n));
  EXPECT_FALSE(normalize("SELECT `abc", n));
  EXPECT_FALSE(normalize("SELECT 1 /* never closed", n));
  EXPECT_FALSE(normalize("SELECT /*! 1", n));
  EXPECT_TRUE(normalize("", n));
  EXPECT_EQ(n.key, "");
}

TEST(NormalizerTest, SameShapeSameKey) {
  Normalized a, b;
  ASSERT_TRUE(normalize("SELECT c FROM sbtest1 WHERE id = 1", a));
  ASSERT_TRUE(normalize("select c from sbtest1 where id=99999", b));
  EXPECT_NE(a.key, b.key);  // keyword case is kept: identifiers may be case-sensitive
  ASSERT_TRUE(normalize("SELECT c FROM sbtest1 WHERE id=99999", b));
  EXPECT_EQ(a.key, b.key);
  ASSERT_TRUE(normalize("SELECT c FROM sbtest1 WHERE id IN (1,2)", a));
  ASSERT_TRUE(normalize("SELECT c FROM sbtest1 WHERE id IN (1,2,3)", b));
  EXPECT_NE(a.key, b.key);  // IN-list lengths stay in the key
}

}  // namespace
}  // namespace shardproxy::parser
