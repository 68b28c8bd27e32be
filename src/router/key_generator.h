// Key generators: SNOWFLAKE (ShardingSphere's layout) and UUID.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "router/algorithm.h"
#include "router/value.h"

namespace shardproxy::router {

class KeyGenerator {
 public:
  virtual ~KeyGenerator() = default;
  virtual const char* type() const = 0;
  // The next key: a Long for SNOWFLAKE, a String for UUID. Safe to call from several threads;
  // SNOWFLAKE keys of one generator strictly increase. Fails only when the clock went back
  // further than the generator tolerates (ShardingSphere's error).
  virtual Result<Value> next() = 0;
};

// Milliseconds since the Unix epoch; injectable for tests.
using Clock = std::function<int64_t()>;
int64_t systemClockMillis();

// `type` is case-insensitive; the error names the property at fault.
Result<std::unique_ptr<KeyGenerator>> createKeyGenerator(std::string_view type, const Props& props,
                                                         Clock clock = systemClockMillis);

}  // namespace shardproxy::router
