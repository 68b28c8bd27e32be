// toJson(): exact documents for small statements, the fields of larger ones per statement kind,
// escaping (control characters, quotes, bytes that are not UTF-8), deep expressions and long
// join chains, and a strict JSON check of every output.
#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"

namespace shardproxy::parser::ast {
namespace {

// A strict, non-recursive RFC 8259 checker (no JSON library in the build): structure, string
// escapes, raw control characters and well-formed UTF-8. Returns "" or what is wrong where.
std::string jsonError(std::string_view s) {
  std::vector<char> stack;  // '{' or '['
  size_t i = 0;
  auto fail = [&](const char* what) { return std::string(what) + " at " + std::to_string(i); };
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t' || s[i] == '\r')) ++i;
  };
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto string = [&]() -> bool {
    ++i;  // opening quote
    while (i < s.size()) {
      unsigned char c = byte(i);
      if (c == '"') {
        ++i;
        return true;
      }
      if (c < 0x20) return false;
      if (c == '\\') {
        if (++i >= s.size()) return false;
        char e = s[i];
        if (e == 'u') {
          for (int k = 1; k <= 4; ++k) {
            if (i + k >= s.size() || !std::isxdigit(byte(i + k))) return false;
          }
          i += 5;
        } else if (std::string_view("\"\\/bfnrt").find(e) != std::string_view::npos) {
          ++i;
        } else {
          return false;
        }
        continue;
      }
      if (c < 0x80) {
        ++i;
        continue;
      }
      size_t len = c >= 0xC2 && c <= 0xDF   ? 2
                   : c >= 0xE0 && c <= 0xEF ? 3
                   : c >= 0xF0 && c <= 0xF4 ? 4
                                            : 0;
      unsigned char lo = c == 0xE0 ? 0xA0 : c == 0xF0 ? 0x90 : 0x80;
      unsigned char hi = c == 0xED ? 0x9F : c == 0xF4 ? 0x8F : 0xBF;
      if (len == 0 || i + len > s.size() || byte(i + 1) < lo || byte(i + 1) > hi) return false;
      for (size_t k = 2; k < len; ++k) {
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return false;
      }
      i += len;
    }
    return false;
  };
  // After a value: a comma (then the next member or element), or closing brackets.
  enum class Want { Value, Key, AfterValue };
  Want want = Want::Value;
  while (true) {
    ws();
    if (want == Want::AfterValue) {
      if (stack.empty()) {
        return i == s.size() ? "" : fail("trailing text");
      }
      if (i >= s.size()) return fail("unterminated");
      char c = s[i++];
      if (c == ',') {
        want = stack.back() == '{' ? Want::Key : Want::Value;
      } else if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
        stack.pop_back();
      } else {
        return fail("expected , or a closing bracket");
      }
      continue;
    }
    if (i >= s.size()) return fail("unexpected end");
    if (want == Want::Key) {
      if (s[i] != '"' || !string()) return fail("bad key");
      ws();
      if (i >= s.size() || s[i] != ':') return fail("expected :");
      ++i;
      want = Want::Value;
      continue;
    }
    char c = s[i];
    if (c == '{' || c == '[') {
      stack.push_back(c);
      ++i;
      ws();
      if (i < s.size() && s[i] == (c == '{' ? '}' : ']')) {
        ++i;
        stack.pop_back();
        want = Want::AfterValue;
      } else {
        want = c == '{' ? Want::Key : Want::Value;
      }
      continue;
    }
    if (c == '"') {
      if (!string()) return fail("bad string");
    } else if (s.substr(i, 4) == "true" || s.substr(i, 4) == "null") {
      i += 4;
    } else if (s.substr(i, 5) == "false") {
      i += 5;
    } else if (c == '-' || std::isdigit(static_cast<unsigned char>(c))) {
      if (c == '-') ++i;
      if (i >= s.size() || !std::isdigit(byte(i))) return fail("bad number");
      if (s[i] == '0' && i + 1 < s.size() && std::isdigit(byte(i + 1))) {
        return fail("leading zero");
      }
      while (i < s.size() && std::isdigit(byte(i))) ++i;
    } else {
      return fail("unexpected character");
    }
    want = Want::AfterValue;
  }
}

