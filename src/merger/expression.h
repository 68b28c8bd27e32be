// Evaluating the merger's expressions (MergeSpec::exprs) over merged rows as MySQL evaluates
// them: integers, exact DECIMALs (division to the dividend's scale plus div_precision_increment,
// 4), DOUBLEs, strings; NULL propagation and three-valued logic.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "merger/compare.h"
#include "merger/merge_spec.h"
#include "merger/row_stream.h"

namespace shardproxy::merger {

// A value as MySQL's expression evaluation types it.
struct Value {
  enum class Type : uint8_t { Null, Int, Decimal, Double, String };
  Type type = Type::Null;
  // Null: the type the value would have had (a NULL column's), which IFNULL and the like
  // take into their result's type; Null when unknown.
  Type hint = Type::Null;
  int64_t integer = 0;  // Int
  // Decimal: the unscaled magnitude's digits (no leading zeros, "0" for zero), sign, scale.
  std::string digits;
  bool negative = false;
  unsigned scale = 0;
  double number = 0;  // Double
  std::string text;   // String
  // How a String compares (the column's collation; a literal's is the connection's, _ci).
  ColumnComparator comparator{ColumnComparator::Kind::CaseFolded};

  static Value null() { return Value{}; }
  static Value ofInt(int64_t v);
  static Value ofDouble(double v);
  static Value ofString(std::string v, ColumnComparator comparator);
  // A number's text ("-12.50", "7", "1e3"): Int, Decimal or Double as MySQL types the literal.
  static std::optional<Value> ofNumber(std::string_view text);
};

// The expressions of one spec, their columns bound to positions in the merged rows.
class ExprEvaluator {
 public:
  ExprEvaluator() = default;
  // `columns`: the merged rows' columns; `at`: the position of each Column node's column (any
  // value for other nodes). Errors: ER_NOT_SUPPORTED_YET for an expression the merger cannot
  // evaluate exactly (an unknown function, a wrong argument count).
  static Result<ExprEvaluator> bind(const MergeSpec& spec, const std::vector<ColumnInfo>& columns,
                                    const std::vector<size_t>& at);

  Result<Value> eval(const Row& row, uint32_t node) const;
  // A condition's truth: nullopt for unknown (NULL).
  Result<std::optional<bool>> truth(const Row& row, uint32_t node) const;

  // The cell a server writes for the value in a text result.
  static Cell toCell(const Value& v);

 private:
  struct Node {
    MergeSpec::ExprNode spec;
    size_t column = 0;
    ColumnInfo info;
  };
  Result<Value> function(const Row& row, const Node& n) const;

  std::vector<Node> nodes_;
};

}  // namespace shardproxy::merger
