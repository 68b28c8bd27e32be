#include "metadata/table_schema.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace shardproxy::metadata {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TypeFamily familyOf(const std::string& dataType) {
  static const std::map<std::string, TypeFamily> kFamilies = {
      {"tinyint", TypeFamily::Integer},     {"smallint", TypeFamily::Integer},
      {"mediumint", TypeFamily::Integer},   {"int", TypeFamily::Integer},
      {"integer", TypeFamily::Integer},     {"bigint", TypeFamily::Integer},
      {"decimal", TypeFamily::Decimal},     {"numeric", TypeFamily::Decimal},
      {"float", TypeFamily::Float},         {"double", TypeFamily::Float},
      {"real", TypeFamily::Float},          {"char", TypeFamily::String},
      {"varchar", TypeFamily::String},      {"tinytext", TypeFamily::String},
      {"text", TypeFamily::String},         {"mediumtext", TypeFamily::String},
      {"longtext", TypeFamily::String},     {"enum", TypeFamily::String},
      {"set", TypeFamily::String},          {"binary", TypeFamily::Binary},
      {"varbinary", TypeFamily::Binary},    {"tinyblob", TypeFamily::Binary},
      {"blob", TypeFamily::Binary},         {"mediumblob", TypeFamily::Binary},
      {"longblob", TypeFamily::Binary},     {"date", TypeFamily::Date},
      {"datetime", TypeFamily::DateTime},   {"timestamp", TypeFamily::DateTime},
      {"time", TypeFamily::Time},           {"year", TypeFamily::Year},
  };
  auto it = kFamilies.find(lower(dataType));
  return it == kFamilies.end() ? TypeFamily::Other : it->second;
}

bool ColumnSchema::caseInsensitive() const {
  std::string c = lower(collation);
  return c.find("_ci") != std::string::npos;
}

bool ColumnSchema::padSpace() const {
  std::string c = lower(collation);
  return !c.empty() && c.find("_nopad_") == std::string::npos && c != "binary";
}

const ColumnSchema* TableSchema::column(const std::string& name) const {
  std::string want = lower(name);
  for (const ColumnSchema& c : columns) {
    if (lower(c.name) == want) return &c;
  }
  return nullptr;
}

std::string differences(const TableSchema& a, const TableSchema& b) {
  std::string out;
  auto add = [&](const std::string& what) {
    if (!out.empty()) out += "; ";
    out += what;
  };
  size_t n = std::max(a.columns.size(), b.columns.size());
  for (size_t i = 0; i < n; ++i) {
    if (i >= a.columns.size()) {
      add("extra column `" + b.columns[i].name + "`");
      continue;
    }
    if (i >= b.columns.size()) {
      add("missing column `" + a.columns[i].name + "`");
      continue;
    }
    const ColumnSchema& x = a.columns[i];
    const ColumnSchema& y = b.columns[i];
    if (lower(x.name) != lower(y.name)) {
      add("column " + std::to_string(i + 1) + " is `" + y.name + "`, not `" + x.name + "`");
    } else if (x.columnType != y.columnType || x.nullable != y.nullable ||
               x.collation != y.collation || x.defaultValue != y.defaultValue) {
      add("column `" + x.name + "`: " + x.columnType + (x.nullable ? "" : " NOT NULL") +
          (x.collation.empty() ? "" : " " + x.collation) + " vs " + y.columnType +
          (y.nullable ? "" : " NOT NULL") + (y.collation.empty() ? "" : " " + y.collation));
    }
  }
  auto keys = [](const TableSchema& t) {
    std::set<std::string> out;
    for (const IndexSchema& i : t.indexes) {
      std::string k = lower(i.name) + (i.unique ? " unique(" : "(");
      for (const std::string& c : i.columns) k += lower(c) + ",";
      out.insert(k + ")");
    }
    return out;
  };
  if (keys(a) != keys(b)) add("indexes differ");
  return out;
}

SchemaStore::SchemaStore() : snapshot_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const DatabaseSchema> SchemaStore::database(const std::string& database) const {
  static const auto kEmpty = std::make_shared<const DatabaseSchema>();
  std::shared_ptr<const Snapshot> current = snapshot_.load(std::memory_order_acquire);
  auto it = current->find(database);
  return it == current->end() ? kEmpty : it->second;
}

std::shared_ptr<const TableSchema> SchemaStore::table(const std::string& database,
                                                      const std::string& table) const {
  auto db = this->database(database);
  auto it = db->find(lower(table));
  return it == db->end() ? nullptr : it->second;
}

template <typename Change>
void SchemaStore::update(const std::string& database, Change change) {
  std::lock_guard lock(writers_);
  auto next = std::make_shared<Snapshot>(*snapshot_.load(std::memory_order_acquire));
  auto& entry = (*next)[database];
  auto tables = entry ? std::make_shared<DatabaseSchema>(*entry)
                      : std::make_shared<DatabaseSchema>();
  change(*tables);
  entry = std::move(tables);
  snapshot_.store(std::move(next), std::memory_order_release);
}

void SchemaStore::set(const std::string& database, DatabaseSchema tables) {
  update(database, [&](DatabaseSchema& t) { t = std::move(tables); });
}

void SchemaStore::put(const std::string& database, std::shared_ptr<const TableSchema> table) {
  std::string key = lower(table->name);
  update(database, [&](DatabaseSchema& t) { t[key] = std::move(table); });
}

void SchemaStore::drop(const std::string& database, const std::string& table) {
  update(database, [&](DatabaseSchema& t) { t.erase(lower(table)); });
}

}  // namespace shardproxy::metadata