std::string json(const std::string& sql) {
  auto statement = parseAst(sql);
  if (!statement.isOk()) {
    return "ERROR " + statement.status().message();
  }
  std::string out = toJson(*statement);
  EXPECT_EQ(jsonError(out), "") << sql << "\n" << out;
  EXPECT_EQ(out.find('\n'), std::string::npos) << "not one line: " << out;
  return out;
}

// Every needle appears in the JSON of sql.
void expectFields(const std::string& sql, const std::vector<std::string>& needles) {
  std::string out = json(sql);
  for (const auto& needle : needles) {
    EXPECT_NE(out.find(needle), std::string::npos)
        << sql << "\nmissing: " << needle << "\nin: " << out;
  }
}

TEST(AstJsonTest, SmallStatementsExactly) {
  EXPECT_EQ(
      json("SELECT c FROM t WHERE id = 5"),
      R"({"kind":"select","sql":"SELECT c FROM t WHERE id = 5","span":[0,28],)"
      R"("usesUserVariables":false,)"
      R"("objects":[{"kind":"table","span":[14,15],"name":{"value":"t","span":[14,15]}}],)"
      R"("select":{"kind":"query","span":[0,28],"items":[)"
      R"({"kind":"expr","span":[7,8],"expr":{"expr":"column","span":[7,8],)"
      R"("column":{"value":"c","span":[7,8]}}}],"from":[{"kind":"table","span":[14,15],)"
      R"("name":{"value":"t","span":[14,15]}}],"where":{"expr":"binaryOp","span":[22,28],)"
      R"("depth":2,"op":"=","args":[{"expr":"column","span":[22,24],)"
      R"("column":{"value":"id","span":[22,24]}},{"expr":"literal","span":[27,28],)"
      R"("type":"integer","value":"5","literalIndex":0}]}},"literalCount":1,"paramCount":0})");
  EXPECT_EQ(json("BEGIN"), R"({"kind":"tcl","sql":"BEGIN","span":[0,5],"usesUserVariables":false,)"
                           R"("transaction":{"tclKind":"begin"},"literalCount":0,"paramCount":0})");
  EXPECT_EQ(json("USE `my db`"),
            R"({"kind":"use","sql":"USE `my db`","span":[0,11],"usesUserVariables":false,)"
            R"("objects":[{"kind":"database","span":[0,11],"schema":{"value":"my db","span":[4,11]}}],)"
            R"("use":{"value":"my db","span":[4,11]},"literalCount":0,"paramCount":0})");
  EXPECT_EQ(json("SELECT ?"),
            R"({"kind":"select","sql":"SELECT ?","span":[0,8],"usesUserVariables":false,)"
            R"("select":{"kind":"query","span":[0,8],"items":[{"kind":"expr","span":[7,8],)"
            R"("expr":{"expr":"parameterMarker","span":[7,8],"paramIndex":0}}]},)"
            R"("literalCount":0,"paramCount":1})");
}

