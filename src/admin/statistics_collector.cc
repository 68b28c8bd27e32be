#include "admin/statistics_collector.h"

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "backend/connection.h"
#include "common/log.h"
#include "common/run_all.h"

namespace shardproxy::admin {

namespace {

uint64_t number(const char* text, unsigned long length) {
  uint64_t v = 0;
  if (text) std::from_chars(text, text + length, v);
  return v;
}

struct Source {
  const config::DataSource* dataSource = nullptr;
  bool reached = false;
  std::map<std::string, std::pair<uint64_t, uint64_t>> tables;  // name -> rows, data length
};

// The tables of `source`'s database, as information_schema.TABLES describes them.
awaitable<void> ask(asio::any_io_executor executor, Source& source) {
  const config::DataSource& ds = *source.dataSource;
  backend::Connection conn(executor, ds.name);
  Status s = co_await conn.connect(ds, backend::ConnectFlags{});
  if (s) {
    s = co_await conn.query(
        "SELECT TABLE_NAME, TABLE_ROWS, DATA_LENGTH FROM information_schema.TABLES "
        "WHERE TABLE_SCHEMA = '" +
        conn.escape(ds.database) + "'");
  }
  while (s) {
    MYSQL_ROW row = nullptr;
    s = co_await conn.fetchRow(row);
    if (!s || !row) break;
    const unsigned long* length = conn.rowLengths();
    if (!row[0]) continue;
    source.tables[std::string(row[0], length[0])] = {number(row[1], length[1]),
                                                     number(row[2], length[2])};
  }
  if (!s) {
    spdlog::warn("sharding_table_statistics: data source {} ({}:{}) not asked: {}", ds.name,
                 ds.host, ds.port, s.message());
    co_return;
  }
  source.reached = true;
}

}  // namespace

awaitable<std::vector<ShardingTableStatistics>> collectShardingStatistics(
    asio::any_io_executor executor, const config::Topology& topology, const router::RuleSet& rules,
    const std::vector<ShardingTableStatistics>& previous) {
  // Every data source that holds an actual table, asked once and all at once.
  std::vector<Source> sources;
  std::map<std::pair<std::string, std::string>, size_t> index;  // (database, data source)
  for (const auto& [name, rule] : rules) {
    const config::LogicalDatabase* db = topology.findDatabase(name);
    if (!db || !rule) continue;
    for (const router::TableRule& t : rule->tableRules()) {
      for (const router::DataNode& node : t.dataNodes) {
        const config::DataSource* ds = db->findDataSource(node.dataSource);
        if (!ds || index.count({name, node.dataSource})) continue;
        index[{name, node.dataSource}] = sources.size();
        sources.emplace_back();
        sources.back().dataSource = ds;
      }
    }
  }
  co_await runAll(executor, sources.size(), [&](size_t i) { return ask(executor, sources[i]); });
  std::map<std::tuple<std::string, std::string, std::string>, const ShardingTableStatistics*>
      before;
  for (const ShardingTableStatistics& r : previous) {
    before[{r.logicDatabase, r.actualDatabase, r.actualTable}] = &r;
  }
  std::vector<ShardingTableStatistics> out;
  uint32_t id = 1;
  for (const auto& [name, rule] : rules) {
    if (!rule || !topology.findDatabase(name)) continue;
    for (const router::TableRule& t : rule->tableRules()) {
      for (const router::DataNode& node : t.dataNodes) {
        ShardingTableStatistics r;
        r.id = id++;
        r.logicDatabase = name;
        r.logicTable = t.logicTable;
        r.actualDatabase = node.dataSource;
        r.actualTable = node.table;
        auto at = index.find({name, node.dataSource});
        if (at != index.end() && sources[at->second].reached) {
          const auto& tables = sources[at->second].tables;
          if (auto found = tables.find(node.table); found != tables.end()) {
            r.rowCount = found->second.first;
            r.size = found->second.second;
          }
        } else if (auto old = before.find({name, node.dataSource, node.table});
                   old != before.end()) {
          r.rowCount = old->second->rowCount;
          r.size = old->second->size;
        }
        out.push_back(std::move(r));
      }
    }
  }
  co_return out;
}

awaitable<void> collectStatisticsLoop(const config::Topology& topology,
                                      const router::RuleSet& rules, SystemTableData& data,
                                      const std::atomic<bool>& stopping) {
  const config::Props& props = topology.props;
  if (!props.proxyMetaDataCollectorEnabled) co_return;
  asio::any_io_executor executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor);
  for (;;) {
    if (stopping) co_return;
    auto started = std::chrono::steady_clock::now();
    std::shared_ptr<const std::vector<ShardingTableStatistics>> previous = data.statistics();
    data.setStatistics(co_await collectShardingStatistics(executor, topology, rules, *previous));
    // The next pass a period after this one began; checked often enough to stop promptly.
    auto next = started + std::chrono::seconds(props.proxyMetaDataCollectorIntervalSeconds);
    while (!stopping && std::chrono::steady_clock::now() < next) {
      timer.expires_at(std::min(next, std::chrono::steady_clock::now() + std::chrono::seconds(1)));
      boost::system::error_code ignored;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
    }
  }
}

}  // namespace shardproxy::admin
