// Sharding algorithms, with ShardingSphere 5.x semantics (its documentation is the reference):
// MOD, HASH_MOD, VOLUME_RANGE, BOUNDARY_RANGE, AUTO_INTERVAL (auto-table algorithms), INTERVAL,
// INLINE (standard), COMPLEX_INLINE (complex), HINT_INLINE (hint). CLASS_BASED is refused with
// a message naming the built-in to use instead.
//
// Targets are the names an algorithm chooses among: data source names for a database strategy,
// actual table names for a table strategy, in the order of the data nodes.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/value.h"

namespace shardproxy::router {

// A range of a sharding column: BETWEEN, <, <=, >, >= (and their AND combinations). A missing
// bound is unbounded.
struct Range {
  std::optional<Value> lower;
  bool lowerClosed = true;
  std::optional<Value> upper;
  bool upperClosed = true;
};

// How auto-table algorithms find their target by suffix: the target is prefix + the suffix
// padded on the left to suffixMinLength with paddingChar (ShardingSphere's DataNodeInfo, taken
// from the first data node: `t_order_0` gives prefix "t_order_", length 1, '0').
struct DataNodeInfo {
  std::string prefix;
  size_t suffixMinLength = 0;
  char paddingChar = '0';
};

struct PreciseShardingValue {
  std::string logicTable;
  std::string column;
  Value value;
  DataNodeInfo dataNodeInfo;
};

struct RangeShardingValue {
  std::string logicTable;
  std::string column;
  Range range;
  DataNodeInfo dataNodeInfo;
};

struct ComplexShardingValue {
  std::string logicTable;
  std::map<std::string, std::vector<Value>> values;  // column -> precise values
  std::map<std::string, Range> ranges;               // column -> range
};

struct HintShardingValue {
  std::string logicTable;
  std::string column;
  std::vector<Value> values;
};

using Props = std::map<std::string, std::string>;  // as written in YAML

class ShardingAlgorithm {
 public:
  enum class Kind : uint8_t { Standard, Complex, Hint };
  virtual ~ShardingAlgorithm() = default;

  virtual Kind kind() const = 0;
  virtual const char* type() const = 0;  // "MOD", "INLINE", ...
  // Auto-table algorithms: how many actual tables the algorithm spreads a table over.
  virtual std::optional<int> autoTablesAmount() const { return std::nullopt; }

  // Standard. The one target for an exact value; an error when the algorithm rejects the value
  // or no target matches (ShardingSphere throws there too).
  virtual Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                           const PreciseShardingValue& value) const;
  // Standard. The targets a range can reach (every target when the algorithm cannot narrow a
  // range down, or an error where ShardingSphere refuses range queries, e.g. INLINE without
  // allow-range-query-with-inline-sharding).
  virtual Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                                      const RangeShardingValue& value) const;
  // Complex.
  virtual Result<std::vector<std::string>> shardComplex(const std::vector<std::string>& targets,
                                                        const ComplexShardingValue& value) const;
  // Hint.
  virtual Result<std::vector<std::string>> shardHint(const std::vector<std::string>& targets,
                                                     const HintShardingValue& value) const;
};

// Creates an algorithm from its YAML `type` and `props`; the error names the property at fault
// (missing, not a number, out of range, bad inline expression ...). `type` is case-insensitive.
Result<std::unique_ptr<ShardingAlgorithm>> createShardingAlgorithm(std::string_view type,
                                                                   const Props& props);

}  // namespace shardproxy::router
