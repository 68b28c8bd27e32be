// Where a logical table's rows live, for statements that act on whole tables (LOCK TABLES, FLUSH
// TABLES, CHECK / ANALYZE / OPTIMIZE / REPAIR TABLE): every actual table on every data source,
// grouped by data source, and how the per-table answers of MySQL's maintenance statements add
// up to one answer per logical table. Pure: no connection, unit-tested.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/topology.h"
#include "metadata/table_catalog.h"
#include "router/sharding_rule.h"

namespace shardproxy::executor {

struct ActualTable {
  std::string dataSource;
  std::string table;
};

// Every actual table of `table` in `db`: a sharded table's data nodes, a broadcast table on every
// data source, a single table where the catalog found it (else the default data source, where
// the router would send it).
std::vector<ActualTable> actualTablesOf(const config::LogicalDatabase& db,
                                        const router::ShardingRule* rule,
                                        const metadata::TableLocations& locations,
                                        std::string_view table);

// Items on one data source, in the order the data sources first appear.
template <typename Item>
struct PerDataSource {
  std::string dataSource;
  std::vector<Item> items;
};

template <typename Item>
void addTo(std::vector<PerDataSource<Item>>& groups, const std::string& dataSource, Item item) {
  for (PerDataSource<Item>& g : groups) {
    if (g.dataSource == dataSource) {
      g.items.push_back(std::move(item));
      return;
    }
  }
  groups.push_back(PerDataSource<Item>{dataSource, {}});
  groups.back().items.push_back(std::move(item));
}

// One row of a maintenance statement's answer: Table, Op, Msg_type, Msg_text.
struct MaintenanceRow {
  std::string table;
  std::string op;
  std::string msgType;
  std::string msgText;
};

// The rows of every actual table of one logical table (messages already in logical names)
// folded into the logical table's rows, named `qualifiedName`: each distinct message once, in
// the order first seen, then one status row, the worst one met (an error, then any status but
// OK, then OK, then "Table is already up to date"). A table whose answer had no status row gets
// none either.
std::vector<MaintenanceRow> foldMaintenanceRows(const std::string& qualifiedName,
                                                const std::vector<MaintenanceRow>& rows);

}  // namespace shardproxy::executor
