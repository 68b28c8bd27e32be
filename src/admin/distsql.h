// ShardingSphere's DistSQL statements the proxy knows (not MySQL syntax, so the MySQL grammar does
// not know them): parsed by their own grammar (grammar/distsql/) on the statement text before the
// MySQL parser runs. Implemented in admin/distsql/ (the library sp_distsql).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace shardproxy::admin {

namespace distsql {

// PREVIEW <statement>: the statement starts at byte `offset` of the text (whitespace after the
// keyword skipped) and runs to its end.
struct Preview {
  size_t offset = 0;
};

// SET [DIST] VARIABLE name = value. The name is lower-cased; the value is unquoted.
struct SetDistVariable {
  std::string name;
  std::string value;
  bool dist = false;  // written with DIST
};

// SHOW [DIST] VARIABLE name | SHOW DIST VARIABLE WHERE NAME = name | SHOW DIST VARIABLES
// [LIKE 'pattern']. The name is lower-cased, empty for SHOW DIST VARIABLES (all of them).
struct ShowDistVariable {
  std::string name;
  bool dist = false;                // the DIST form (name/value columns when shown)
  std::optional<std::string> like;  // the LIKE pattern, unescaped as MySQL does
};

// The read-side statements on rules and resources (ShardingSphere's RQL).
enum class ShowRulesKind {
  StorageUnits,             // SHOW STORAGE UNITS [FROM db]
  ShardingTableRules,       // SHOW SHARDING TABLE RULES [FROM db]
  ShardingTableRule,        // SHOW SHARDING TABLE RULE table [FROM db]
  BroadcastTableRules,      // SHOW BROADCAST TABLE RULES [FROM db]
  SingleTables,             // SHOW SINGLE TABLES [FROM db] [LIKE 'pattern']
  SingleTable,              // SHOW SINGLE TABLE table [FROM db]
  ComputeNodes,             // SHOW COMPUTE NODES
  ShardingAlgorithms,       // SHOW SHARDING ALGORITHMS [FROM db]
  DefaultShardingStrategy,  // SHOW DEFAULT SHARDING STRATEGY [FROM db]
  ShardingKeyGenerators,    // SHOW SHARDING KEY GENERATORS [FROM db]
};

struct ShowRules {
  ShowRulesKind kind = ShowRulesKind::StorageUnits;
  std::string table;     // the table of the single-table forms, as written (unquoted)
  std::string database;  // FROM db as written (unquoted); empty: the session's database
  std::optional<std::string> like;
};

}  // namespace distsql

using DistSqlStatement = std::variant<distsql::Preview, distsql::SetDistVariable,
                                      distsql::ShowDistVariable, distsql::ShowRules>;

// How often parseDistSql() ran the grammar: lets a caller (and the tests) see that ordinary
// statements never reach ANTLR.
struct DistSqlParseStats {
  uint64_t grammarRuns = 0;
};

// False when the first keywords rule DistSQL out, which they do for every MySQL statement
// (SHOW VARIABLES, SET x = 1, SELECT ...): PREVIEW, or SHOW / SET followed by a keyword only
// DistSQL puts there (DIST, VARIABLE, STORAGE, SHARDING, ...). Whitespace and comments are
// skipped as the grammar skips them. No allocation, no ANTLR.
bool mayBeDistSql(std::string_view sql);

// The DistSQL statement `sql` is, or nullopt when it is not one (the MySQL parser's business).
// Runs the grammar only when mayBeDistSql(sql).
std::optional<DistSqlStatement> parseDistSql(std::string_view sql,
                                             DistSqlParseStats* stats = nullptr);

// Thin views of parseDistSql() for the two statement families admin answers.

// `PREVIEW <statement>`: the statement after the keyword, or nullopt when the text is something
// else.
std::optional<std::string_view> previewTarget(std::string_view sql);

// The proxy's own variables:
//   SET [DIST] VARIABLE name = value       value bare or quoted
//   SHOW [DIST] VARIABLE name
//   SHOW DIST VARIABLE WHERE NAME = name
//   SHOW DIST VARIABLES
// Names are lower-cased; `name` is empty for SHOW DIST VARIABLES (all of them). SHOW DIST
// VARIABLES LIKE 'pattern' is not one of these (admin does not answer it yet).
struct DistVariableStatement {
  bool set = false;
  bool dist = false;  // the DIST form (name/value columns when shown)
  std::string name;
  std::string value;
};
std::optional<DistVariableStatement> distVariable(const DistSqlStatement& statement);
std::optional<DistVariableStatement> distVariable(std::string_view sql);

}  // namespace shardproxy::admin
