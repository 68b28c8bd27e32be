#include "executor/table_nodes.h"

#include <strings.h>

namespace shardproxy::executor {

std::vector<ActualTable> actualTablesOf(const config::LogicalDatabase& db,
                                        const router::ShardingRule* rule,
                                        const metadata::TableLocations& locations,
                                        std::string_view table) {
  std::vector<ActualTable> out;
  std::string lower = router::lowerAscii(table);
  if (rule) {
    if (const router::TableRule* t = rule->findTableRule(lower)) {
      for (const router::DataNode& node : t->dataNodes) {
        out.push_back(ActualTable{node.dataSource, node.table});
      }
      return out;
    }
    if (rule->isBroadcast(lower)) {
      for (const std::string& ds : rule->dataSourceNames()) {
        out.push_back(ActualTable{ds, std::string(table)});
      }
      return out;
    }
  }
  auto it = locations.find(lower);
  if (it != locations.end() && !it->second.empty()) {
    out.push_back(ActualTable{it->second.front(), std::string(table)});
  } else if (const config::DataSource* fallback = db.defaultDataSource()) {
    out.push_back(ActualTable{fallback->name, std::string(table)});
  }
  return out;
}

namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

// Higher is worse.
int severity(const MaintenanceRow& status) {
  if (iequals(status.msgType, "error")) return 4;
  if (iequals(status.msgText, "Table is already up to date")) return 0;
  if (iequals(status.msgText, "OK")) return 1;
  return 3;
}

}  // namespace

std::vector<MaintenanceRow> foldMaintenanceRows(const std::string& qualifiedName,
                                                const std::vector<MaintenanceRow>& rows) {
  std::vector<MaintenanceRow> out;
  std::optional<MaintenanceRow> status;
  for (const MaintenanceRow& r : rows) {
    MaintenanceRow named = r;
    named.table = qualifiedName;
    if (iequals(r.msgType, "status")) {
      if (!status || severity(named) > severity(*status)) status = named;
      continue;
    }
    bool seen = false;
    for (const MaintenanceRow& o : out) {
      if (o.op == named.op && o.msgType == named.msgType && o.msgText == named.msgText) {
        seen = true;
        break;
      }
    }
    if (!seen) out.push_back(std::move(named));
  }
  // A table that failed somewhere failed: its error is the answer, not what went well elsewhere.
  bool failed = false;
  for (const MaintenanceRow& r : out) failed = failed || iequals(r.msgType, "error");
  if (failed) {
    std::erase_if(out, [](const MaintenanceRow& r) { return !iequals(r.msgType, "error"); });
  }
  if (status) out.push_back(std::move(*status));
  return out;
}

}  // namespace shardproxy::executor
