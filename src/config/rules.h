// The sharding-related rules of a logical database as written in ShardingSphere 5.x YAML
// (`!SHARDING`, `!BROADCAST`, `!SINGLE`): checked for shape here (types, required keys, names
// that must refer to something in the same rule), turned into running rules by router/.
// Every element keeps the line it was written on, for messages.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace shardproxy::config {

struct AlgorithmConfig {
  std::string name;
  std::string type;                          // as written ("MOD", "inline" ...)
  std::map<std::string, std::string> props;  // scalars as written
  int line = 0;
};

// databaseStrategy / tableStrategy / shardingStrategy: `standard`, `complex`, `hint` or `none`.
struct StrategyConfig {
  enum class Type { None, Standard, Complex, Hint };
  Type type = Type::None;
  std::vector<std::string> shardingColumns;  // standard: one (may be empty: defaultShardingColumn);
                                             // complex: the comma-separated list
  std::string algorithmName;
  int line = 0;
};

struct KeyGenerateStrategyConfig {
  std::string column;
  std::string keyGeneratorName;
  int line = 0;
};

struct AuditStrategyConfig {
  std::vector<std::string> auditorNames;
  bool allowHintDisable = true;
  int line = 0;
};

struct TableRuleConfig {
  std::string logicTable;
  std::string actualDataNodes;  // inline expression; empty: the logic table on every data source
  std::optional<StrategyConfig> databaseStrategy;  // absent: the default strategy applies
  std::optional<StrategyConfig> tableStrategy;
  std::optional<KeyGenerateStrategyConfig> keyGenerateStrategy;
  std::optional<AuditStrategyConfig> auditStrategy;
  int line = 0;
};

struct AutoTableRuleConfig {
  std::string logicTable;
  std::string actualDataSources;  // inline expression or comma-separated names
  std::optional<StrategyConfig> shardingStrategy;
  std::optional<KeyGenerateStrategyConfig> keyGenerateStrategy;
  std::optional<AuditStrategyConfig> auditStrategy;
  int line = 0;
};

struct BindingTableGroupConfig {
  std::string name;                 // `ref_0:` prefix of the named form; empty otherwise
  std::vector<std::string> tables;  // logic table names
  int line = 0;
};

struct ShardingRuleConfig {
  std::vector<TableRuleConfig> tables;
  std::vector<AutoTableRuleConfig> autoTables;
  std::vector<BindingTableGroupConfig> bindingTables;
  std::optional<StrategyConfig> defaultDatabaseStrategy;
  std::optional<StrategyConfig> defaultTableStrategy;
  std::optional<KeyGenerateStrategyConfig> defaultKeyGenerateStrategy;
  std::optional<AuditStrategyConfig> defaultAuditStrategy;
  std::string defaultShardingColumn;
  std::map<std::string, AlgorithmConfig> shardingAlgorithms;  // by name
  std::map<std::string, AlgorithmConfig> keyGenerators;
  std::map<std::string, AlgorithmConfig> auditors;
  // 5.0 - 5.2 listed broadcast tables inside !SHARDING; merged with !BROADCAST.
  std::vector<std::string> broadcastTables;
  std::string file;
  int line = 0;
};

struct SingleRuleConfig {
  // `"*.*"`, `ds_0.*`, `*.t`, `ds_0.t` (data source and table, `*` for any); 5.4 form. Empty:
  // tables no rule names are found on the data sources at start-up.
  std::vector<std::string> tables;
  std::string defaultDataSource;
  int line = 0;
};

struct DatabaseRules {
  std::optional<ShardingRuleConfig> sharding;
  std::vector<std::string> broadcastTables;  // !BROADCAST tables and !SHARDING broadcastTables
  SingleRuleConfig single;
};

}  // namespace shardproxy::config
