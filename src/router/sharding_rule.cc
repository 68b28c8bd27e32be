#include "router/sharding_rule.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "common/log.h"
#include "router/inline_expression.h"

namespace shardproxy::router {

std::string lowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool TableRule::hasActualTable(std::string_view table) const {
  std::string lower = lowerAscii(table);
  return std::any_of(dataNodes.begin(), dataNodes.end(),
                     [&](const DataNode& n) { return lowerAscii(n.table) == lower; });
}

const std::vector<std::string>& TableRule::tablesOn(const std::string& dataSource) const {
  static const std::vector<std::string> kNone;
  auto it = tablesByDataSource.find(dataSource);
  return it == tablesByDataSource.end() ? kNone : it->second;
}

namespace {

using config::StrategyConfig;

// `t_order_07` -> prefix "t_order_", suffix length 2: how auto-table algorithms spell targets.
DataNodeInfo nodeInfo(const std::string& name) {
  size_t digits = 0;
  while (digits < name.size() && std::isdigit(static_cast<unsigned char>(name[name.size() - 1 - digits]))) {
    ++digits;
  }
  return DataNodeInfo{name.substr(0, name.size() - digits), digits, '0'};
}

class Builder {
 public:
  Builder(const config::LogicalDatabase& db, std::optional<int> instanceWorkerId)
      : db_(db), instanceWorkerId_(instanceWorkerId) {}

  // Errors are "file:line: where: what", as config errors are.
  Status fail(int line, const std::string& where, const std::string& what) const {
    std::string file = db_.ruleSet.sharding ? db_.ruleSet.sharding->file : db_.file;
    return makeError(er::kUnknownError, file + ":" + std::to_string(line) + ": " + where + ": " + what);
  }

  bool knownDataSource(const std::string& name) const {
    return db_.findDataSource(name) != nullptr || db_.logicalDataSources.count(name) > 0;
  }

  // The data sources tables without actualDataNodes spread over: the logical groups when the
  // database has them (their members are not addressed directly), else the physical ones.
  std::vector<std::string> nodeDataSources() const {
    std::vector<std::string> out;
    if (!db_.logicalDataSources.empty()) {
      for (const auto& [name, writer] : db_.logicalDataSources) out.push_back(name);
    } else {
      for (const auto& ds : db_.dataSources) out.push_back(ds.name);
    }
    return out;
  }

  Result<std::shared_ptr<const ShardingAlgorithm>> algorithm(const std::string& name) {
    if (auto it = algorithms_.find(name); it != algorithms_.end()) return it->second;
    const config::ShardingRuleConfig& s = *db_.ruleSet.sharding;
    const config::AlgorithmConfig& a = s.shardingAlgorithms.at(name);
    auto made = createShardingAlgorithm(a.type, a.props);
    if (!made) {
      return fail(a.line, "!SHARDING.shardingAlgorithms." + name, made.status().message());
    }
    std::shared_ptr<const ShardingAlgorithm> shared = std::move(made.value());
    algorithms_[name] = shared;
    return shared;
  }

  Result<ShardingStrategy> strategy(const std::optional<StrategyConfig>& own,
                                    const std::optional<StrategyConfig>& fallback,
                                    const std::string& where) {
    const std::optional<StrategyConfig>& chosen = own ? own : fallback;
    ShardingStrategy out;
    if (!chosen || chosen->type == StrategyConfig::Type::None) return out;
    const config::ShardingRuleConfig& s = *db_.ruleSet.sharding;
    out.type = chosen->type;
    out.columns = chosen->shardingColumns;
    out.algorithmName = chosen->algorithmName;
    if (out.type == StrategyConfig::Type::Standard && out.columns.empty()) {
      if (s.defaultShardingColumn.empty()) {
        return fail(chosen->line, where,
                    "standard strategy without shardingColumn, and no defaultShardingColumn");
      }
      out.columns = {s.defaultShardingColumn};
    }
    auto algo = algorithm(chosen->algorithmName);
    if (!algo) return algo.status();
    out.algorithm = *algo;
    ShardingAlgorithm::Kind want = out.type == StrategyConfig::Type::Standard
                                       ? ShardingAlgorithm::Kind::Standard
                                   : out.type == StrategyConfig::Type::Complex
                                       ? ShardingAlgorithm::Kind::Complex
                                       : ShardingAlgorithm::Kind::Hint;
    if (out.algorithm->kind() != want) {
      static const char* kKinds[] = {"standard", "complex", "hint"};
      return fail(chosen->line, where,
                  "algorithm '" + chosen->algorithmName + "' (" + out.algorithm->type() +
                      ") is a " + kKinds[static_cast<int>(out.algorithm->kind())] +
                      " algorithm and cannot serve a " + kKinds[static_cast<int>(want)] +
                      " strategy");
    }
    return out;
  }

