#include "executor/startup_probe.h"

#include <mysql.h>

#include <algorithm>

#include "common/log.h"

namespace shardproxy::executor {

std::string probeBackendVersion(const config::Topology& topology, const std::string& fallback) {
  for (const auto& [name, db] : topology.databases) {
    for (const auto& ds : db.dataSources) {
      MYSQL* m = mysql_init(nullptr);
      unsigned timeout = 2;
      mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
      unsigned protocol = MYSQL_PROTOCOL_TCP;
      mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
      std::string version;
      if (mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(), nullptr,
                             ds.port, nullptr, 0)) {
        version = mysql_get_server_info(m);
      }
      mysql_close(m);
      if (!version.empty()) return version;
    }
  }
  return fallback;
}

namespace {

// `!SINGLE` tables: `ds.table` patterns with `*` for any data source or table. No patterns: every
// unruled table is a single table (what earlier 5.x versions did without the setting).
bool singleTableListed(const config::SingleRuleConfig& single, const std::string& dataSource,
                       const std::string& table) {
  if (single.tables.empty()) return true;
  for (const std::string& pattern : single.tables) {
    size_t dot = pattern.find('.');
    std::string ds = pattern.substr(0, dot);
    std::string t = pattern.substr(dot + 1);
    if ((ds == "*" || ds == dataSource) &&
        (t == "*" || router::lowerAscii(t) == router::lowerAscii(table))) {
      return true;
    }
  }
  return false;
}

}  // namespace

metadata::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule) {
  metadata::TableLocations out;
  for (const config::DataSource& ds : db.dataSources) {
    MYSQL* m = mysql_init(nullptr);
    unsigned timeout = 5;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
    if (!mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(),
                            ds.database.c_str(), ds.port, nullptr, 0) ||
        mysql_query(m, "SHOW TABLES") != 0) {
      spdlog::warn("database {}: cannot list the tables of data source {}: {}", db.name, ds.name,
                   mysql_error(m));
      mysql_close(m);
      continue;
    }
    MYSQL_RES* result = mysql_store_result(m);
    while (MYSQL_ROW row = result ? mysql_fetch_row(result) : nullptr) {
      unsigned long* lengths = mysql_fetch_lengths(result);
      std::string table(row[0], lengths[0]);
      bool ruled = rule.isBroadcast(table);
      for (const router::TableRule& t : rule.tableRules()) {
        const auto& actual = t.tablesOn(ds.name);
        ruled = ruled || std::any_of(actual.begin(), actual.end(), [&](const std::string& a) {
                  return router::lowerAscii(a) == router::lowerAscii(table);
                });
      }
      if (!ruled && singleTableListed(rule.single(), ds.name, table)) {
        out[router::lowerAscii(table)].push_back(ds.name);
      }
    }
    if (result) mysql_free_result(result);
    mysql_close(m);
  }
  return out;
}

}  // namespace shardproxy::executor
