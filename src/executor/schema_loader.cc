#include "executor/schema_loader.h"

#include <mysql.h>

#include <future>
#include <map>

#include "backend/connection.h"
#include "common/log.h"
#include "common/sql_text.h"

namespace shardproxy::executor {

namespace {

std::string where(const std::string& table) {
  std::string w = "TABLE_SCHEMA = DATABASE()";
  if (!table.empty()) w += " AND TABLE_NAME = " + quoteString(table, false);
  return w;
}

uint64_t number(const std::optional<std::string>& v) {
  if (!v) return 0;
  uint64_t n = 0;
  for (char c : *v) {
    if (c < '0' || c > '9') break;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

std::string text(const std::optional<std::string>& v) { return v.value_or(std::string()); }

// Every row of `sql`, or nullopt with `error` set.
std::optional<TextRows> rowsOf(MYSQL* m, const std::string& sql, std::string& error) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    error = mysql_error(m);
    return std::nullopt;
  }
  MYSQL_RES* result = mysql_store_result(m);
  if (!result) {
    error = mysql_error(m);
    return std::nullopt;
  }
  TextRows out;
  unsigned n = mysql_num_fields(result);
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    auto& values = out.emplace_back();
    for (unsigned i = 0; i < n; ++i) {
      if (row[i]) {
        values.emplace_back(std::string(row[i], lengths[i]));
      } else {
        values.emplace_back(std::nullopt);
      }
    }
  }
  mysql_free_result(result);
  return out;
}

// The actual tables of one data source, described; nullopt when it cannot be asked.
std::optional<std::map<std::string, metadata::TableSchema>> describeDataSource(
    const config::LogicalDatabase& db, const config::DataSource& ds) {
  MYSQL* m = mysql_init(nullptr);
  unsigned connectTimeout = 5;
  unsigned readTimeout = 60;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &readTimeout);
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
  backend::setTlsOptions(m, ds);
  std::string error;
  std::optional<TextRows> columns, indexes;
  if (mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(),
                         ds.database.c_str(), ds.port, nullptr, 0)) {
    if (Status tls = backend::checkTls(m, ds); !tls) {
      error = tls.message();
    } else if ((columns = rowsOf(m, columnsQuery(""), error))) {
      indexes = rowsOf(m, indexesQuery(""), error);
    }
  } else {
    error = mysql_error(m);
  }
  mysql_close(m);
  if (!columns || !indexes) {
    spdlog::warn("database {}: cannot read the table definitions of data source {}: {}", db.name,
                 ds.name, error);
    return std::nullopt;
  }
  return schemasFromRows(*columns, *indexes);
}

}  // namespace

std::string columnsQuery(const std::string& table) {
  return "SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, "
         "CHARACTER_SET_NAME, COLLATION_NAME, CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, "
         "NUMERIC_SCALE, DATETIME_PRECISION, EXTRA, COLUMN_KEY FROM information_schema.COLUMNS "
         "WHERE " +
         where(table) + " ORDER BY TABLE_NAME, ORDINAL_POSITION";
}

std::string indexesQuery(const std::string& table) {
  return "SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME FROM "
         "information_schema.STATISTICS WHERE " +
         where(table) + " ORDER BY TABLE_NAME, INDEX_NAME <> 'PRIMARY', INDEX_NAME, SEQ_IN_INDEX";
}

