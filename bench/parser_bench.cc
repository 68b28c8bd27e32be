// Parser micro-benchmarks: statement normalization (the cache key), statement cache hits, and
// ANTLR parses, warm and in a fresh process, for the sysbench statements and complex queries.
#include <benchmark/benchmark.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "parser/normalizer.h"
#include "parser/parser.h"
#include "parser/statement_cache.h"

namespace {

using shardproxy::parser::normalize;
using shardproxy::parser::Normalized;
using shardproxy::parser::parse;

struct Sample {
  const char* name;
  std::string sql;
};

std::string inList(int n) {
  std::string s = "SELECT id, k, c FROM sbtest1 WHERE id IN (";
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::to_string(1000 + i * 7);
  return s + ")";
}

std::string insertRows(int n) {
  std::string s = "INSERT INTO t_order (order_id, user_id, status, amount) VALUES ";
  for (int i = 0; i < n; ++i) {
    s += (i ? ", (" : "(") + std::to_string(i) + ", " + std::to_string(i % 10) + ", 'PAID', " +
         std::to_string(i * 3) + ".50)";
  }
  return s;
}

const std::vector<Sample>& samples() {
  static const std::vector<Sample> all = {
      {"sysbench/point_select", "SELECT c FROM sbtest1 WHERE id=5017"},
      {"sysbench/simple_range", "SELECT c FROM sbtest1 WHERE id BETWEEN 5017 AND 5116"},
      {"sysbench/sum_range", "SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 5017 AND 5116"},
      {"sysbench/order_range",
       "SELECT c FROM sbtest1 WHERE id BETWEEN 5017 AND 5116 ORDER BY c"},
      {"sysbench/distinct_range",
       "SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 5017 AND 5116 ORDER BY c"},
      {"sysbench/index_update", "UPDATE sbtest1 SET k=k+1 WHERE id=5017"},
      {"sysbench/non_index_update",
       "UPDATE sbtest1 SET c='48215690312-95624037431-51384624210' WHERE id=5017"},
      {"sysbench/delete", "DELETE FROM sbtest1 WHERE id=5017"},
      {"sysbench/insert",
       "INSERT INTO sbtest1 (id, k, c, pad) VALUES (5017, 4993, "
       "'83868641912-28773972837-60736120486-75162659906', "
       "'67847967377-48000963322-62604785301-91415491898')"},
      {"complex/join_group",
       "SELECT o.user_id, COUNT(*) AS n, SUM(i.amount) FROM t_order o JOIN t_order_item i "
       "ON o.order_id = i.order_id WHERE o.status = 'PAID' AND o.created_at >= '2024-01-01' "
       "GROUP BY o.user_id HAVING SUM(i.amount) > 100 ORDER BY n DESC LIMIT 10"},
      {"complex/subqueries",
       "SELECT u.name, (SELECT MAX(amount) FROM t_order WHERE user_id = u.id) AS top FROM "
       "t_user u WHERE u.id IN (SELECT user_id FROM t_order WHERE status = 'NEW') AND EXISTS "
       "(SELECT 1 FROM t_address a WHERE a.user_id = u.id AND a.city LIKE 'Ber%')"},
      {"complex/in_list_50", inList(50)},
      {"complex/insert_100_rows", insertRows(100)},
      {"complex/union_window",
       "(SELECT user_id, amount, ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY amount DESC) "
       "AS rn FROM t_order WHERE amount > 10) UNION ALL (SELECT user_id, amount, 0 FROM "
       "t_order_archive WHERE amount > 10) ORDER BY amount DESC LIMIT 20, 10"},
  };
  return all;
}

void BM_Normalize(benchmark::State& state, const std::string& sql) {
  Normalized n;
  for (auto _ : state) {
    bool ok = normalize(sql, n);
    benchmark::DoNotOptimize(ok);
    benchmark::DoNotOptimize(n.key.data());
  }
}

void BM_ParseWarm(benchmark::State& state, const std::string& sql) {
  for (int i = 0; i < 3; ++i) {
    auto warm = parse(sql);
    if (!warm) state.SkipWithError(warm.status().toString().c_str());
  }
  for (auto _ : state) {
    auto r = parse(sql);
    benchmark::DoNotOptimize(r.isOk());
  }
}

// A cache hit: normalize, look up, copy the cached AST and bind the literals (a different value
// each time, of another length every other round, so offsets move).
void BM_CacheHit(benchmark::State& state, const std::string& sql) {
  shardproxy::parser::StatementCache cache;
  Normalized n;
  normalize(sql, n);
  std::vector<std::string> variants = {sql, sql};
  if (!n.literals.empty() && n.literals[0].kind == shardproxy::parser::NormalizedLiteral::Kind::kNumber) {
    const auto& l = n.literals[0];
    variants[1] = sql.substr(0, l.begin) + "98765432" + sql.substr(l.end);
  }
  if (!cache.get(sql)) state.SkipWithError("does not parse");
  size_t i = 0;
  for (auto _ : state) {
    auto r = cache.get(variants[i++ & 1]);
    benchmark::DoNotOptimize(r.isOk());
  }
  state.counters["hit_rate"] =
      static_cast<double>(cache.hits()) / static_cast<double>(cache.hits() + cache.misses());
}

// The first parse of a statement in a fresh process (ANTLR's prediction caches are empty):
// each statement in a forked child, timed there.
void reportColdParses() {
  std::printf("%-28s %14s\n", "first parse, fresh process", "microseconds");
  for (const auto& s : samples()) {
    int fds[2];
    if (pipe(fds) != 0) return;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      auto t0 = std::chrono::steady_clock::now();
      auto r = parse(s.sql);
      double us =
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
      if (!r) us = -1;
      ssize_t written = write(fds[1], &us, sizeof us);
      _exit(written == sizeof us ? 0 : 1);
    }
    close(fds[1]);
    double us = -1;
    ssize_t got = read(fds[0], &us, sizeof us);
    close(fds[0]);
    waitpid(pid, nullptr, 0);
    if (got == sizeof us) std::printf("%-28s %14.1f\n", s.name, us);
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  reportColdParses();
  for (const auto& s : samples()) {
    benchmark::RegisterBenchmark((std::string("normalize/") + s.name).c_str(), BM_Normalize,
                                 s.sql);
  }
  for (const auto& s : samples()) {
    benchmark::RegisterBenchmark((std::string("cache_hit/") + s.name).c_str(), BM_CacheHit, s.sql);
  }
  for (const auto& s : samples()) {
    benchmark::RegisterBenchmark((std::string("parse_warm/") + s.name).c_str(), BM_ParseWarm,
                                 s.sql);
  }
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
