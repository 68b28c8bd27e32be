// How the cost of each stage a statement goes through grows with the statement's size: IN lists
// on the sharding key and on another column of a sharded table, and chains of AND, from 1k to
// 100k items. Prints per stage the time at each size and the growth exponent between sizes
// (log(t2/t1) / log(n2/n1): about 1 is linear, about 2 quadratic). Asserts nothing.
//
//   statement_growth [SIZE...]     (default: 1000 10000 100000)
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "binder/binder.h"
#include "config/topology.h"
#include "parser/ast.h"
#include "parser/normalizer.h"
#include "parser/parser.h"
#include "parser/statement_cache.h"
#include "rewriter/rewriter.h"
#include "router/router.h"
#include "router/sharding_rule.h"

namespace {

using namespace shardproxy;
namespace fs = std::filesystem;

// t_order over ds_0 and ds_1 by order_id (database and table), user `root`.
std::shared_ptr<const config::Topology> loadFixture() {
  fs::path dir = fs::temp_directory_path() / ("statement-growth-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "global.yaml") << R"(authority:
  users:
    - user: root@%
      password: root
      admin: true
  privilege:
    type: ALL_PERMITTED
)";
  std::ofstream(dir / "database-sharding.yaml") << R"(databaseName: sharding_db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/phys_ds_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:2/phys_ds_1
    username: root
    password: root
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: by_db
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: by_table
  shardingAlgorithms:
    by_db:
      type: INLINE
      props:
        algorithm-expression: ds_${order_id % 2}
    by_table:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
)";
  auto topology = config::loadTopology(dir.string());
  fs::remove_all(dir);
  return topology;
}

struct Shape {
  const char* name;
  std::function<std::string(int)> make;
};

std::string inList(const char* column, int n) {
  std::string s = "SELECT order_id, amount FROM t_order WHERE ";
  s += column;
  s += " IN (";
  for (int i = 0; i < n; ++i) {
    if (i > 0) s += ", ";
    s += std::to_string(1000 + i * 7);
  }
  return s + ")";
}

std::string andChain(int n) {
  std::string s = "SELECT order_id, amount FROM t_order WHERE order_id = 7";
  for (int i = 1; i < n; ++i) s += " AND amount <> " + std::to_string(i);
  return s;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// The least time of `reps` runs of `f` (which must do the same work each time).
template <class F>
double timed(int reps, F&& f) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, seconds(std::chrono::steady_clock::now() - t0));
  }
  return best;
}

// normalize, ANTLR parse and AST transform of the whole text; then what the proxy does: a
// statement cache miss (normalize, then parse, transform and template of the text with long
// literals and literal lists cut short, bound back), a hit (a statement of 64 KiB at most),
// bind, route, rewrite, and the total of a miss.
constexpr const char* kStages[] = {"normalize",  "full parse", "full transform",
                                   "cache miss", "cache hit",  "bind",
                                   "route",      "rewrite",    "total"};
constexpr size_t kStageCount = sizeof(kStages) / sizeof(kStages[0]);

bool fail(const char* what, const Status& s) {
  std::fprintf(stderr, "%s failed: %s\n", what, s.toString().c_str());
  return false;
}

