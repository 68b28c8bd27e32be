// The running sharding rules of one logical database, built from config/rules.h: data nodes
// expanded, defaults applied, algorithms and key generators created, everything checked. Built
// once per topology and read-only afterwards (shared by every worker).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "config/topology.h"
#include "router/algorithm.h"
#include "router/key_generator.h"

namespace shardproxy::router {

struct DataNode {
  std::string dataSource;
  std::string table;
};

struct ShardingStrategy {
  config::StrategyConfig::Type type = config::StrategyConfig::Type::None;
  // Standard: one; complex: several; hint, none: empty. As configured: algorithms bind values
  // under these names (compare them case-insensitively with SQL).
  std::vector<std::string> columns;
  std::shared_ptr<const ShardingAlgorithm> algorithm;  // null for None
  std::string algorithmName;
};

struct KeyGenerate {
  std::string column;  // as configured
  std::shared_ptr<KeyGenerator> generator;
  std::string generatorName;
};

struct TableRule {
  std::string logicTable;
  bool autoTable = false;
  std::vector<DataNode> dataNodes;            // in configuration order
  std::vector<std::string> dataSources;       // distinct, in order of first appearance
  std::map<std::string, std::vector<std::string>> tablesByDataSource;
  ShardingStrategy databaseStrategy;  // the table's own, or the default
  ShardingStrategy tableStrategy;
  DataNodeInfo dataSourceNodeInfo;  // for auto-table algorithms choosing among data sources
  DataNodeInfo tableNodeInfo;       // ... and among tables
  std::optional<KeyGenerate> keyGenerate;
  std::vector<std::string> auditors;  // DML_SHARDING_CONDITIONS auditors that apply
  bool allowHintDisable = true;
  int bindingGroup = -1;  // index into ShardingRule::bindingGroups(), -1 when not bound

  // Every actual table of this rule, as written in data nodes.
  bool hasActualTable(std::string_view table) const;
  // The actual tables on `dataSource` (empty when none).
  const std::vector<std::string>& tablesOn(const std::string& dataSource) const;
};

class ShardingRule {
 public:
  // Builds and checks the rules of `db`; errors name file:line, the table, strategy or
  // algorithm at fault. A database without !SHARDING gets an empty rule (broadcast and single
  // settings still apply). `instanceWorkerId`: createKeyGenerator's.
  static Result<std::shared_ptr<const ShardingRule>> build(
      const config::LogicalDatabase& db, std::optional<int> instanceWorkerId = std::nullopt);

  // Table names compare case-insensitively, as MySQL does on the usual lower_case_table_names
  // settings of Linux servers for logical names.
  const TableRule* findTableRule(std::string_view logicTable) const;
  bool isBroadcast(std::string_view table) const;
  // The TableRule whose actual tables include `actualTable` (for metadata restored to logical
  // names); null when none.
  const TableRule* findByActualTable(std::string_view actualTable) const;

  const std::vector<TableRule>& tableRules() const { return tables_; }
  const std::vector<std::string>& broadcastTables() const { return broadcast_; }
  // Binding groups as sets of logic table names (lower case).
  const std::vector<std::vector<std::string>>& bindingGroups() const { return bindingGroups_; }
  // Every data source a statement may reach (the database's data sources and logical groups).
  const std::vector<std::string>& dataSourceNames() const { return dataSources_; }
  const config::SingleRuleConfig& single() const { return single_; }
  bool empty() const { return tables_.empty() && broadcast_.empty(); }

 private:
  std::vector<TableRule> tables_;
  std::map<std::string, size_t> byName_;  // lower-case logic table -> index
  std::vector<std::string> broadcast_;
  std::vector<std::vector<std::string>> bindingGroups_;
  std::vector<std::string> dataSources_;
  config::SingleRuleConfig single_;
};

// The actual table of `member` on `dataSource` that pairs with `primaryActual` of `primary`:
// the one with the same suffix after the logic table name, as binding tables (and FOREIGN KEY
// parents) pair up. nullopt when there is none.
std::optional<std::string> pairedActualTable(const TableRule& primary,
                                             const std::string& primaryActual,
                                             const TableRule& member,
                                             const std::string& dataSource);

// Every logical database's rules, by database name.
using RuleSet = std::map<std::string, std::shared_ptr<const ShardingRule>>;
// Builds the rules of every database of the topology; the first error, naming file:line.
// `instanceWorkerId` is the process's --worker-id (nullopt when none was given), which SNOWFLAKE
// keys carry; every build of the process (start-up and reloads) must pass the same one.
Result<RuleSet> buildRules(const config::Topology& topology, std::optional<int> instanceWorkerId);

// Java's equalsIgnoreCase on ASCII, which is what table names need.
std::string lowerAscii(std::string_view s);

}  // namespace shardproxy::router
