// Seeded mutation testing of the normalizer, parser, AST builder and statement cache: random
// edits of real statements must parse or fail cleanly, never crash or hang, and a cache hit must
// equal a fresh parse. Runs in the sanitizer pass too. tests/fuzz/fuzz_parser.cc makes the same
// checks under libFuzzer (scripts/run-fuzzers.sh parser); keep the two in step.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "parser/ast.h"
#include "parser/normalizer.h"
#include "parser/statement_cache.h"

namespace shardproxy::parser {
namespace {

std::vector<std::string> seeds() {
  std::vector<std::string> out = {
      "SELECT c FROM sbtest1 WHERE id=5017",
      "SELECT a, (SELECT MAX(b) FROM u WHERE u.x = t.x) FROM t JOIN v ON t.id = v.id WHERE a IN "
      "(1, 2, 3) GROUP BY a HAVING COUNT(*) > 1 ORDER BY 1 DESC LIMIT 5",
      "INSERT INTO t (a, b) VALUES (1, 'x'), (2, _utf8mb4'y') ON DUPLICATE KEY UPDATE b = "
      "VALUES(b)",
      "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.b * 2 WHERE t2.c BETWEEN 1 AND 10",
      "/*!40101 SET NAMES utf8 */",
      "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * "
      "FROM r",
  };
  auto path = std::filesystem::path(SHARDPROXY_SOURCE_DIR)
                  .parent_path() / "shared" / "sql-corpus" / "mysql-statements.tsv";
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (!line.empty() && line[0] != '#' && tab2 != std::string::npos) {
      out.push_back(line.substr(tab2 + 1));
    }
  }
  return out;
}

std::string mutate(const std::string& s, std::mt19937& rng) {
  static const std::vector<std::string> pieces = {
      "(", ")", "'", "\"", "`", ",", ";", " SELECT ", " FROM ", " WHERE ", " AND ", "?", "--",
      "/*", "*/", "/*!", "\\", "0x", "1e", ".", "@@", "@", " IN (", " UNION ", " ORDER BY 1 ",
      "(((((", ")))))", "\xff", "\xc3\xa9", "\n"};
  std::string r = s;
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t pos = r.empty() ? 0 : rng() % (r.size() + 1);
    switch (rng() % 4) {
      case 0:  // delete a span
        if (!r.empty()) r.erase(pos > 0 ? pos - 1 : 0, 1 + rng() % 8);
        break;
      case 1:  // insert a piece
        r.insert(pos, pieces[rng() % pieces.size()]);
        break;
      case 2:  // flip a byte
        if (!r.empty()) r[pos % r.size()] = static_cast<char>(rng() % 256);
        break;
      default:  // duplicate a span
        if (!r.empty()) {
          size_t b = rng() % r.size();
          r.insert(pos, r.substr(b, 1 + rng() % 16));
        }
    }
  }
  return r;
}

TEST(MutationTest, NoCrashAndCacheAgrees) {
  std::mt19937 rng(20261126);
  auto base = seeds();
  StatementCache cache(512);
  size_t parsed = 0;
  const int kRounds = 6000;
  for (int i = 0; i < kRounds; ++i) {
    std::string sql = mutate(base[rng() % base.size()], rng);
    Normalized n;
    normalize(sql, n);  // must not crash
    auto fresh = ast::parseAst(sql);
    auto cached = cache.get(sql);
    ASSERT_EQ(fresh.isOk(), cached.isOk()) << sql;
    if (fresh.isOk()) {
      ++parsed;
      ASSERT_EQ(ast::describe(*fresh), ast::describe(*cached)) << sql;
    } else {
      ASSERT_EQ(fresh.status().code(), cached.status().code()) << sql;
    }
  }
  std::printf("mutation test: %d statements, %zu parsed, cache %zu hits\n", kRounds, parsed,
              cache.hits());
}

}  // namespace
}  // namespace shardproxy::parser
