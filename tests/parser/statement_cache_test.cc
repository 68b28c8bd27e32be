// The statement cache must give exactly the AST a fresh parse gives: for the same text, and for
// the same statement with other literal values (other lengths, so every offset moves).
#include "parser/statement_cache.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <tuple>
#include <vector>

namespace shardproxy::parser {
namespace {

std::string dump(const ast::Statement& s) { return ast::describe(s, true) + " sql=" + s.sql; }

// The same statement with every literal replaced by another of the same kind and another length.
std::string withOtherLiterals(const std::string& sql) {
  Normalized n;
  if (!normalize(sql, n)) return sql;
  std::string out;
  size_t pos = 0;
  for (const auto& l : n.literals) {
    out.append(sql, pos, l.begin - pos);
    std::string_view text(sql.data() + l.begin, l.end - l.begin);
    switch (l.kind) {
      case NormalizedLiteral::Kind::kString:
        out += std::string(1, text[0]) + "zq" + text[0] + text[0] + "w\\n" + text[0];
        break;
      case NormalizedLiteral::Kind::kNumber:
        if (text.find_first_of("eE") != std::string_view::npos) {
          out += "1.25e3";
        } else if (text.find('.') != std::string_view::npos) {
          out += "123.4567";
        } else {
          out += text.size() > 3 ? "7" : "123456";
        }
        break;
      default:
        out += text;
    }
    pos = l.end;
  }
  out.append(sql, pos);
  return out;
}

// The same statement with every string and hex literal made longer than
// StatementCache::kLongLiteralBytes (same kind, same quoting).
std::string withLongLiterals(const std::string& sql) {
  Normalized n;
  if (!normalize(sql, n)) return sql;
  const std::string filler(StatementCache::kLongLiteralBytes + 10, 'a');
  std::string out;
  size_t pos = 0;
  for (const auto& l : n.literals) {
    out.append(sql, pos, l.begin - pos);
    std::string_view text(sql.data() + l.begin, l.end - l.begin);
    const char q = text[0];
    if (l.kind == NormalizedLiteral::Kind::kString && (q == '\'' || q == '"')) {
      out += std::string(1, q) + "x\\n" + q + q + filler + "\xc3\xa9" + q;
    } else if (l.kind == NormalizedLiteral::Kind::kHexString) {
      out += q == '0' ? "0x" + std::string(filler.size(), 'f') : "X'" + filler + "'";
    } else {
      out += text;
    }
    pos = l.end;
  }
  out.append(sql, pos);
  return out;
}

using ExprValue = std::tuple<uint32_t, uint32_t, int, std::string, int, uint32_t>;
std::vector<ExprValue> values(const ast::Statement& s) {
  std::vector<ExprValue> out;
  for (const ast::Expr& e : s.exprs) {
    out.emplace_back(e.span.begin, e.span.end, static_cast<int>(e.kind), e.value,
                     static_cast<int>(e.literalType), e.literalIndex);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void expectSame(StatementCache& cache, const std::string& sql) {
  auto fresh = ast::parseAst(sql);
  auto cached = cache.get(sql);
  ASSERT_EQ(fresh.isOk(), cached.isOk()) << sql;
  if (!fresh.isOk()) {
    EXPECT_EQ(fresh.status().message(), cached.status().message());
    return;
  }
  EXPECT_EQ(dump(*fresh), dump(*cached)) << sql;
  // Every expression's value, in text order (a long literal list's items may sit elsewhere in
  // the arena than a fresh parse puts them).
  EXPECT_EQ(values(*fresh), values(*cached)) << sql;
}

TEST(StatementCacheTest, HitsBindNewLiterals) {
  StatementCache cache;
  const std::vector<std::string> statements = {
      "SELECT c FROM sbtest1 WHERE id=5017",
      "SELECT c FROM sbtest1 WHERE id=17",
      "SELECT c FROM sbtest1 WHERE id=123456789",
      "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1 AND 100 ORDER BY c",
      "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 1000 AND 1099 ORDER BY c",
      "UPDATE sbtest1 SET c='a''b\\n' WHERE id=5",
      "UPDATE sbtest1 SET c='longer value here' WHERE id=500000",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (22, 'yy') ON DUPLICATE KEY UPDATE b = 'z'",
      "INSERT INTO t (a, b) VALUES (333, 'xxx'), (4, '') ON DUPLICATE KEY UPDATE b = 'zzzz'",
      "SELECT a, b FROM t ORDER BY 2 LIMIT 10, 5",
      "SELECT a, b FROM t ORDER BY 1 LIMIT 100, 50",
      "SELECT CAST(a AS DECIMAL(10, 2)) FROM t WHERE b = 1.5",
      "SELECT CAST(a AS DECIMAL(12, 4)) FROM t WHERE b = 2.75",
      "SELECT _utf8mb4'x', 1e3 FROM t",
      "SELECT _utf8mb4'yy', 2.5e10 FROM t",
      "SET @@session.sql_mode = 'ANSI', NAMES 'utf8' COLLATE 'utf8_bin', @a = 5",
      "SET @@session.sql_mode = 'TRADITIONAL', NAMES 'latin1' COLLATE 'latin1_bin', @a = 66",
      "SAVEPOINT s1",
      "ROLLBACK TO SAVEPOINT s1",
      "PREPARE s FROM 'SELECT 1'",
      "PREPARE s FROM 'SELECT 22 FROM t'",
      "EXECUTE s USING @a, @b",
      "KILL QUERY 5",
      "KILL QUERY 12345",
  };
  for (const auto& sql : statements) expectSame(cache, sql);
  EXPECT_GT(cache.hits(), 4u);
}

TEST(StatementCacheTest, HitsWithOtherSpacingAndCommentsMoveEveryOffset) {
  // Same tokens, so one cache entry; every offset must still point into the new text.
  StatementCache cache;
  const std::vector<std::string> statements = {
      "SELECT * FROM t_order WHERE user_id = 11 AND order_id = 1101",
      "SELECT  *  FROM  t_order WHERE user_id=11 AND order_id=1101",
      "SELECT *\n  FROM t_order /* note */ WHERE user_id = 123456 AND order_id = 7",
      "  select * from t_order where user_id = 1 and order_id = 2  ",
      "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */ SELECT a, b FROM t WHERE c IN (1, 2) "
      "ORDER BY 2 LIMIT 5",
      "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */SELECT a,b FROM t WHERE c IN (10,20) ORDER "
      "BY 2 LIMIT 50",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, _utf8mb4'y')",
      "INSERT INTO t(a,b) VALUES(10,'xx'),(20,_utf8mb4'yy')",
      "UPDATE t SET a = @v := 5, b = @@session.sql_mode WHERE id = ?",
      "UPDATE t SET a=@v:=55,b=@@session.sql_mode WHERE id=?",
  };
  for (const auto& sql : statements) expectSame(cache, sql);
  // A hit for each pair (a literal with an introducer is bound too).
  EXPECT_EQ(cache.hits(), 5u);
  // The rewriter relies on it: the table name's span is the table name in the new text.
  auto s = cache.get("SELECT  *  FROM    t_order WHERE user_id=3");
  ASSERT_TRUE(s.isOk());
  EXPECT_EQ(s->text(s->tableRef(s->query(s->select).from[0]).name.span), "t_order");
}

TEST(StatementCacheTest, EvictsLeastRecentlyUsed) {
  StatementCache cache(2);
  ASSERT_TRUE(cache.get("SELECT 1 FROM a").isOk());
  ASSERT_TRUE(cache.get("SELECT 1 FROM b").isOk());
  ASSERT_TRUE(cache.get("SELECT 2 FROM a").isOk());  // hit: a is now most recent
  ASSERT_TRUE(cache.get("SELECT 1 FROM c").isOk());  // evicts b
  EXPECT_EQ(cache.size(), 2u);
  size_t hits = cache.hits();
  ASSERT_TRUE(cache.get("SELECT 3 FROM a").isOk());
  EXPECT_EQ(cache.hits(), hits + 1);
  ASSERT_TRUE(cache.get("SELECT 3 FROM b").isOk());
  EXPECT_EQ(cache.hits(), hits + 1);  // b was evicted
}

TEST(StatementCacheTest, ErrorsAreNotCached) {
  StatementCache cache;
  auto r = cache.get("SELEC 1");
  ASSERT_FALSE(r.isOk());
  EXPECT_EQ(r.status().code(), 1064);
  EXPECT_EQ(cache.size(), 0u);
}

// Every corpus statement, then the same with other literal values, through one cache.
TEST(StatementCacheTest, CorpusHitsEqualFreshParses) {
  auto path = std::filesystem::path(SHARDPROXY_SOURCE_DIR).parent_path() / "shared" / "sql-corpus" /
              "mysql-statements.tsv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus not found at " << path;
  std::ifstream in(path);
  std::string line;
  StatementCache cache;
  size_t statements = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) continue;
    std::string sql = line.substr(tab2 + 1);
    expectSame(cache, sql);
    expectSame(cache, sql);
    expectSame(cache, withOtherLiterals(sql));
    expectSame(cache, withLongLiterals(sql));
    expectSame(cache, withLongLiterals(sql));
    ++statements;
  }
  EXPECT_GT(statements, 600u);
  EXPECT_GT(cache.hits(), statements);
  std::printf("statement cache over the corpus: %zu statements, %zu hits, %zu misses\n", statements,
              cache.hits(), cache.misses());
}

TEST(StatementCacheTest, LongLiteralsGiveTheFreshParse) {
  const std::string big(1u << 19, 'b');
  const std::string hex(1u << 18, 'e');
  const std::vector<std::string> statements = {
      "INSERT INTO t (id, c) VALUES (1, '" + big + "')",
      "INSERT INTO t (id, c) VALUES (2, '" + big + "x')",  // a hit, other length
      "INSERT INTO t (id, c) VALUES (1, X'" + hex + "'), (2, 0x" + hex + ")",
      "UPDATE t SET c = '" + big + "\\'\\n', d = \"" + big + "\" WHERE id = 7",
      // Not bound to an expression: parsed in full, the text must match.
      "SELECT _utf8mb4'" + big + "', N'" + big + "' FROM t",
      "SELECT 'a' '" + big + "' FROM t",  // concatenated: one literal of two
      "SELECT CAST('" + big + "' AS CHAR(5))",
      // A syntax error after the long literal: the message quotes the text itself.
      "INSERT INTO t VALUES ('" + big + "') WHERE",
      "SELECT * FROM t WHERE c = '" + big + "' AND",
  };
  StatementCache cache;
  for (const auto& sql : statements) expectSame(cache, sql);
  // The templates hold the short text, not the megabytes.
  EXPECT_LE(cache.size(), statements.size());
  for (const auto& sql : statements) {
    auto fresh = ast::parseAst(sql);
    auto uncached = StatementCache::parseUncached(sql);
    ASSERT_EQ(fresh.isOk(), uncached.isOk()) << sql.substr(0, 60);
    if (!fresh.isOk()) {
      EXPECT_EQ(fresh.status().message(), uncached.status().message());
      continue;
    }
    EXPECT_EQ(dump(*fresh), dump(*uncached)) << sql.substr(0, 60);
  }
}

// Bytes that are not UTF-8 (binary data sent as _binary'...') are read by the parser as Latin-1
// characters; a bound literal gets the same value.
TEST(StatementCacheTest, InvalidUtf8LiteralsBindAsTheParserReadsThem) {
  const std::string bytes =
      std::string("\xff\xfe\x80\xc3\xa9\xed\xa0\x80\xf5\x80\x80\x80\xc0\xaf\\\xe0", 16);
  StatementCache cache;
  for (const std::string& value : {bytes, bytes + "x", bytes + std::string(300, '\x9f')}) {
    expectSame(cache, "INSERT INTO t (id, b) VALUES (1, _binary'" + value + "')");
    expectSame(cache, "INSERT INTO t (id, b) VALUES (1, '" + value + "')");
  }
  EXPECT_GE(cache.hits(), 2u);
}

TEST(StatementCacheTest, LongLiteralsUnderAnsiQuotesAndNoBackslashEscapes) {
  const std::string big(1000, 'q');
  LexMode ansi = LexMode::ofSqlMode("ANSI_QUOTES");
  LexMode raw = LexMode::ofSqlMode("NO_BACKSLASH_ESCAPES");
  StatementCache cache;
  for (LexMode mode : {ansi, raw}) {
    for (const std::string& sql : {"SELECT \"" + big + "\" FROM t WHERE c = '" + big + "\\'",
                                   "SELECT '" + big + "\\' FROM t"}) {
      auto fresh = ast::parseAst(sql, mode);
      auto cached = cache.get(sql, mode);
      auto uncached = StatementCache::parseUncached(sql, mode);
      ASSERT_EQ(fresh.isOk(), cached.isOk()) << sql;
      ASSERT_EQ(fresh.isOk(), uncached.isOk()) << sql;
      if (!fresh.isOk()) {
        EXPECT_EQ(fresh.status().message(), cached.status().message());
        continue;
      }
      EXPECT_EQ(dump(*fresh), dump(*cached)) << sql;
      EXPECT_EQ(dump(*fresh), dump(*uncached)) << sql;
    }
  }
}

std::string list(int n, const std::function<std::string(int)>& item) {
  std::string out;
  for (int i = 0; i < n; ++i) out += (i > 0 ? (i % 7 == 3 ? " ,\n " : ", ") : "") + item(i);
  return out;
}

TEST(StatementCacheTest, LongLiteralListsGiveTheFreshParse) {
  auto number = [](int i) { return std::to_string(i * 37 % 1000); };
  auto decimal = [](int i) { return std::to_string(i) + ".25"; };
  auto text = [](int i) { return "'v" + std::to_string(i) + (i % 5 == 0 ? "''\\n'" : "'"); };
  auto hex = [](int i) { return i % 2 ? "X'0" + std::to_string(i % 10) + "'" : "0xAB"; };
  const std::string big(StatementCache::kLongLiteralBytes + 5, 'z');
  const std::vector<std::string> statements = {
      "SELECT * FROM t WHERE id IN (" + list(100, number) + ")",
      "SELECT * FROM t WHERE id IN (" + list(101, number) + ") ORDER BY id LIMIT 5",
      "SELECT * FROM t WHERE id NOT IN (" + list(40, decimal) + ") AND c IN (" + list(30, text) +
          ") OR (d IN (" + list(20, hex) + "))",
      "SELECT * FROM t WHERE id IN (" + list(30, number) + ", a, " + list(25, number) + ")",
      "SELECT * FROM t WHERE c IN (" + list(20, text) + ", '" + big + "', " + list(20, text) + ")",
      "SELECT * FROM t WHERE id IN (SELECT id FROM u WHERE k IN (" + list(50, number) + "))",
      "SELECT * FROM t WHERE id IN (" + list(20, [](int i) { return "-" + std::to_string(i); }) +
          ")",
      "DELETE FROM t WHERE id IN (" + list(64, number) + ")",
      "UPDATE t SET c = 1 WHERE id IN (" + list(64, number) + ") AND k IN (" + list(64, text) + ")",
      // Lists that are not IN lists: parsed as they are.
      "SELECT " + list(30, number) + " FROM t",
      "INSERT INTO t VALUES (" + list(30, number) + ")",
      "SELECT FIELD(a, " + list(30, number) + ") FROM t",
      // Syntax errors inside or after a list: the message of the text itself.
      "SELECT * FROM t WHERE id IN (" + list(30, number) + ",)",
      "SELECT * FROM t WHERE id IN (" + list(30, number) + ") AND",
  };
  StatementCache cache;
  for (const auto& sql : statements) {
    expectSame(cache, sql);
    expectSame(cache, sql);
    auto fresh = ast::parseAst(sql);
    auto uncached = StatementCache::parseUncached(sql);
    ASSERT_EQ(fresh.isOk(), uncached.isOk()) << sql;
    if (!fresh.isOk()) {
      EXPECT_EQ(fresh.status().message(), uncached.status().message());
      continue;
    }
    EXPECT_EQ(dump(*fresh), dump(*uncached)) << sql;
    EXPECT_EQ(values(*fresh), values(*uncached)) << sql;
  }
}

// A miss parsed elsewhere (another thread) and kept afterwards serves the next hit.
TEST(StatementCacheTest, MissParsedApartIsKept) {
  StatementCache cache;
  const std::string sql = "SELECT c FROM t WHERE id = 5 AND k IN (" +
                          list(40, [](int i) { return std::to_string(i); }) + ")";
  StatementCache::Miss miss;
  EXPECT_FALSE(cache.lookup(sql, {}, miss).has_value());
  StatementCache::Parsed parsed = StatementCache::parseMiss(sql, std::move(miss));
  ASSERT_TRUE(parsed.statement.isOk());
  EXPECT_EQ(dump(*ast::parseAst(sql)), dump(*parsed.statement));
  ASSERT_NE(parsed.keep, nullptr);
  cache.keep(std::move(parsed.keep));
  EXPECT_EQ(cache.size(), 1u);
  const std::string other = "SELECT c FROM t WHERE id = 77 AND k IN (" +
                            list(40, [](int i) { return std::to_string(i * 3); }) + ")";
  StatementCache::Miss again;
  auto hit = cache.lookup(other, {}, again);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(dump(*ast::parseAst(other)), dump(*hit));
  EXPECT_EQ(cache.hits(), 1u);
}

TEST(StatementCacheTest, LargeStatementsAreNotKept) {
  std::string sql = "SELECT * FROM t WHERE id IN (1";
  while (sql.size() <= StatementCache::kMaxCachedBytes) sql += ", 12345";
  sql += ")";
  StatementCache cache;
  expectSame(cache, sql);
  EXPECT_EQ(cache.size(), 0u);
  expectSame(cache, "SELECT * FROM t WHERE id IN (1, 2)");
  EXPECT_EQ(cache.size(), 1u);
}

}  // namespace
}  // namespace shardproxy::parser
