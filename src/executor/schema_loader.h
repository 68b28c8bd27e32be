// Loads the logical tables' schemas (metadata/table_schema.h) from the backends: at start-up for
// every database with rules (blocking, one connection per data source, all data sources in
// parallel), and for one table after DDL through the proxy. One actual table answers for its
// logical table; the others are compared with it and a difference is logged as a warning that
// names both.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/topology.h"
#include "executor/startup_probe.h"
#include "metadata/table_catalog.h"
#include "metadata/table_schema.h"
#include "router/sharding_rule.h"

namespace shardproxy::executor {

// The query that describes every table of the connection's database (`table` empty) or one
// table, and the one for its indexes; their rows go to schemasFromRows().
std::string columnsQuery(const std::string& table);
std::string indexesQuery(const std::string& table);

using TextRows = std::vector<std::vector<std::optional<std::string>>>;
// Actual table name (lower case) -> its schema (named as the actual table), from the rows of
// columnsQuery() and indexesQuery().
std::map<std::string, metadata::TableSchema> schemasFromRows(const TextRows& columns,
                                                             const TextRows& indexes);

// The schema of each logical table of `db` (sharded, broadcast, and the single tables of
// `singles`), from the actual tables of every data source, read in parallel. A data source that
// cannot be reached is skipped with a warning; one whose server did not answer at start-up is
// skipped without being asked.
metadata::DatabaseSchema loadDatabaseSchema(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule,
                                            const metadata::TableLocations& singles,
                                            const Reachability& reachable);

}  // namespace shardproxy::executor
