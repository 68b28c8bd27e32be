// Golden route + rewrite cases read from tests/router/testdata/*.json: each case is a statement
// (and its parameters) against a database configuration, with the SQL every route unit runs or
// the error the client gets. A failing case prints the whole expected and actual outcome.
//
// File format (JSON, read with yaml-cpp):
//   {"config": "<database-x.yaml text>" | ["line", ...],   (or "configFile": "configs/x.yaml")
//    "locations": {"t_single": ["ds_1"]},                 (optional: tables found on backends)
//    "cases": [{"comment": "...", "sql": "...",
//               "parameters": [1, "a", null],              (optional)
//               "expect": [{"dataSource": "ds_0", "sql": "..." | "sqlPattern": "<regex>"}],
//               "error": {"code": 20041, "message": "..." | "messagePrefix": "..."},
//               "generatedKeys": {"column": "order_id", "count": 2, "pattern": "<regex>"},
//               "merge": {"derived": ["AVG_DERIVED_COUNT_0"],      (optional: MergeSpec fields
//                         "aggregates": ["AVG amount (AVG_DERIVED_COUNT_0, AVG_DERIVED_SUM_0)"],
//                         "groupBy": ["status"], "orderBy": ["a DESC", "#2"],  of a multi-unit
//                         "groupByEqualsOrderBy": true, "offset": 2, "count": 3,  SELECT, and
//                         "plan": "Limit(offset=2,count=3) <- MergeSort(order=[#1]) <- units"},
//                                                   the merge plan's describe(); fields left out
//                                                   are not checked)
//               "skip": "known bug: ..."}]}                (optional: ShardingSphere's answer
//                                                          that we do not give yet)
// Exactly one of expect and error. Quoted parameters are strings, plain ones numbers or null.
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "config/config_dir.h"
#include "merger/plan.h"
#include "parser/ast.h"
#include "rewriter/rewriter.h"
#include "router/router.h"
#include "router/sharding_rule.h"

namespace shardproxy::router {
namespace {

namespace fs = std::filesystem;

fs::path testdataDir() { return fs::path(SHARDPROXY_SOURCE_DIR) / "tests" / "router" / "testdata"; }

struct GoldenCase {
  std::string file;  // relative to testdata/
  size_t index = 0;
  std::string name;  // gtest name
  std::string config;
  YAML::Node locations;
  // Logical tables' columns: {"t_order": [["user_id", "int"], ["code", "varchar",
  // "utf8mb4_general_ci"], ...]} (name, DATA_TYPE, optional collation or "unsigned").
  YAML::Node schemas;
  YAML::Node body;  // the case object
};

metadata::DatabaseSchema schemaOf(const YAML::Node& n) {
  metadata::DatabaseSchema out;
  if (!n) return out;
  for (const auto& table : n) {
    auto t = std::make_shared<metadata::TableSchema>();
    t->name = table.first.as<std::string>();
    for (const YAML::Node& c : table.second) {
      metadata::ColumnSchema col;
      col.name = c[0].as<std::string>();
      col.dataType = c[1].as<std::string>();
      col.columnType = col.dataType;
      col.family = metadata::familyOf(col.dataType);
      if (c.size() > 2) {
        std::string extra = c[2].as<std::string>();
        if (extra == "unsigned") {
          col.isUnsigned = true;
        } else if (!extra.empty() && std::isdigit(static_cast<unsigned char>(extra[0]))) {
          col.precision = static_cast<uint32_t>(std::stoul(extra));
        } else {
          col.collation = extra;
        }
      }
      t->columns.push_back(std::move(col));
    }
    out[lowerAscii(t->name)] = std::move(t);
  }
  return out;
}

// gtest prints parameters of failing tests; the failure message already says everything.
void PrintTo(const GoldenCase& g, std::ostream* os) { *os << g.file << " case " << g.index; }

std::string readFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A config given as one string or as a list of lines.
std::string configText(const YAML::Node& n) {
  if (n.IsSequence()) {
    std::string out;
    for (const YAML::Node& line : n) out += line.as<std::string>() + "\n";
    return out;
  }
  return n.as<std::string>();
}

std::string identifier(const std::string& s) {
  std::string out;
  for (char c : s) out.push_back(std::isalnum(static_cast<unsigned char>(c)) ? c : '_');
  return out;
}

std::vector<GoldenCase> loadCases() {
  std::vector<GoldenCase> out;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(testdataDir())) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& path : files) {
    std::string file = path.filename().string();
    YAML::Node root;
    try {
      root = YAML::LoadFile(path.string());
    } catch (const YAML::Exception& e) {
      ADD_FAILURE() << file << ": " << e.what();
      continue;
    }
    std::string config;
    if (root["configFile"]) {
      config = readFile(testdataDir() / root["configFile"].as<std::string>());
    } else if (root["config"]) {
      config = configText(root["config"]);
    }
    size_t i = 0;
    for (const YAML::Node& c : root["cases"]) {
      GoldenCase g;
      g.file = file;
      g.index = i;
      g.name = identifier(path.stem().string()) + "_" + std::to_string(i);
      g.config = config;
      g.locations = root["locations"];
      g.schemas = root["schemas"];
      g.body = c;
      out.push_back(std::move(g));
      ++i;
    }
  }
  return out;
}