TEST(AstJsonTest, Select) {
  expectFields(
      "WITH RECURSIVE r (n) AS (SELECT 1) SELECT DISTINCT a.x AS y, b.*, COUNT(*) FROM t1 a "
      "JOIN t2 b ON a.id = b.id LEFT JOIN (SELECT 2) d USING (k) WHERE a.x IS NOT NULL AND "
      "b.z NOT IN (SELECT 3) AND EXISTS (SELECT 4) GROUP BY 1 WITH ROLLUP HAVING COUNT(*) > 1 "
      "ORDER BY y DESC LIMIT 1, 2 FOR UPDATE",
      {R"("recursive":true)",
       R"("with":[{"span":)",
       R"("columns":[{"value":"n")",
       R"("distinct":true)",
       R"("alias":{"value":"y")",
       R"("kind":"tableStar")",
       R"("aggregate":"count")",
       R"("star":true)",
       R"("joinType":"left","left":{"kind":"join")",
       R"("right":{"kind":"derived")",
       R"("usingColumns":[{"value":"k")",
       R"("on":{"expr":"binaryOp")",
       R"("test":"null","negated":true)",
       R"("expr":"in")",
       R"("negated":true)",
       R"("subquery":{"kind":"query")",
       R"("expr":"exists")",
       R"("position":1)",
       R"("withRollup":true)",
       R"("having":{)",
       R"("desc":true,"explicitDirection":true)",
       R"("limit":{"span":)",
       R"("offset":{"expr":"literal")",
       R"("count":{"expr":"literal")",
       R"("lock":"forUpdate")"});
  expectFields("SELECT 1 UNION ALL SELECT 2 EXCEPT SELECT 3 ORDER BY 1",
               {R"("kind":"compound")", R"("operands":[{"kind":"query")",
                R"("setOps":["unionAll","except"])", R"("orderBy":[)"});
  expectFields("VALUES ROW(1, 2), ROW(3, 4)", {R"("kind":"values")", R"("rows":[{"expr":"row")"});
  expectFields("TABLE t", {R"("kind":"table","span":[0,7],"table":{"kind":"table")"});
  expectFields(
      "SELECT CASE a WHEN 1 THEN 'x' ELSE _utf8mb4'y' COLLATE utf8mb4_bin END, CAST(b AS CHAR), "
      "-c, @@session.sql_mode, @v, d + INTERVAL 1 DAY, x LIKE 'a%' ESCAPE '!', a = ANY (SELECT 1), "
      "ROW(1, 2), (a, b), ~e, NOT f, SUM(g) OVER (), 1.5, 1e3, X'0A', b'1', TRUE, NULL, "
      "DATE '2024-01-01', N'n'",
      {R"("expr":"case")",
       R"("hasOperand":true,"hasElse":true)",
       R"("expr":"collate")",
       R"("charset":"utf8mb4")",
       R"("expr":"cast")",
       R"("op":"minus")",
       R"("expr":"variable")",
       R"("systemVariable":true)",
       R"("expr":"interval")",
       R"("escape":{"expr":"literal")",
       R"("quantifier":"any")",
       R"("expr":"row")",
       R"("op":"bitNot")",
       R"("op":"not")",
       R"("over":true)",
       R"("type":"decimal")",
       R"("type":"double")",
       R"("type":"hex")",
       R"("type":"bit")",
       R"("type":"boolean","value":"TRUE")",
       R"("type":"null","value":"NULL")",
       R"("type":"temporal")",
       R"("charset":"N")"});
}

TEST(AstJsonTest, DataModification) {
  expectFields(
      "INSERT IGNORE INTO db.t (a, b) VALUES (1, 'x'), (?, 2) ON DUPLICATE KEY UPDATE a = "
      "VALUES(a)",
      {R"("kind":"insert")", R"("ignore":true)", R"("schema":{"value":"db")",
       R"("columns":[{"expr":"column")", R"("columnsSpan":)", R"("source":"values")",
       R"("valuesSpan":)", R"("rows":[{"span":)", R"("values":[{"expr":"literal")",
       R"("onDuplicate":[{"span":)", R"("onDuplicateSpan":)", R"("literalCount":3)",
       R"("paramCount":1)"});
  expectFields("REPLACE INTO t SET a = 1",
               {R"("kind":"replace")", R"("insert":{)", R"("source":"set")", R"("set":[{"span":)"});
  expectFields("INSERT INTO t SELECT * FROM u",
               {R"("source":"select")", R"("select":{"kind":"query")", R"("kind":"star")"});
  expectFields("UPDATE IGNORE t SET a = a + 1 WHERE id = 2 ORDER BY id LIMIT 3",
               {R"("update":{"ignore":true,"tables":[{"kind":"table")", R"("set":[{)",
                R"("where":{)", R"("orderBy":[{)", R"("limit":{)"});
  expectFields("DELETE t1 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t2.x = 1",
               {R"("delete":{"multiTable":true,"targets":[{"kind":"table")", R"("tables":[{)",
                R"("where":{)"});
  expectFields("DELETE FROM t WHERE id = 1 LIMIT 1",
               {R"("delete":{"tables":[{"kind":"table")", R"("limit":{)"});
}

