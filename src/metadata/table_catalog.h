// Where the tables that no rule names live, per logical database: found on the data sources at
// start-up, kept up to date by DDL that runs through the proxy. Read on every routed statement
// by every worker, so readers take no lock: they get an immutable snapshot, and a change (rare:
// DDL) publishes a new one.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace shardproxy::metadata {

// Lower-case table name -> the data sources that hold it. A table on exactly one data source is
// a single table.
using TableLocations = std::map<std::string, std::vector<std::string>>;

class TableCatalog {
 public:
  TableCatalog();
  // The locations of `database`'s unruled tables (never null); lock-free.
  std::shared_ptr<const TableLocations> locations(const std::string& database) const;
  void set(const std::string& database, TableLocations locations);
  // After CREATE TABLE / DROP TABLE of an unruled table on `dataSource`.
  void added(const std::string& database, const std::string& table, const std::string& dataSource);
  void dropped(const std::string& database, const std::string& table);

 private:
  using Snapshot = std::map<std::string, std::shared_ptr<const TableLocations>>;
  // Copies the current snapshot, lets `change` edit `database`'s locations, publishes the copy.
  template <typename Change>
  void update(const std::string& database, Change change);

  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::mutex writers_;  // one change at a time; readers never wait for it
};

}  // namespace shardproxy::metadata