  Result<std::optional<KeyGenerate>> keyGenerate(
      const std::optional<config::KeyGenerateStrategyConfig>& own, const std::string& where) {
    const config::ShardingRuleConfig& s = *db_.ruleSet.sharding;
    const auto& chosen = own ? own : s.defaultKeyGenerateStrategy;
    if (!chosen) return std::optional<KeyGenerate>();
    KeyGenerate out;
    out.column = chosen->column;
    out.generatorName = chosen->keyGeneratorName;
    auto it = generators_.find(chosen->keyGeneratorName);
    if (it == generators_.end()) {
      const config::AlgorithmConfig& a = s.keyGenerators.at(chosen->keyGeneratorName);
      std::string warning;
      auto made =
          createKeyGenerator(a.type, a.props, systemClockMillis, instanceWorkerId_, &warning);
      if (!made) {
        return fail(a.line, "!SHARDING.keyGenerators." + a.name, made.status().message());
      }
      if (!warning.empty()) {
        spdlog::warn("{}", fail(a.line, "!SHARDING.keyGenerators." + a.name, warning).message());
      }
      it = generators_.emplace(a.name, std::shared_ptr<KeyGenerator>(std::move(made.value()))).first;
    }
    out.generator = it->second;
    (void)where;
    return std::optional<KeyGenerate>(std::move(out));
  }

  Status audit(const std::optional<config::AuditStrategyConfig>& own, TableRule& t) {
    const config::ShardingRuleConfig& s = *db_.ruleSet.sharding;
    const auto& chosen = own ? own : s.defaultAuditStrategy;
    if (!chosen) return Status::ok();
    for (const std::string& name : chosen->auditorNames) {
      const config::AlgorithmConfig& a = s.auditors.at(name);
      if (lowerAscii(a.type) != "dml_sharding_conditions") {
        return fail(a.line, "!SHARDING.auditors." + name,
                    "unknown auditor type '" + a.type + "' (expected DML_SHARDING_CONDITIONS)");
      }
      t.auditors.push_back(name);
    }
    t.allowHintDisable = chosen->allowHintDisable;
    return Status::ok();
  }

  Status nodes(TableRule& t, const std::string& text, int line, const std::string& where) {
    if (text.empty()) {
      for (const std::string& ds : nodeDataSources()) t.dataNodes.push_back({ds, t.logicTable});
    } else {
      auto expression = InlineExpression::parse(text);
      if (!expression) return fail(line, where, expression.status().message());
      auto expanded = expression->expand();
      if (!expanded) return fail(line, where, expanded.status().message());
      for (const std::string& node : *expanded) {
        size_t dot = node.find('.');
        if (dot == std::string::npos || dot == 0 || dot + 1 == node.size() ||
            node.find('.', dot + 1) != std::string::npos) {
          return fail(line, where, "data node '" + node + "' is not data_source.table");
        }
        t.dataNodes.push_back({node.substr(0, dot), node.substr(dot + 1)});
      }
      if (t.dataNodes.empty()) return fail(line, where, "expands to no data nodes");
    }
    std::set<std::pair<std::string, std::string>> seen;
    for (const DataNode& n : t.dataNodes) {
      if (!knownDataSource(n.dataSource)) {
        return fail(line, where,
                    "data node '" + n.dataSource + "." + n.table + "' names unknown data source '" +
                        n.dataSource + "'");
      }
      if (!seen.insert({n.dataSource, lowerAscii(n.table)}).second) {
        return fail(line, where, "data node '" + n.dataSource + "." + n.table + "' is listed twice");
      }
      auto& tables = t.tablesByDataSource[n.dataSource];
      if (tables.empty()) t.dataSources.push_back(n.dataSource);
      tables.push_back(n.table);
    }
    t.dataSourceNodeInfo = nodeInfo(t.dataNodes.front().dataSource);
    t.tableNodeInfo = nodeInfo(t.dataNodes.front().table);
    return Status::ok();
  }