TEST(AstJsonTest, OtherStatements) {
  expectFields("/* SHARDINGSPHERE_HINT: shardingValue=1 */ SELECT 1",
               {R"("hint":{"value":"shardingValue=1","span":[0,)"});
  expectFields(
      "SET @a := 1, GLOBAL max_connections = 10, NAMES utf8mb4 COLLATE utf8mb4_bin, "
      "autocommit = ON",
      {R"("usesUserVariables":true)", R"("kind":"variable")", R"("scope":"user")",
       R"("scope":"global")", R"("kind":"names")", R"("collation":{"value":"utf8mb4_bin")",
       R"("valueKeyword":"ON")", R"("valueSpan":)"});
  expectFields("SET NAMES DEFAULT", {R"("kind":"names","span":[4,17],"charset":{"value":"",)"});
  expectFields("START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT",
               {R"("tclKind":"begin")", R"("access":"readOnly")", R"("consistentSnapshot":true)"});
  expectFields(
      "SET GLOBAL TRANSACTION ISOLATION LEVEL READ COMMITTED",
      {R"("tclKind":"setTransaction")", R"("scope":"global")", R"("isolation":"readCommitted")"});
  expectFields("COMMIT AND NO CHAIN RELEASE",
               {R"("tclKind":"commit")", R"("chain":"no")", R"("release":"yes")"});
  expectFields("ROLLBACK TO SAVEPOINT sp1",
               {R"("tclKind":"rollbackToSavepoint")", R"("savepoint":{"value":"sp1")"});
  expectFields("CREATE TEMPORARY TABLE t (id INT)",
               {R"("kind":"ddl")", R"("ddl":{"ddlKind":"createTable","temporary":true,)"});
  expectFields("SHOW FULL TABLES FROM db LIKE 'a%'",
               {R"("show":{"kind":"tables","full":true,"database":{"value":"db")",
                R"("like":{"expr":"literal")", R"("filterSpan":)"});
  expectFields("KILL QUERY 42", {R"("kill":{"query":true,"target":{"expr":"literal")"});
  expectFields(
      "PREPARE s FROM 'SELECT ?'",
      {R"("kind":"prepare")", R"("prepared":{"name":{"value":"s")", R"("text":{"expr":"literal")"});
  expectFields("EXECUTE s USING @a, @b",
               {R"("kind":"execute")", R"("usingVariables":[{"value":"a")"});
  expectFields("DEALLOCATE PREPARE s", {R"("kind":"deallocate")", R"("prepared":{"name":)"});
}

TEST(AstJsonTest, Ddl) {
  EXPECT_EQ(json("DROP INDEX IF EXISTS `i` ON db.t"),
            R"({"kind":"ddl","sql":"DROP INDEX IF EXISTS `i` ON db.t","span":[0,32],)"
            R"("usesUserVariables":false,)"
            R"("objects":[{"kind":"table","span":[28,32],"schema":{"value":"db","span":[28,30]},)"
            R"("name":{"value":"t","span":[31,32]}}],)"
            R"("ddl":{"ddlKind":"dropIndex","ifExists":true,)"
            R"("tables":[{"role":"target","table":{"kind":"table","span":[28,32],)"
            R"("schema":{"value":"db","span":[28,30]},"name":{"value":"t","span":[31,32]}}}],)"
            R"("indexes":[{"value":"i","span":[21,24]}]},"literalCount":0,"paramCount":0})");
  expectFields("CREATE DATABASE IF NOT EXISTS d",
               {R"("ddl":{"ddlKind":"createDatabase","ifNotExists":true,)",
                R"("database":{"value":"d","span":[30,31]})"});
  expectFields("RENAME TABLE a TO b",
               {R"({"role":"target","table":{"kind":"table","span":[13,14],)",
                R"({"role":"renameTo","table":{"kind":"table","span":[18,19],)"});
  expectFields(
      "CREATE TABLE t2 (a INT, KEY `k` (a), FOREIGN KEY (a) REFERENCES p (id)) AS SELECT a FROM "
      "db.t1",
      {R"("indexes":[{"value":"k","span":[28,31]}])", R"({"role":"references","table":)",
       R"({"role":"query","table":{"kind":"table","span":[89,94],)",
       R"("query":{"kind":"query","span":[75,94],)"});
}

