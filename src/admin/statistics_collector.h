// Collects sharding_table_statistics as ShardingSphere's collector does: for every actual table of
// every sharded table, its row count and data size from information_schema.TABLES of its data
// source. It runs in the background on a worker's executor, through non-blocking backend
// connections, so no client waits for it.
#pragma once

#include <atomic>
#include <chrono>
#include <vector>

#include "admin/system_tables.h"
#include "common/asio.h"
#include "config/topology.h"
#include "router/sharding_rule.h"

namespace shardproxy::admin {

// One pass over every data source at once. A data source that cannot be asked keeps the values
// of `previous` for its tables (0 when there are none); an actual table that does not exist has
// 0 rows and size 0, as with ShardingSphere. Ids count from 1 over all logical databases.
awaitable<std::vector<ShardingTableStatistics>> collectShardingStatistics(
    asio::any_io_executor executor, const config::Topology& topology, const router::RuleSet& rules,
    const std::vector<ShardingTableStatistics>& previous);

// Collects at start-up, then every props.proxyMetaDataCollectorIntervalSeconds, into `data`, until
// `stopping`; returns at once when the collector is off (proxy-meta-data-collector-enabled).
awaitable<void> collectStatisticsLoop(const config::Topology& topology,
                                      const router::RuleSet& rules, SystemTableData& data,
                                      const std::atomic<bool>& stopping);

}  // namespace shardproxy::admin
