// How MySQL orders and equates the values of one result column, from the column's type and
// collation: what ORDER BY merging, GROUP BY keys, DISTINCT and MIN/MAX all rely on.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "merger/row_stream.h"

namespace shardproxy::merger {

class ColumnComparator {
 public:
  enum class Kind : uint8_t {
    Exact,            // integers, YEAR, DECIMAL: exact on the text
    Double,           // FLOAT, DOUBLE
    Lexical,          // DATE, DATETIME, TIMESTAMP: the text forms sort as the values
    Time,             // TIME, which may be negative or have 3-digit hours
    Bytes,            // binary strings (charset 63), BIT, JSON, GEOMETRY: byte-wise, no padding
    BytesPadded,      // _bin collations of character sets: byte-wise, PAD SPACE
    CaseFolded,       // _ci collations, PAD SPACE (utf8mb4_general_ci)
    CaseFoldedNoPad,  // _ci collations, NO PAD (utf8mb4_0900_ai_ci, MariaDB *_nopad_*)
  };

  ColumnComparator() = default;
  explicit ColumnComparator(const ColumnInfo& column);
  explicit ColumnComparator(Kind kind) : kind_(kind) {}

  Kind kind() const { return kind_; }
  // <0, 0, >0; NULL is smaller than any value and equal to NULL.
  int compare(const Cell& a, const Cell& b) const;
  int compareText(std::string_view a, std::string_view b) const;

 private:
  Kind kind_ = Kind::Bytes;
};

struct SortKey {
  size_t column = 0;
  bool desc = false;
  ColumnComparator comparator;
};

// Rows compared on some of their columns, in order, each ascending or descending.
class RowComparator {
 public:
  RowComparator() = default;
  explicit RowComparator(std::vector<SortKey> keys) : keys_(std::move(keys)) {}
  int compare(const Row& a, const Row& b) const;
  bool empty() const { return keys_.empty(); }
  const std::vector<SortKey>& keys() const { return keys_; }

 private:
  std::vector<SortKey> keys_;
};

// For ordered containers: strict weak order from a RowComparator.
struct RowLess {
  const RowComparator* comparator;
  bool operator()(const Row& a, const Row& b) const { return comparator->compare(a, b) < 0; }
};

}  // namespace shardproxy::merger