std::map<std::string, metadata::TableSchema> schemasFromRows(const TextRows& columns,
                                                             const TextRows& indexes) {
  std::map<std::string, metadata::TableSchema> out;
  for (const auto& row : columns) {
    if (row.size() < 14 || !row[0] || !row[1]) continue;
    metadata::TableSchema& t = out[router::lowerAscii(*row[0])];
    t.name = *row[0];
    metadata::ColumnSchema c;
    c.name = *row[1];
    c.dataType = router::lowerAscii(text(row[2]));
    c.columnType = text(row[3]);
    c.family = metadata::familyOf(c.dataType);
    c.isUnsigned = c.columnType.find("unsigned") != std::string::npos;
    c.nullable = text(row[4]) == "YES";
    c.defaultValue = row[5];
    c.charset = text(row[6]);
    c.collation = text(row[7]);
    c.maxLength = number(row[8]);
    c.precision = static_cast<uint32_t>(row[9] ? number(row[9]) : number(row[11]));
    c.scale = static_cast<uint32_t>(number(row[10]));
    std::string extra = router::lowerAscii(text(row[12]));
    c.autoIncrement = extra.find("auto_increment") != std::string::npos;
    c.onUpdateNow = extra.find("on update") != std::string::npos;
    c.generated = extra.find("virtual") != std::string::npos ||
                  extra.find("stored") != std::string::npos ||
                  extra.find("persistent") != std::string::npos;
    c.key = text(row[13]);
    t.columns.push_back(std::move(c));
  }
  for (const auto& row : indexes) {
    if (row.size() < 4 || !row[0] || !row[1] || !row[3]) continue;
    auto it = out.find(router::lowerAscii(*row[0]));
    if (it == out.end()) continue;
    auto& list = it->second.indexes;
    if (list.empty() || list.back().name != *row[1]) {
      list.push_back(metadata::IndexSchema{*row[1], text(row[2]) == "0", {}});
    }
    list.back().columns.push_back(*row[3]);
  }
  return out;
}

metadata::DatabaseSchema loadDatabaseSchema(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule,
                                            const metadata::TableLocations& singles,
                                            const Reachability& reachable) {
  // Every data source at once: start-up waits for the slowest, not for their sum.
  std::map<std::string, std::future<std::optional<std::map<std::string, metadata::TableSchema>>>>
      pending;
  for (const config::DataSource& ds : db.dataSources) {
    if (!reachable.answers(ds)) continue;
    pending[ds.name] =
        std::async(std::launch::async, [&db, &ds] { return describeDataSource(db, ds); });
  }
  std::map<std::string, std::map<std::string, metadata::TableSchema>> actual;
  for (auto& [name, future] : pending) {
    if (auto tables = future.get()) actual[name] = std::move(*tables);
  }
  auto find = [&](const std::string& ds, const std::string& table) -> const metadata::TableSchema* {
    auto d = actual.find(ds);
    if (d == actual.end()) return nullptr;
    auto t = d->second.find(router::lowerAscii(table));
    return t == d->second.end() ? nullptr : &t->second;
  };
  metadata::DatabaseSchema out;
  // The first actual table found answers for its logical table; the others must agree with it.
  auto settle = [&](const std::string& logical,
                    const std::vector<std::pair<std::string, std::string>>& nodes) {
    const metadata::TableSchema* first = nullptr;
    std::string firstName;
    for (const auto& [ds, table] : nodes) {
      const metadata::TableSchema* t = find(ds, table);
      if (!t) continue;
      if (!first) {
        first = t;
        firstName = ds + "." + t->name;
        continue;
      }
      std::string diff = metadata::differences(*first, *t);
      if (!diff.empty()) {
        spdlog::warn("database {}: actual table {}.{} of `{}` differs from {}: {}", db.name, ds,
                     t->name, logical, firstName, diff);
      }
    }
    if (!first) return;
    auto schema = std::make_shared<metadata::TableSchema>(*first);
    schema->name = logical;
    out[router::lowerAscii(logical)] = std::move(schema);
  };
  for (const router::TableRule& t : rule.tableRules()) {
    std::vector<std::pair<std::string, std::string>> nodes;
    for (const router::DataNode& n : t.dataNodes) nodes.emplace_back(n.dataSource, n.table);
    settle(t.logicTable, nodes);
  }
  for (const std::string& table : rule.broadcastTables()) {
    std::vector<std::pair<std::string, std::string>> nodes;
    for (const std::string& ds : rule.dataSourceNames()) nodes.emplace_back(ds, table);
    settle(table, nodes);
  }
  for (const auto& [single, dataSources] : singles) {
    std::vector<std::pair<std::string, std::string>> nodes;
    std::string name = single;
    for (const std::string& ds : dataSources) {
      nodes.emplace_back(ds, single);
      if (const metadata::TableSchema* t = find(ds, single); t && name == single) name = t->name;
    }
    settle(name, nodes);
  }
  return out;
}

}  // namespace shardproxy::executor