TEST(AstJsonTest, Escaping) {
  // Quotes, backslashes and control characters inside a string literal and an identifier.
  std::string out = json("SELECT 'a\"b\\\\c\td\x01\x1f', `q\"\\` FROM t");
  EXPECT_NE(out.find(R"("value":"a\"b\\c\td\u0001\u001f")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("value":"q\"\\")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("sql":"SELECT 'a\"b\\\\c\td\u0001\u001f', `q\"\\` FROM t")"),
            std::string::npos)
      << out;

  // Well-formed UTF-8 is kept; every other byte of the text is \u00XX: a lone Latin-1 byte, 0xFF,
  // a cut sequence, an overlong form, an encoded surrogate, a lead byte at the end. (Literal
  // values come from the lexer, which has already read such bytes as Latin-1 code points.)
  out = json(
      "SELECT '\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xe9 \xff \xe2\x82 \xc0\xaf \xed\xa0\x80', "
      "'c\xe2'");
  EXPECT_NE(out.find("\"sql\":\"SELECT '\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \\u00e9 \\u00ff "
                     "\\u00e2\\u0082 \\u00c0\\u00af \\u00ed\\u00a0\\u0080', 'c\\u00e2'\""),
            std::string::npos)
      << out;

  // Every single byte in a literal gives valid JSON.
  for (int b = 0; b < 256; ++b) {
    if (b == '\'' || b == '\\') continue;
    auto statement = parseAst(std::string("SELECT '") + static_cast<char>(b) + "'");
    if (!statement.isOk()) continue;
    std::string doc = toJson(*statement);
    EXPECT_EQ(jsonError(doc), "") << "byte " << b << ": " << doc;
  }
}

TEST(AstJsonTest, DeepExpressions) {
  // Postfix IS NULL is not flattened: one level per test, up to the builder's limit.
  std::string sql = "SELECT a";
  for (uint32_t i = 1; i < kMaxExprDepth; ++i) sql += " IS NULL";
  auto statement = parseAst(sql);
  ASSERT_TRUE(statement.isOk()) << statement.status().message();
  std::string out = toJson(*statement);
  EXPECT_EQ(jsonError(out), "");
  EXPECT_NE(out.find("\"depth\":" + std::to_string(kMaxExprDepth - 1)), std::string::npos);
  size_t columns = 0;
  for (size_t at = out.find("\"expr\":\"column\""); at != std::string::npos;
       at = out.find("\"expr\":\"column\"", at + 1)) {
    ++columns;
  }
  EXPECT_EQ(columns, 1u);

  // A long flat chain.
  sql = "SELECT 0";
  for (int i = 1; i < 50000; ++i) sql += "+" + std::to_string(i);
  out = json(sql);
  EXPECT_NE(out.find("\"literalCount\":50000"), std::string::npos);
}

TEST(AstJsonTest, LongJoinChain) {
  // A left-deep join chain nests as deep as it is long; the writer walks it in a loop.
  constexpr int kTables = 50000;
  std::string sql = "SELECT * FROM t0";
  for (int i = 1; i < kTables; ++i) sql += " JOIN t" + std::to_string(i);
  std::string out = json(sql);
  size_t joins = 0;
  for (size_t at = out.find("\"kind\":\"join\""); at != std::string::npos;
       at = out.find("\"kind\":\"join\"", at + 1)) {
    ++joins;
  }
  EXPECT_EQ(joins, static_cast<size_t>(kTables - 1));
  EXPECT_NE(out.find(R"("left":{"kind":"table","span":[14,16],"name":{"value":"t0")"),
            std::string::npos);
}

TEST(AstJsonTest, CheckerRejectsBadJson) {
  EXPECT_EQ(jsonError(R"({"a":[1,true,null,{"b":"\u00e9"}],"c":{}})"), "");
  for (std::string_view bad : {R"({"a":1,})", R"({"a" 1})", R"(["a)", "[\"\x01\"]", "[\"\xe9\"]",
                               R"(["\x"])", R"({"a":1}})", R"([01])",
                               R"({})"
                               "x"}) {
    EXPECT_NE(jsonError(bad), "") << bad;
  }
}

}  // namespace
}  // namespace shardproxy::parser::ast