// Times every stage for one statement; false on an error (printed).
bool measure(const std::string& sql, const config::Topology& topology, const router::RuleSet& rules,
             double (&out)[kStageCount]) {
  const int reps = sql.size() < 200000 ? 5 : 2;
  parser::Normalized n;
  out[0] = timed(reps, [&] { parser::normalize(sql, n); });
  std::optional<parser::ParsedStatement> parsed;
  out[1] = timed(reps, [&] {
    parsed.reset();
    auto p = parser::parse(sql);
    if (p) parsed.emplace(std::move(p.value()));
  });
  if (!parsed) return fail("parse", parser::parse(sql).status());
  std::optional<parser::ast::Statement> statement;
  out[2] = timed(reps, [&] {
    auto s = parser::ast::buildAst(*parsed);
    if (s) statement.emplace(std::move(s.value()));
  });
  if (!statement) return fail("transform", parser::ast::buildAst(*parsed).status());
  parsed.reset();
  out[3] = timed(reps, [&] {
    parser::StatementCache cache;
    auto s = cache.get(sql);
    (void)s;
  });
  parser::StatementCache cache;
  if (auto s = cache.get(sql); !s) return fail("cache", s.status());
  out[4] = timed(reps, [&] {
    auto s = cache.get(sql);
    (void)s;
  });
  if (cache.hits() == 0) out[4] = -1;  // too large to be kept: no hit

  binder::Context context{topology, rules, topology.authority.users.front(), "sharding_db"};
  out[5] = timed(reps, [&] {
    auto b = binder::bind(*statement, context);
    (void)b;
  });
  if (auto b = binder::bind(*statement, context); !b) return fail("bind", b.status());

  const config::LogicalDatabase* db = topology.findDatabase("sharding_db");
  const router::ShardingRule& rule = *rules.at("sharding_db");
  router::TableLocations locations;
  router::Router router(rule, locations, db->defaultDataSource()->name);
  router::RouteOptions options;
  options.database = "sharding_db";
  std::optional<router::RouteResult> route;
  out[6] = timed(reps, [&] {
    auto r = router.route(*statement, options);
    if (r) route.emplace(std::move(r.value()));
  });
  if (!route) return fail("route", router.route(*statement, options).status());
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = "sharding_db";
  size_t units = 0;
  out[7] = timed(reps, [&] {
    merger::MergeSpec merge;
    auto u = rewriter::rewrite(*statement, *route, rewriteOptions, &merge);
    units = u ? u->size() : 0;
  });
  if (units == 0) return fail("rewrite", Status(1105, "HY000", "no units"));
  out[8] = out[3] + out[5] + out[6] + out[7];
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int i = 1; i < argc; ++i) sizes.push_back(std::atoi(argv[i]));
  if (sizes.empty()) sizes = {1000, 10000, 100000};
  auto topology = loadFixture();
  auto rules = router::buildRules(*topology, std::nullopt);
  if (!rules) {
    std::fprintf(stderr, "rules: %s\n", rules.status().toString().c_str());
    return 1;
  }
  const std::vector<Shape> shapes = {
      {"IN on sharding key", [](int n) { return inList("order_id", n); }},
      {"IN on other column", [](int n) { return inList("amount", n); }},
      {"AND chain", andChain},
  };
  int status = 0;
  for (const Shape& shape : shapes) {
    std::printf("\n== %s ==\n%-14s", shape.name, "stage");
    for (int n : sizes) std::printf(" %10d", n);
    std::printf("   growth exponent between sizes\n");
    std::vector<std::array<double, kStageCount>> times;
    for (int n : sizes) {
      double t[kStageCount] = {};
      std::string sql = shape.make(n);
      if (!measure(sql, *topology, *rules, t)) {
        status = 1;
        break;
      }
      times.emplace_back();
      std::copy(std::begin(t), std::end(t), times.back().begin());
    }
    for (size_t stage = 0; stage < kStageCount; ++stage) {
      std::printf("\n%-14s", kStages[stage]);
      for (const auto& t : times) {
        if (t[stage] < 0) {
          std::printf(" %11s", "-");
        } else {
          std::printf(" %9.2fms", t[stage] * 1e3);
        }
      }
      std::printf("  ");
      for (size_t i = 1; i < times.size(); ++i) {
        double a = times[i - 1][stage];
        double b = times[i][stage];
        if (a < 20e-6 || b <= 0 || a < 0) {
          std::printf(" %6s", "-");  // too short to say
        } else {
          std::printf(" %6.2f", std::log(b / a) / std::log(double(sizes[i]) / sizes[i - 1]));
        }
      }
    }
    std::printf("\n");
  }
  return status;
}
