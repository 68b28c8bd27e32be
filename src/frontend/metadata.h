// Where the tables that no rule names live: listed from the data sources at start-up, kept up
// to date by DDL that runs through the proxy. Read by every worker, so it is thread-safe:
// readers get an immutable snapshot.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/topology.h"
#include "router/router.h"
#include "router/sharding_rule.h"

namespace shardproxy::frontend {

class TableCatalog {
 public:
  // The locations of `database`'s unruled tables (never null).
  std::shared_ptr<const router::TableLocations> locations(const std::string& database) const;
  void set(const std::string& database, router::TableLocations locations);
  // After CREATE TABLE / DROP TABLE of an unruled table on `dataSource`.
  void added(const std::string& database, const std::string& table, const std::string& dataSource);
  void dropped(const std::string& database, const std::string& table);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::shared_ptr<const router::TableLocations>> byDatabase_;
};

// Lists the tables of every data source of `db` (blocking; for start-up) and keeps those no
// rule claims (neither an actual table of a sharded table nor a broadcast table) that the
// `!SINGLE` tables patterns list (all of them when it lists none). A data source
// that cannot be reached is skipped with a warning (its tables route to the default data source
// until the proxy restarts or DDL names them).
router::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                          const router::ShardingRule& rule);

}  // namespace shardproxy::frontend
