// Key generators: SNOWFLAKE (ShardingSphere's layout) and UUID.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
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
//
// `instanceWorkerId` is the process's worker id (--worker-id / SHARDPROXY_WORKER_ID) when one was
// given: SNOWFLAKE keys then carry it, as ShardingSphere 5.x takes the worker id from the
// instance, so that proxies sharing one configuration never generate the same key. The
// algorithm's own `worker-id` property is still checked, and used only when the instance has no
// id (a standalone proxy, as before); when both are given and differ, `*warning` says which one
// keys carry.
Result<std::unique_ptr<KeyGenerator>> createKeyGenerator(
    std::string_view type, const Props& props, Clock clock = systemClockMillis,
    std::optional<int> instanceWorkerId = std::nullopt, std::string* warning = nullptr);

}  // namespace shardproxy::router