  Result<TableRule> table(const config::TableRuleConfig& c) {
    const config::ShardingRuleConfig& s = *db_.ruleSet.sharding;
    std::string where = "!SHARDING.tables." + c.logicTable;
    TableRule t;
    t.logicTable = c.logicTable;
    if (Status st = nodes(t, c.actualDataNodes, c.line, where + ".actualDataNodes"); !st) return st;
    auto ds = strategy(c.databaseStrategy, s.defaultDatabaseStrategy, where + ".databaseStrategy");
    if (!ds) return ds.status();
    t.databaseStrategy = std::move(*ds);
    auto ts = strategy(c.tableStrategy, s.defaultTableStrategy, where + ".tableStrategy");
    if (!ts) return ts.status();
    t.tableStrategy = std::move(*ts);
    auto kg = keyGenerate(c.keyGenerateStrategy, where + ".keyGenerateStrategy");
    if (!kg) return kg.status();
    t.keyGenerate = std::move(*kg);
    if (Status st = audit(c.auditStrategy, t); !st) return st;
    return t;
  }

  Result<TableRule> autoTable(const config::AutoTableRuleConfig& c) {
    std::string where = "!SHARDING.autoTables." + c.logicTable;
    TableRule t;
    t.logicTable = c.logicTable;
    t.autoTable = true;
    auto expression = InlineExpression::parse(c.actualDataSources);
    if (!expression) return fail(c.line, where + ".actualDataSources", expression.status().message());
    auto dataSources = expression->expand();
    if (!dataSources) return fail(c.line, where + ".actualDataSources", dataSources.status().message());
    if (dataSources->empty()) return fail(c.line, where + ".actualDataSources", "names no data source");
    for (const std::string& ds : *dataSources) {
      if (!knownDataSource(ds)) {
        return fail(c.line, where + ".actualDataSources", "unknown data source '" + ds + "'");
      }
    }
    // The strategy chooses among all the table's actual tables; each table lives on one data
    // source, so that choice is the route.
    auto ts = strategy(c.shardingStrategy, std::nullopt, where + ".shardingStrategy");
    if (!ts) return ts.status();
    t.tableStrategy = std::move(*ts);
    std::optional<int> amount =
        t.tableStrategy.algorithm ? t.tableStrategy.algorithm->autoTablesAmount() : std::nullopt;
    if (!amount || *amount <= 0) {
      return fail(c.line, where + ".shardingStrategy",
                  "auto tables need an auto-table algorithm (MOD, HASH_MOD, VOLUME_RANGE, "
                  "BOUNDARY_RANGE or AUTO_INTERVAL), not '" + t.tableStrategy.algorithmName + "'");
    }
    // Tables <logic>_0 .. <logic>_{n-1}, dealt round-robin over the data sources.
    for (int i = 0; i < *amount; ++i) {
      const std::string& ds = (*dataSources)[static_cast<size_t>(i) % dataSources->size()];
      t.dataNodes.push_back({ds, c.logicTable + "_" + std::to_string(i)});
    }
    for (const DataNode& n : t.dataNodes) {
      auto& tables = t.tablesByDataSource[n.dataSource];
      if (tables.empty()) t.dataSources.push_back(n.dataSource);
      tables.push_back(n.table);
    }
    t.dataSourceNodeInfo = nodeInfo(t.dataNodes.front().dataSource);
    t.tableNodeInfo = DataNodeInfo{c.logicTable + "_", 1, '0'};
    auto kg = keyGenerate(c.keyGenerateStrategy, where + ".keyGenerateStrategy");
    if (!kg) return kg.status();
    t.keyGenerate = std::move(*kg);
    if (Status st = audit(c.auditStrategy, t); !st) return st;
    return t;
  }

