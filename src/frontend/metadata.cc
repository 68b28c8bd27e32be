#include "frontend/metadata.h"

#include <mysql.h>

#include <algorithm>

#include "common/log.h"

namespace shardproxy::frontend {

std::shared_ptr<const router::TableLocations> TableCatalog::locations(
    const std::string& database) const {
  static const auto kEmpty = std::make_shared<const router::TableLocations>();
  std::lock_guard lock(mutex_);
  auto it = byDatabase_.find(database);
  return it == byDatabase_.end() ? kEmpty : it->second;
}

void TableCatalog::set(const std::string& database, router::TableLocations locations) {
  auto snapshot = std::make_shared<const router::TableLocations>(std::move(locations));
  std::lock_guard lock(mutex_);
  byDatabase_[database] = std::move(snapshot);
}

void TableCatalog::added(const std::string& database, const std::string& table,
                         const std::string& dataSource) {
  std::lock_guard lock(mutex_);
  auto& current = byDatabase_[database];
  auto next = current ? std::make_shared<router::TableLocations>(*current)
                      : std::make_shared<router::TableLocations>();
  auto& where = (*next)[router::lowerAscii(table)];
  if (std::find(where.begin(), where.end(), dataSource) == where.end()) where.push_back(dataSource);
  current = std::move(next);
}

void TableCatalog::dropped(const std::string& database, const std::string& table) {
  std::lock_guard lock(mutex_);
  auto& current = byDatabase_[database];
  if (!current) return;
  auto next = std::make_shared<router::TableLocations>(*current);
  next->erase(router::lowerAscii(table));
  current = std::move(next);
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

router::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                          const router::ShardingRule& rule) {
  router::TableLocations out;
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

}  // namespace shardproxy::frontend