Value parameter(const YAML::Node& n) {
  if (n.IsNull()) return Value::null();
  std::string text = n.as<std::string>();
  if (n.Tag() == "!") return Value::ofString(text);  // quoted in the JSON
  if (auto v = Value::ofNumberText(text)) return *v;
  return Value::ofString(text);
}

struct Outcome {
  bool ok = true;
  uint16_t code = 0;
  std::string message;
  std::vector<rewriter::SqlUnit> units;
  std::vector<rewriter::SqlUnit> guards;  // RouteResult::mustNotMatch, as guard queries
  std::optional<GeneratedKeys> keys;
  merger::MergeSpec merge;
};

// MergeSpec parts as the data files write them.
std::vector<std::string> mergeField(const merger::MergeSpec& m, const std::string& field) {
  std::vector<std::string> out;
  if (field == "derived") out = m.derivedLabels;
  if (field == "aggregates") {
    for (const auto& a : m.aggregates) out.push_back(merger::describe(a));
  }
  if (field == "groupBy") {
    for (const auto& i : m.groupBy) out.push_back(merger::describe(i));
  }
  if (field == "orderBy") {
    for (const auto& i : m.orderBy) out.push_back(merger::describe(i));
  }
  if (field == "groupByEqualsOrderBy") out.push_back(m.groupByEqualsOrderBy ? "true" : "false");
  if (field == "offset" && m.offset) out.push_back(std::to_string(*m.offset));
  if (field == "count" && m.count) out.push_back(std::to_string(*m.count));
  // The plan's shape depends on the spec alone, so no columns are needed to describe it.
  if (field == "plan") out.push_back(merger::describeMerge(m));
  return out;
}

std::string joined(const std::vector<std::string>& items) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + items[i];
  return out + "]";
}

std::string describe(const Outcome& o) {
  if (!o.ok) return "  error " + std::to_string(o.code) + ": " + o.message + "\n";
  std::string out;
  for (const auto& u : o.units) out += "  " + u.dataSource + ": " + u.sql + "\n";
  for (const auto& u : o.guards) out += "  must not match, " + u.dataSource + ": " + u.sql + "\n";
  if (o.keys) {
    out += "  generated " + o.keys->column + ":";
    for (const Value& v : o.keys->values) out += " " + v.toString();
    out += "\n";
  }
  return out;
}

std::string describeExpected(const YAML::Node& c) {
  std::string out;
  if (c["error"]) {
    const YAML::Node& e = c["error"];
    out += "  error " + e["code"].as<std::string>() + ": " +
           (e["message"] ? e["message"].as<std::string>()
                         : e["messagePrefix"].as<std::string>() + "...") +
           "\n";
  }
  for (const YAML::Node& u : c["expect"]) {
    out += "  " + u["dataSource"].as<std::string>() + ": " +
           (u["sql"] ? u["sql"].as<std::string>() : "/" + u["sqlPattern"].as<std::string>() + "/") +
           "\n";
  }
  return out;
}

Outcome run(const GoldenCase& g, const config::LogicalDatabase& db, const ShardingRule& rule,
            const std::vector<Value>& parameters) {
  Outcome o;
  auto fail = [&](const Status& st) {
    o.ok = false;
    o.code = st.code();
    o.message = st.message();
    return o;
  };
  TableLocations locations;
  for (const auto& kv : g.locations) {
    for (const YAML::Node& ds : kv.second) {
      locations[lowerAscii(kv.first.as<std::string>())].push_back(ds.as<std::string>());
    }
  }
  std::string sql = g.body["sql"].as<std::string>();
  auto statement = parser::ast::parseAst(sql);
  if (!statement) return fail(statement.status());
  const config::DataSource* fallback = db.defaultDataSource();
  Router router(rule, locations, fallback ? fallback->name : std::string());
  RouteOptions options;
  options.database = db.name;
  options.parameters = parameters;
  metadata::DatabaseSchema schema = schemaOf(g.schemas);
  options.schema = &schema;
  options.normalizeStrings = g.body["normalizeStrings"] && g.body["normalizeStrings"].as<bool>();
  auto route = router.route(*statement, options);
  if (!route) return fail(route.status());
  rewriter::RewriteOptions rewriteOptions;
  rewriteOptions.database = db.name;
  auto units = rewriter::rewrite(*statement, *route, rewriteOptions, &o.merge);
  if (!units) return fail(units.status());
  o.units = std::move(*units);
  o.guards = rewriter::guardQueries(*statement, *route, rewriteOptions);
  o.keys = route->generatedKeys;
  return o;
}

