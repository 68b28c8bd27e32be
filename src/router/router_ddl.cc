// DDL routes: a sharded table's DDL runs on every one of its actual tables, a broadcast table's
// on every data source, anything else where the table lives (new tables: the default data
// source).
#include <algorithm>

#include "router/router.h"

namespace shardproxy::router {

namespace ast = parser::ast;

namespace {

Status unsupportedDdl(const std::string& what, const std::string& table) {
  return Status(er::kSsUnsupportedShardingTableDdl, "0A000",
                "Can not support operation `" + what + "` with sharding table `" + table + "`.");
}

const char* operation(ast::DdlKind kind) {
  switch (kind) {
    case ast::DdlKind::RenameTable:
      return "RENAME TABLE";
    case ast::DdlKind::CreateView:
      return "CREATE VIEW";
    case ast::DdlKind::AlterView:
      return "ALTER VIEW";
    case ast::DdlKind::DropView:
      return "DROP VIEW";
    default:
      return "DDL";
  }
}

}  // namespace

Result<RouteResult> routeDdl(const ShardingRule& rule, const TableLocations& locations,
                             const std::string& defaultDataSource, const ast::Statement& s,
                             const RouteOptions& options) {
  RouteResult result;
  std::vector<const TableRule*> sharded;
  bool broadcast = false;
  std::vector<std::string> singleDataSources;
  // Tables found nowhere (being created): the default data source, unless a table the statement
  // reads or copies lives elsewhere.
  bool newTables = false;
  std::string renamedTo;  // ALTER TABLE ... RENAME TO: the new name
  auto addSingle = [&](const std::string& ds) {
    if (std::find(singleDataSources.begin(), singleDataSources.end(), ds) ==
        singleDataSources.end()) {
      singleDataSources.push_back(ds);
    }
  };
  for (const ast::DdlTable& d : s.ddl.tables) {
    const ast::TableRef& ref = s.tableRef(d.table);
    if (d.role == ast::DdlTable::Role::RenameTo) renamedTo = ref.name.value;
    if (!ref.schema.empty() && lowerAscii(ref.schema.value) != lowerAscii(options.database))
      continue;
    std::string lower = lowerAscii(ref.name.value);
    if (d.role == ast::DdlTable::Role::Query) {
      if (rule.findTableRule(lower)) {
        // A view over a sharded table would read one shard only: ShardingSphere refuses it.
        if (s.ddlKind == ast::DdlKind::CreateView || s.ddlKind == ast::DdlKind::AlterView) {
          return unsupportedDdl(operation(s.ddlKind), ref.name.value);
        }
        return Status(kErNotSupportedYet, "42000",
                      "unsupported: DDL whose query reads sharded table '" + ref.name.value + "'");
      }
      // A view or CREATE TABLE ... AS SELECT over a single table goes where that table lives
      // (the new name is not found anywhere; the default data source would lack the table).
      auto it = locations.find(lower);
      if (it != locations.end() && !it->second.empty()) addSingle(it->second.front());
      continue;
    }
    if (const TableRule* t = rule.findTableRule(lower)) {
      if (std::find(sharded.begin(), sharded.end(), t) == sharded.end()) sharded.push_back(t);
    } else if (rule.isBroadcast(lower)) {
      // A broadcast table a FOREIGN KEY references is on every data source: it does not decide
      // the route (ShardingSphere routes a sharded table's FOREIGN KEY to one likewise).
      if (d.role != ast::DdlTable::Role::References) broadcast = true;
    } else if (d.role == ast::DdlTable::Role::Target || d.role == ast::DdlTable::Role::Like) {
      auto it = locations.find(lower);
      if (it != locations.end() && !it->second.empty()) {
        addSingle(it->second.front());
      } else {
        newTables = true;
      }
    }
  }
  if (!sharded.empty()) {
    const TableRule& primary = *sharded.front();
    if (s.ddlKind == ast::DdlKind::RenameTable || s.ddlKind == ast::DdlKind::CreateView ||
        s.ddlKind == ast::DdlKind::AlterView || s.ddlKind == ast::DdlKind::DropView) {
      return unsupportedDdl(operation(s.ddlKind), primary.logicTable);
    }
    // Each actual table renamed to the one new name would collide (ShardingSphere refuses it,
    // naming the new table).
    if (s.ddlKind == ast::DdlKind::AlterTable && !renamedTo.empty()) {
      return unsupportedDdl("ALTER TABLE ... RENAME TO ...", renamedTo);
    }
    if (broadcast || !singleDataSources.empty() || newTables) {
      return Status(kErNotSupportedYet, "42000",
                    "unsupported: DDL naming sharded table '" + primary.logicTable +
                        "' together with broadcast or single tables");
    }
    // Every actual table of the first; the others (binding tables, FOREIGN KEY parents) paired
    // by suffix on the same data source.
    result.kind = RouteResult::Kind::Standard;
    for (const DataNode& node : primary.dataNodes) {
      RouteUnit unit{node.dataSource, {{primary.logicTable, node.table}}, {}};
      for (size_t i = 1; i < sharded.size(); ++i) {
        auto paired = pairedActualTable(primary, node.table, *sharded[i], node.dataSource);
        if (!paired) {
          return Status(kErNotSupportedYet, "42000",
                        "unsupported: DDL naming sharded tables '" + primary.logicTable +
                            "' and '" + sharded[i]->logicTable +
                            "' whose actual tables do not pair up");
        }
        unit.tables.push_back({sharded[i]->logicTable, *paired});
      }
      result.units.push_back(std::move(unit));
    }
    return result;
  }
  if (broadcast) {
    if (!singleDataSources.empty() || newTables) {
      return Status(kErNotSupportedYet, "42000",
                    "unsupported: DDL naming broadcast tables together with single tables");
    }
    result.kind = RouteResult::Kind::Broadcast;
    for (const std::string& ds : rule.dataSourceNames())
      result.units.push_back(RouteUnit{ds, {}, {}});
    return result;
  }
  if (singleDataSources.size() > 1) {
    return Status(kErNotSupportedYet, "42000",
                  "unsupported: DDL naming single tables on different data sources");
  }
  result.kind = RouteResult::Kind::Single;
  result.units.push_back(
      RouteUnit{singleDataSources.empty() ? defaultDataSource : singleDataSources.front(), {}, {}});
  return result;
}

}  // namespace shardproxy::router
