#include "metadata/table_catalog.h"

#include <algorithm>
#include <cctype>

namespace shardproxy::metadata {

namespace {

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TableCatalog::TableCatalog() : snapshot_(std::make_shared<const Snapshot>()) {}

std::shared_ptr<const TableLocations> TableCatalog::locations(const std::string& database) const {
  static const auto kEmpty = std::make_shared<const TableLocations>();
  std::shared_ptr<const Snapshot> current = snapshot_.load(std::memory_order_acquire);
  auto it = current->find(database);
  return it == current->end() ? kEmpty : it->second;
}

template <typename Change>
void TableCatalog::update(const std::string& database, Change change) {
  std::lock_guard lock(writers_);
  auto next = std::make_shared<Snapshot>(*snapshot_.load(std::memory_order_acquire));
  auto& entry = (*next)[database];
  auto locations =
      entry ? std::make_shared<TableLocations>(*entry) : std::make_shared<TableLocations>();
  change(*locations);
  entry = std::move(locations);
  snapshot_.store(std::move(next), std::memory_order_release);
}

void TableCatalog::set(const std::string& database, TableLocations locations) {
  update(database, [&](TableLocations& l) { l = std::move(locations); });
}

void TableCatalog::added(const std::string& database, const std::string& table,
                         const std::string& dataSource) {
  update(database, [&](TableLocations& l) {
    auto& where = l[lower(table)];
    if (std::find(where.begin(), where.end(), dataSource) == where.end()) {
      where.push_back(dataSource);
    }
  });
}

void TableCatalog::dropped(const std::string& database, const std::string& table) {
  update(database, [&](TableLocations& l) { l.erase(lower(table)); });
}

}  // namespace shardproxy::metadata