  // Binding tables must lie alike: the same data sources, and on each the same table suffixes
  // (t_order_0 with t_order_item_0), so that joining them shard by shard is correct.
  static std::vector<std::pair<std::string, std::string>> layout(const TableRule& t) {
    std::vector<std::pair<std::string, std::string>> out;
    std::string logic = lowerAscii(t.logicTable);
    for (const DataNode& n : t.dataNodes) {
      std::string table = lowerAscii(n.table);
      std::string suffix = table.rfind(logic, 0) == 0 ? table.substr(logic.size()) : table;
      out.emplace_back(n.dataSource, suffix);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  const config::LogicalDatabase& db_;
  std::map<std::string, std::shared_ptr<const ShardingAlgorithm>> algorithms_;
  std::map<std::string, std::shared_ptr<KeyGenerator>> generators_;
  const std::optional<int> instanceWorkerId_;
};

}  // namespace

Result<std::shared_ptr<const ShardingRule>> ShardingRule::build(
    const config::LogicalDatabase& db, std::optional<int> instanceWorkerId) {
  auto rule = std::make_shared<ShardingRule>();
  for (const auto& ds : db.dataSources) rule->dataSources_.push_back(ds.name);
  for (const auto& [name, writer] : db.logicalDataSources) rule->dataSources_.push_back(name);
  rule->single_ = db.ruleSet.single;
  for (const std::string& t : db.ruleSet.broadcastTables) {
    std::string lower = lowerAscii(t);
    if (std::find(rule->broadcast_.begin(), rule->broadcast_.end(), lower) == rule->broadcast_.end()) {
      rule->broadcast_.push_back(lower);
    }
  }
  if (!db.ruleSet.sharding) return std::shared_ptr<const ShardingRule>(rule);
  const config::ShardingRuleConfig& s = *db.ruleSet.sharding;
  Builder b(db, instanceWorkerId);
  // Every algorithm and key generator is created, used or not: a broken one is an error now,
  // not when a later rule change starts using it.
  for (const auto& [name, algorithm] : s.shardingAlgorithms) {
    if (auto made = b.algorithm(name); !made) return made.status();
  }
  for (const auto& [name, generator] : s.keyGenerators) {
    config::KeyGenerateStrategyConfig probe;
    probe.keyGeneratorName = name;
    if (auto made = b.keyGenerate(probe, ""); !made) return made.status();
  }
  for (const auto& c : s.tables) {
    auto t = b.table(c);
    if (!t) return t.status();
    rule->tables_.push_back(std::move(*t));
  }
  for (const auto& c : s.autoTables) {
    auto t = b.autoTable(c);
    if (!t) return t.status();
    rule->tables_.push_back(std::move(*t));
  }
  for (size_t i = 0; i < rule->tables_.size(); ++i) {
    std::string name = lowerAscii(rule->tables_[i].logicTable);
    if (!rule->byName_.emplace(name, i).second) {
      return b.fail(s.line, "!SHARDING", "table '" + rule->tables_[i].logicTable + "' is configured twice");
    }
    if (rule->isBroadcast(name)) {
      return b.fail(s.line, "!BROADCAST",
                    "table '" + rule->tables_[i].logicTable + "' is also a sharded table");
    }
  }
  for (const auto& group : s.bindingTables) {
    std::vector<std::string> names;
    const TableRule* first = nullptr;
    for (const std::string& name : group.tables) {
      auto it = rule->byName_.find(lowerAscii(name));
      TableRule& t = rule->tables_[it->second];
      if (t.bindingGroup >= 0) {
        return b.fail(group.line, "!SHARDING.bindingTables",
                      "table '" + name + "' is in two binding groups");
      }
      if (first && Builder::layout(*first) != Builder::layout(t)) {
        return b.fail(group.line, "!SHARDING.bindingTables",
                      "binding tables '" + first->logicTable + "' and '" + t.logicTable +
                          "' have different data node layouts (data sources and table suffixes "
                          "must match)");
      }
      if (!first) first = &t;
      t.bindingGroup = static_cast<int>(rule->bindingGroups_.size());
      names.push_back(lowerAscii(name));
    }
    rule->bindingGroups_.push_back(std::move(names));
  }
  return std::shared_ptr<const ShardingRule>(rule);
}

std::optional<std::string> pairedActualTable(const TableRule& primary,
                                             const std::string& primaryActual,
                                             const TableRule& member,
                                             const std::string& dataSource) {
  std::string logic = lowerAscii(primary.logicTable);
  std::string actual = lowerAscii(primaryActual);
  std::string suffix = actual.rfind(logic, 0) == 0 ? actual.substr(logic.size()) : actual;
  std::string memberLogic = lowerAscii(member.logicTable);
  for (const std::string& t : member.tablesOn(dataSource)) {
    std::string lt = lowerAscii(t);
    if (lt.rfind(memberLogic, 0) == 0 && lt.substr(memberLogic.size()) == suffix) return t;
  }
  return std::nullopt;
}

Result<RuleSet> buildRules(const config::Topology& topology, std::optional<int> instanceWorkerId) {
  RuleSet out;
  for (const auto& [name, db] : topology.databases) {
    auto rule = ShardingRule::build(db, instanceWorkerId);
    if (!rule) return rule.status();
    out[name] = std::move(*rule);
  }
  return out;
}

const TableRule* ShardingRule::findTableRule(std::string_view logicTable) const {
  auto it = byName_.find(lowerAscii(logicTable));
  return it == byName_.end() ? nullptr : &tables_[it->second];
}

bool ShardingRule::isBroadcast(std::string_view table) const {
  std::string lower = lowerAscii(table);
  return std::find(broadcast_.begin(), broadcast_.end(), lower) != broadcast_.end();
}

const TableRule* ShardingRule::findByActualTable(std::string_view actualTable) const {
  for (const TableRule& t : tables_) {
    if (t.hasActualTable(actualTable)) return &t;
  }
  return nullptr;
}

}  // namespace shardproxy::router
