// Helpers for the sharding algorithm tests: build an algorithm, route one value or one range,
// and show an error as "ERROR: message" so expectations read as data.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "router/algorithm.h"

namespace shardproxy::router::testing {

inline std::unique_ptr<ShardingAlgorithm> make(std::string_view type, const Props& props) {
  auto r = createShardingAlgorithm(type, props);
  EXPECT_TRUE(r.isOk()) << type << ": " << r.status().message();
  if (!r.isOk()) return nullptr;
  return std::move(r).value();
}

// The error message of a failed creation, or "OK".
inline std::string createError(std::string_view type, const Props& props) {
  auto r = createShardingAlgorithm(type, props);
  return r.isOk() ? "OK" : r.status().message();
}

inline std::vector<std::string> names(const std::string& prefix, int n, int width = 1) {
  std::vector<std::string> result;
  for (int i = 0; i < n; ++i) {
    std::string suffix = std::to_string(i);
    if (static_cast<int>(suffix.size()) < width) suffix.insert(0, width - suffix.size(), '0');
    result.push_back(prefix + suffix);
  }
  return result;
}

inline Value str(std::string s) { return Value::ofString(std::move(s)); }
inline Value num(int64_t v) { return Value::ofInteger(v); }
inline Value dec(std::string text) { return Value{Value::Type::Decimal, 0, std::move(text)}; }

inline std::string precise(const ShardingAlgorithm& a, const std::vector<std::string>& targets,
                           const Value& v, const DataNodeInfo& info = {}) {
  PreciseShardingValue value{"t_order", "order_id", v, info};
  auto r = a.shardPrecise(targets, value);
  return r.isOk() ? r.value() : "ERROR: " + r.status().message();
}

inline std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& e : v) s += (s.empty() ? "" : ",") + e;
  return s;
}

inline Range between(std::optional<Value> lower, std::optional<Value> upper,
                     bool lowerClosed = true, bool upperClosed = true) {
  return Range{std::move(lower), lowerClosed, std::move(upper), upperClosed};
}

// The targets, comma-separated.
inline std::string range(const ShardingAlgorithm& a, const std::vector<std::string>& targets,
                         const Range& r, const DataNodeInfo& info = {}) {
  RangeShardingValue value{"t_order", "order_id", r, info};
  auto result = a.shardRange(targets, value);
  return result.isOk() ? join(result.value()) : "ERROR: " + result.status().message();
}

}  // namespace shardproxy::router::testing
