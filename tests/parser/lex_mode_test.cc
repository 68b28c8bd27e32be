// The session's sql_mode as it changes lexing: under ANSI_QUOTES "x" is a name, under
// NO_BACKSLASH_ESCAPES a backslash is an ordinary character. The normalizer, the statement
// cache, the splitter and the parser must all read a text as the server reads it in that mode,
// and line comments run to '\n' only, as in the server.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "parser/ast.h"
#include "parser/normalizer.h"
#include "parser/parser.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser {
namespace {

constexpr LexMode kDefault{};
constexpr LexMode kAnsi{LexMode::kAnsiQuotes};
constexpr LexMode kNoEscapes{LexMode::kNoBackslashEscapes};
constexpr LexMode kBoth{LexMode::kAnsiQuotes | LexMode::kNoBackslashEscapes};

std::string dump(std::string_view sql, LexMode mode) {
  auto s = ast::parseAst(sql, mode);
  if (!s) return "ERROR " + s.status().message();
  return ast::describe(*s, false);
}

std::string key(std::string_view sql, LexMode mode) {
  Normalized n;
  if (!normalize(sql, n, mode)) return "<untokenizable>";
  return n.key;
}

std::vector<std::string> literals(std::string_view sql, LexMode mode) {
  Normalized n;
  EXPECT_TRUE(normalize(sql, n, mode)) << sql;
  std::vector<std::string> out;
  for (const auto& l : n.literals) out.emplace_back(sql.substr(l.begin, l.end - l.begin));
  return out;
}

std::vector<std::string> split(std::string_view sql, LexMode mode) {
  std::vector<std::string> out;
  for (std::string_view piece : splitStatements(sql, mode)) out.emplace_back(piece);
  return out;
}

TEST(LexModeTest, FromSqlModeValues) {
  EXPECT_EQ(LexMode::ofSqlMode("").bits, 0);
  EXPECT_EQ(LexMode::ofSqlMode("STRICT_TRANS_TABLES,ERROR_FOR_DIVISION_BY_ZERO,"
                               "NO_AUTO_CREATE_USER,NO_ENGINE_SUBSTITUTION")
                .bits,
            0);
  EXPECT_EQ(LexMode::ofSqlMode("ANSI_QUOTES"), kAnsi);
  EXPECT_EQ(LexMode::ofSqlMode("REAL_AS_FLOAT,PIPES_AS_CONCAT,ANSI_QUOTES,IGNORE_SPACE,ANSI"),
            kAnsi);
  EXPECT_EQ(LexMode::ofSqlMode("ansi"), kAnsi);
  EXPECT_EQ(LexMode::ofSqlMode("NO_BACKSLASH_ESCAPES"), kNoEscapes);
  EXPECT_EQ(LexMode::ofSqlMode("strict_all_tables, no_backslash_escapes ,ansi_quotes"), kBoth);
  // Names that merely contain the flags are other flags.
  EXPECT_EQ(LexMode::ofSqlMode("NO_ANSI_QUOTES_X,XNO_BACKSLASH_ESCAPES").bits, 0);
}

TEST(LexModeTest, NormalizerReadsDoubleQuotesByMode) {
  const char* sql = "SELECT \"a\" FROM t WHERE \"b\" = 'x'";
  EXPECT_EQ(key(sql, kDefault), "SELECT ? FROM t WHERE ? = ?");
  EXPECT_EQ(key(sql, kAnsi), "SELECT \"a\" FROM t WHERE \"b\" = ?");
  EXPECT_EQ(literals(sql, kAnsi), std::vector<std::string>{"'x'"});
  // A quoted name does not take backslash escapes: "a\" is a whole name under ANSI_QUOTES.
  EXPECT_EQ(key("SELECT \"a\\\" , 1", kAnsi), "SELECT \"a\\\" , ?");
  EXPECT_EQ(key("SELECT \"a\\\" , 1", kDefault), "<untokenizable>");
  // "t".5 is column 5 of t only when "t" is a name.
  EXPECT_EQ(key("SELECT \"t\".5", kAnsi), "SELECT \"t\" . ?");
  EXPECT_EQ(key("SELECT \"t\".5", kDefault), "SELECT ? ?");
  // @"v" is a user variable either way; its name takes no escapes under ANSI_QUOTES.
  EXPECT_EQ(key("SELECT @\"v\\\", 1", kAnsi), "SELECT @\"v\\\" , ?");
}

TEST(LexModeTest, NormalizerReadsBackslashesByMode) {
  const char* sql = "SELECT 'a\\', 'b'";
  EXPECT_EQ(literals(sql, kNoEscapes), (std::vector<std::string>{"'a\\'", "'b'"}));
  // Read with escapes, 'a\', ' is one string and b' an unterminated bit string.
  EXPECT_EQ(key(sql, kDefault), "<untokenizable>");
  EXPECT_EQ(literals("SELECT _utf8mb4'\\', N'\\'", kNoEscapes),
            (std::vector<std::string>{"'\\'", "'\\'"}));
  EXPECT_EQ(literals("SELECT \"\\\", 1", kNoEscapes), (std::vector<std::string>{"\"\\\"", "1"}));
  EXPECT_EQ(key("SELECT @'v\\' := 1", kNoEscapes), "SELECT @'v\\' := ?");
}

TEST(LexModeTest, LineCommentsRunToNewlineOnly) {
  for (LexMode mode : {kDefault, kAnsi, kNoEscapes}) {
    EXPECT_EQ(key("SELECT 1 # c\r, secret FROM t\n, 2", mode), "SELECT ? , ?");
    EXPECT_EQ(key("SELECT 1 -- c\r, secret FROM t\n, 2", mode), "SELECT ? , ?");
    EXPECT_EQ(key("SELECT 1 --\r, secret\n, 2", mode), "SELECT ? , ?");
    // `--` then any control character (and DEL) starts a comment too, as in the server.
    EXPECT_EQ(key("SELECT 1 --\x01, secret\n, 2", mode), "SELECT ? , ?");
    EXPECT_EQ(key("SELECT 1 --\x7f, secret\n, 2", mode), "SELECT ? , ?");
    EXPECT_EQ(key("SELECT 1 --x", mode), "SELECT ? - - x");
    EXPECT_EQ(key("SELECT 1 --", mode), "SELECT ?");
  }
}

TEST(LexModeTest, ParserAgreesOnLineComments) {
  EXPECT_EQ(dump("SELECT a # c\r, secret FROM t\n FROM u", kDefault),
            "(select (items (col a)) (from (table u)))");
  EXPECT_EQ(dump("SELECT a -- c\r, secret FROM t\n FROM u", kDefault),
            "(select (items (col a)) (from (table u)))");
  EXPECT_EQ(dump("SELECT a --\x01, secret FROM t\n FROM u", kDefault),
            "(select (items (col a)) (from (table u)))");
  EXPECT_EQ(dump("SELECT a --\x7f, secret FROM t\n FROM u", kDefault),
            "(select (items (col a)) (from (table u)))");
  EXPECT_EQ(dump("SELECT a --\n, b FROM u", kDefault),
            "(select (items (col a) (col b)) (from (table u)))");
  // A NUL ends a line comment, and is then a syntax error, as in the server.
  EXPECT_EQ(dump(std::string_view("SELECT a # c\0, b", 16), kDefault).rfind("ERROR", 0), 0u);
}

TEST(LexModeTest, ParserReadsDoubleQuotesByMode) {
  EXPECT_EQ(dump("SELECT \"a\" FROM \"t\"", kDefault).rfind("ERROR", 0), 0u);
  EXPECT_EQ(dump("SELECT \"a\" FROM t", kDefault),
            "(select (items (lit str 'a' #0)) (from (table t)))");
  EXPECT_EQ(dump("SELECT \"a\" FROM \"t\"", kAnsi), "(select (items (col a)) (from (table t)))");
  EXPECT_EQ(dump("SELECT \"x\"\"y\" FROM \"db\".\"t\"", kAnsi),
            "(select (items (col x\"y)) (from (table db.t)))");
  EXPECT_EQ(dump("SELECT \"a\\\" FROM t", kAnsi), "(select (items (col a\\)) (from (table t)))");
  // Single quotes stay strings; backquotes stay names.
  EXPECT_EQ(dump("SELECT 'a', `b` FROM t", kAnsi),
            "(select (items (lit str 'a' #0) (col b)) (from (table t)))");
}

TEST(LexModeTest, ParserReadsBackslashesByMode) {
  EXPECT_EQ(dump("SELECT 'a\\', 'b'", kNoEscapes),
            "(select (items (lit str 'a\\' #0) (lit str 'b' #1)))");
  EXPECT_EQ(dump("SELECT 'a\\nb'", kNoEscapes), "(select (items (lit str 'a\\nb' #0)))");
  EXPECT_EQ(dump("SELECT 'a\\nb'", kDefault), "(select (items (lit str 'a\nb' #0)))");
  EXPECT_EQ(dump("SELECT \"a\\\", N'\\', _utf8mb4'\\'", kNoEscapes),
            "(select (items (lit str 'a\\' #0) (lit str N'\\' #1) (lit str utf8mb4'\\' #2)))");
  // Under both flags "a\" is a name and 'b\' a string.
  EXPECT_EQ(dump("SELECT \"a\\\" FROM t WHERE x = 'b\\'", kBoth),
            "(select (items (col a\\)) (from (table t)) (where (= (col x) (lit str 'b\\' #0))))");
  // Without escapes the default reading runs past the quote.
  EXPECT_EQ(dump("SELECT 'a\\', 'b'", kDefault).rfind("ERROR", 0), 0u);
}

TEST(LexModeTest, NewerExecutableCommentsAreFoundByMode) {
  // Under NO_BACKSLASH_ESCAPES 'a\' ends before the comment, which is newer than the server and
  // so a comment: what it holds is not a select item.
  EXPECT_EQ(dump("SELECT 'a\\', /*!999999 b, */ 'c'", kNoEscapes),
            "(select (items (lit str 'a\\' #0) (lit str 'c' #1)))");
  EXPECT_EQ(dump("SELECT \"a\\\", /*!999999 b, */ c FROM t", kAnsi),
            "(select (items (col a\\) (col c)) (from (table t)))");
}

TEST(LexModeTest, SplitFollowsTheMode) {
  const char* sql = "SELECT 'a\\'; SELECT 2; SELECT ';'";
  EXPECT_EQ(split(sql, kNoEscapes),
            (std::vector<std::string>{"SELECT 'a\\';", " SELECT 2;", " SELECT ';'"}));
  // Read with escapes, the text stops being readable at the last quote: what comes before the
  // last `;` ahead of it is a statement, the rest one piece (whose parse reports the error).
  EXPECT_EQ(split(sql, kDefault),
            (std::vector<std::string>{"SELECT 'a\\'; SELECT 2; SELECT ';", "'"}));
  EXPECT_EQ(split("SELECT 1; SELECT 'abc", kDefault),
            (std::vector<std::string>{"SELECT 1;", " SELECT 'abc"}));
  EXPECT_EQ(split("SELECT 1 # x\r; SELECT 2\n; SELECT 3", kDefault),
            (std::vector<std::string>{"SELECT 1 # x\r; SELECT 2\n;", " SELECT 3"}));
  EXPECT_EQ(split("SELECT \"a\\\"; SELECT 2", kAnsi),
            (std::vector<std::string>{"SELECT \"a\\\";", " SELECT 2"}));
}

TEST(LexModeTest, LexesAlike) {
  EXPECT_TRUE(lexesAlike("SELECT a FROM t WHERE b = 'x' AND c = ?", kDefault, kBoth));
  EXPECT_FALSE(lexesAlike("SELECT \"a\" FROM t", kDefault, kAnsi));
  EXPECT_FALSE(lexesAlike("SELECT 'a\\'', 'b'", kDefault, kNoEscapes));
  EXPECT_TRUE(lexesAlike("SELECT 'a\\', 'b'", kNoEscapes, kBoth));
  // Same tokens, other values.
  EXPECT_FALSE(lexesAlike("SELECT 'a\\nb'", kDefault, kNoEscapes));
}

TEST(LexModeTest, CacheNeverSharesAcrossModes) {
  StatementCache cache;
  // Same text, same normalized key in both ANSI and default mode for this first one...
  auto a = cache.get("SELECT 1 FROM t WHERE c = 'x'", kDefault);
  ASSERT_TRUE(a.isOk());
  auto b = cache.get("SELECT 1 FROM t WHERE c = 'x'", kAnsi);
  ASSERT_TRUE(b.isOk());
  EXPECT_EQ(cache.size(), 2u);
  // ...and a text whose key is the same in two modes while its tokens differ.
  auto s1 = cache.get("SELECT \"a\" FROM t", kDefault);
  ASSERT_TRUE(s1.isOk());
  auto s2 = cache.get("SELECT \"b\" FROM t", kAnsi);
  ASSERT_TRUE(s2.isOk());
  EXPECT_EQ(ast::describe(*s2, false), "(select (items (col b)) (from (table t)))");
  auto s3 = cache.get("SELECT \"c\" FROM t", kDefault);  // a hit of the default-mode entry
  ASSERT_TRUE(s3.isOk());
  EXPECT_EQ(ast::describe(*s3, false), "(select (items (lit str 'c' #0)) (from (table t)))");
  // A hit binds values as its mode reads them.
  ASSERT_TRUE(cache.get("SELECT 1 FROM t WHERE c = 'y\\n'", kNoEscapes).isOk());
  size_t hits = cache.hits();
  auto bound = cache.get("SELECT 1 FROM t WHERE c = 'z\\t'", kNoEscapes);
  ASSERT_TRUE(bound.isOk());
  EXPECT_EQ(cache.hits(), hits + 1);
  EXPECT_EQ(
      ast::describe(*bound, false),
      "(select (items (lit int 1 #0)) (from (table t)) (where (= (col c) (lit str 'z\\t' #1))))");
  // Every entry equals a fresh parse in its mode.
  for (LexMode mode : {kDefault, kAnsi, kNoEscapes, kBoth}) {
    for (const char* sql : {"SELECT \"q\", 'r\\'' FROM t", "SELECT 'r\\', \"s\" FROM t"}) {
      auto fresh = ast::parseAst(sql, mode);
      auto cached = cache.get(sql, mode);
      ASSERT_EQ(fresh.isOk(), cached.isOk()) << sql;
      if (fresh) {
        EXPECT_EQ(ast::describe(*fresh), ast::describe(*cached)) << sql;
      }
    }
  }
}

}  // namespace
}  // namespace shardproxy::parser
