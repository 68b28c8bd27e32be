// What a logical table looks like: its columns (names, types, nullability, defaults, character
// sets), its primary and unique keys and indexes, as the backends describe one of its actual
// tables. Served to the router (values converted for a sharding column's type, INSERT without a
// column list), the engine (result columns of units joined with UNION ALL) and the emulated
// catalog answers. Immutable snapshots per logical database, swapped whole on a change (start-up,
// DDL through the proxy): readers on the hot path take no lock.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace shardproxy::metadata {

// How MySQL converts values for a column: the family of its type.
enum class TypeFamily : uint8_t {
  Integer,   // TINYINT .. BIGINT
  Decimal,   // DECIMAL / NUMERIC
  Float,     // FLOAT, DOUBLE
  String,    // CHAR, VARCHAR, TEXT family, ENUM, SET
  Binary,    // BINARY, VARBINARY, BLOB family
  Date,      // DATE
  DateTime,  // DATETIME, TIMESTAMP
  Time,      // TIME
  Year,      // YEAR
  Other,     // BIT, JSON, geometry, ...
};

struct ColumnSchema {
  std::string name;      // as the table defines it
  std::string dataType;  // information_schema DATA_TYPE, lower case: "int", "varchar", ...
  std::string columnType;  // COLUMN_TYPE: "int(11) unsigned", "varchar(20)", ...
  TypeFamily family = TypeFamily::Other;
  bool isUnsigned = false;
  bool nullable = true;
  std::optional<std::string> defaultValue;  // COLUMN_DEFAULT as the server shows it
  std::string charset;                      // empty for non-character columns
  std::string collation;
  uint64_t maxLength = 0;   // CHARACTER_MAXIMUM_LENGTH
  uint32_t precision = 0;   // NUMERIC_PRECISION (DATETIME_PRECISION for temporal types)
  uint32_t scale = 0;       // NUMERIC_SCALE
  bool autoIncrement = false;
  bool onUpdateNow = false;  // ON UPDATE CURRENT_TIMESTAMP
  bool generated = false;   // VIRTUAL / STORED generated column: INSERT takes only DEFAULT
  std::string key;          // COLUMN_KEY: PRI, UNI, MUL or empty

  // Whether comparisons on this column ignore case or trailing spaces (a _ci or PAD SPACE
  // collation: every MariaDB collation but the _nopad_ and binary ones pads).
  bool caseInsensitive() const;
  bool padSpace() const;
};

// `dataType` (information_schema DATA_TYPE) -> family.
TypeFamily familyOf(const std::string& dataType);

struct IndexSchema {
  std::string name;  // PRIMARY for the primary key
  bool unique = false;
  std::vector<std::string> columns;  // in index order
};

struct TableSchema {
  std::string name;  // the logical table's name
  std::vector<ColumnSchema> columns;  // in table order
  std::vector<IndexSchema> indexes;   // PRIMARY first when there is one

  // The column named `name` (case-insensitive), or null.
  const ColumnSchema* column(const std::string& name) const;
};

// Lower-case logical table name -> its schema.
using DatabaseSchema = std::map<std::string, std::shared_ptr<const TableSchema>>;

// A difference between two actual tables of one logical table, in words ("column `status`:
// varchar(20) vs varchar(30)"); empty when they agree on columns and indexes.
std::string differences(const TableSchema& a, const TableSchema& b);

class SchemaStore {
 public:
  SchemaStore();
  // The schemas of `database`'s tables (never null); lock-free.
  std::shared_ptr<const DatabaseSchema> database(const std::string& database) const;
  // The schema of one table, or null when unknown.
  std::shared_ptr<const TableSchema> table(const std::string& database,
                                           const std::string& table) const;
  void set(const std::string& database, DatabaseSchema tables);
  void put(const std::string& database, std::shared_ptr<const TableSchema> table);
  void drop(const std::string& database, const std::string& table);

 private:
  using Snapshot = std::map<std::string, std::shared_ptr<const DatabaseSchema>>;
  template <typename Change>
  void update(const std::string& database, Change change);

  std::atomic<std::shared_ptr<const Snapshot>> snapshot_;
  std::mutex writers_;
};

}  // namespace shardproxy::metadata
