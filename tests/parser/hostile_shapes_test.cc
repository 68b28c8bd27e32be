// Statements built to exhaust the parser: nesting that would overflow a thread's stack, and
// shapes whose parse grows faster than their length. Each is answered with an error (or parsed),
// quickly, and never crashes; the times are printed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "parser/ast.h"
#include "parser/parser.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser {
namespace {

std::string repeat(const std::string& s, int n) {
  std::string out;
  out.reserve(s.size() * n);
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

struct Outcome {
  bool ok;
  uint16_t code;
  double seconds;
};

Outcome parseTimed(const char* name, const std::string& sql) {
  auto started = std::chrono::steady_clock::now();
  auto r = StatementCache::parseUncached(sql);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("%-28s %8zu bytes %7.3f s  %s\n", name, sql.size(), s,
              r ? "parsed" : r.status().toString().substr(0, 60).c_str());
  return {r.isOk(), r ? uint16_t{0} : r.status().code(), s};
}

TEST(HostileShapesTest, DeepNestingIsRefused) {
  const int n = 100000;
  // Each := nests what follows it: refused like deep parentheses (ER_PARSE_ERROR).
  EXPECT_EQ(parseTimed("@a := @a := ...", "SELECT " + repeat("@a := ", n) + "1").code,
            kErParseError);
  EXPECT_EQ(parseTimed("((((...))))", "SELECT " + repeat("(", n) + "1" + repeat(")", n)).code,
            kErParseError);
  EXPECT_EQ(parseTimed("NOT NOT ...", "SELECT " + repeat("NOT ", n) + "1").code, kErParseError);
  EXPECT_EQ(parseTimed("CASE WHEN 1 THEN CASE ...",
                       "SELECT " + repeat("CASE WHEN 1 THEN ", n) + "1" + repeat(" END", n))
                .code,
            kErParseError);
  // Assignments side by side are not nested.
  std::string items = "SELECT @a0 := 0";
  for (int i = 1; i < 500; ++i) items += ", @a" + std::to_string(i) + " := " + std::to_string(i);
  EXPECT_TRUE(parseTimed("500 assignments side by side", items).ok);
  EXPECT_TRUE(parseTimed("@a := @b := 1", "SELECT @a := @b := 1").ok);
}

TEST(HostileShapesTest, LongChainsParseFlat) {
  const int n = 20000;
  EXPECT_TRUE(
      parseTimed("a = 1 AND ... (20k)", "SELECT * FROM t WHERE a = 1" + repeat(" AND a = 1", n))
          .ok);
  EXPECT_TRUE(
      parseTimed("a = 1 OR ... (20k)", "SELECT * FROM t WHERE a = 1" + repeat(" OR a = 1", n)).ok);
  EXPECT_TRUE(parseTimed("1 + 1 + ... (20k)", "SELECT 1" + repeat(" + 1", n)).ok);
}

// `x + INTERVAL 1 DAY + INTERVAL 1 DAY ...` makes the parser look ahead to the end at every
// step: quadratic. Past a lookahead budget the statement is refused instead of holding a thread
// for minutes (2000 steps took 36 s and now stop after about 7; 400 after about 1).
TEST(HostileShapesTest, QuadraticLookaheadIsCut) {
  Outcome o =
      parseTimed("+ INTERVAL 1 DAY (400)", "SELECT NOW()" + repeat(" + INTERVAL 1 DAY", 400));
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.code, 1105);
  EXPECT_TRUE(
      parseTimed("+ INTERVAL 1 DAY (20)", "SELECT NOW()" + repeat(" + INTERVAL 1 DAY", 20)).ok);
}

}  // namespace
}  // namespace shardproxy::parser