// Empty when `actual` is what the case expects, else what differs.
std::string compare(const YAML::Node& c, const Outcome& actual) {
  if (c["error"]) {
    const YAML::Node& e = c["error"];
    if (actual.ok) return "expected an error, got units";
    if (actual.code != e["code"].as<int>()) return "error code differs";
    if (e["message"] && actual.message != e["message"].as<std::string>()) {
      return "error message differs";
    }
    if (e["messagePrefix"] && actual.message.rfind(e["messagePrefix"].as<std::string>(), 0) != 0) {
      return "error message prefix differs";
    }
    return "";
  }
  if (!actual.ok) return "expected units, got an error";
  const YAML::Node& expect = c["expect"];
  if (expect.size() != actual.units.size()) return "unit count differs";
  for (size_t i = 0; i < actual.units.size(); ++i) {
    const YAML::Node& u = expect[i];
    if (u["dataSource"].as<std::string>() != actual.units[i].dataSource) {
      return "unit " + std::to_string(i) + ": data source differs";
    }
    if (u["sql"] && u["sql"].as<std::string>() != actual.units[i].sql) {
      return "unit " + std::to_string(i) + ": SQL differs";
    }
    if (u["sqlPattern"] &&
        !std::regex_match(actual.units[i].sql, std::regex(u["sqlPattern"].as<std::string>()))) {
      return "unit " + std::to_string(i) + ": SQL does not match the pattern";
    }
  }
  const YAML::Node& guards = c["mustNotMatch"];
  if ((guards ? guards.size() : 0) != actual.guards.size()) return "mustNotMatch count differs";
  for (size_t i = 0; i < actual.guards.size(); ++i) {
    if (guards[i]["dataSource"].as<std::string>() != actual.guards[i].dataSource ||
        guards[i]["sql"].as<std::string>() != actual.guards[i].sql) {
      return "mustNotMatch " + std::to_string(i) + " differs";
    }
  }
  if (const YAML::Node& k = c["generatedKeys"]) {
    if (!actual.keys) return "no generated keys";
    if (k["column"] && k["column"].as<std::string>() != actual.keys->column) {
      return "generated key column differs";
    }
    if (k["count"] && k["count"].as<size_t>() != actual.keys->values.size()) {
      return "generated key count differs";
    }
    if (k["pattern"]) {
      std::regex pattern(k["pattern"].as<std::string>());
      for (const Value& v : actual.keys->values) {
        if (!std::regex_match(v.toString(), pattern)) return "generated key does not match";
      }
    }
  } else if (actual.keys) {
    return "unexpected generated keys";
  }
  for (const auto& kv : c["merge"]) {
    std::string field = kv.first.as<std::string>();
    std::vector<std::string> expected;
    if (kv.second.IsSequence()) {
      for (const YAML::Node& item : kv.second) expected.push_back(item.as<std::string>());
    } else {
      expected.push_back(kv.second.as<std::string>());
    }
    std::vector<std::string> got = mergeField(actual.merge, field);
    if (got != expected) {
      return "merge " + field + " differs: expected " + joined(expected) + ", got " + joined(got);
    }
  }
  return "";
}

class GoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(GoldenTest, RoutesAndRewrites) {
  const GoldenCase& g = GetParam();
  const YAML::Node& c = g.body;
  ASSERT_TRUE(c["sql"]) << g.file << " case " << g.index << ": no sql";
  ASSERT_NE(!c["expect"], !c["error"])
      << g.file << " case " << g.index << ": needs exactly one of expect and error";
  // A case whose expectation is ShardingSphere's but which we do not meet yet: the reason says
  // which bug.
  if (c["skip"]) GTEST_SKIP() << c["skip"].as<std::string>();
  config::testing::ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("database-golden.yaml", g.config);
  std::shared_ptr<const config::Topology> topology;
  try {
    topology = dir.load();
  } catch (const std::exception& e) {
    FAIL() << g.file << ": config does not load: " << e.what();
  }
  ASSERT_EQ(topology->databases.size(), 1u);
  const config::LogicalDatabase& db = topology->databases.begin()->second;
  auto rule = ShardingRule::build(db);
  ASSERT_TRUE(rule.isOk()) << g.file << ": rules do not build: " << rule.status().message();
  std::vector<Value> parameters;
  for (const YAML::Node& p : c["parameters"]) parameters.push_back(parameter(p));

  Outcome actual = run(g, db, **rule, parameters);
  std::string difference = compare(c, actual);
  EXPECT_EQ(difference, "") << g.file << " case " << g.index << ": "
                            << (c["comment"] ? c["comment"].as<std::string>() : "") << "\n"
                            << "sql: " << c["sql"].as<std::string>() << "\n"
                            << "expected:\n"
                            << describeExpected(c) << "actual:\n"
                            << describe(actual);
}

INSTANTIATE_TEST_SUITE_P(Golden, GoldenTest, ::testing::ValuesIn(loadCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace shardproxy::router
