// The identity of one proxy process among several on one configuration: its worker id (the
// Snowflake worker bits of generated keys, the high bits of its connection ids) and how it is
// written on the command line.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace shardproxy {

// Snowflake keeps 10 bits for the worker: 0..1023.
inline constexpr int kWorkerIdBits = 10;
inline constexpr int64_t kMaxWorkerId = (int64_t{1} << kWorkerIdBits) - 1;

// `--worker-id` / SHARDPROXY_WORKER_ID: a decimal integer 0..1023, or a StatefulSet pod name
// such as "shardproxy-2" whose trailing "-<digits>" ordinal is taken. The error says what was
// expected.
Result<int> parseWorkerId(std::string_view text);

// Connection ids (the greeting's thread id, CONNECTION_ID(), SHOW PROCESSLIST, KILL) are 32 bits
// on the wire: the worker id in the top 10 bits, a per-process counter in the low 22. Worker 0
// gives 1, 2, 3, ... as a standalone proxy always did.
inline constexpr int kConnectionCounterBits = 32 - kWorkerIdBits;
inline constexpr uint32_t kConnectionCounterMask = (uint32_t{1} << kConnectionCounterBits) - 1;

// The id of the `n`th connection (n from 1) of worker `workerId`; the counter wraps within its
// 22 bits and skips 0 (no connection has id 0).
inline uint32_t connectionIdOf(int workerId, uint64_t n) {
  uint32_t low = static_cast<uint32_t>(n % kConnectionCounterMask);
  if (low == 0) low = kConnectionCounterMask;
  return (static_cast<uint32_t>(workerId) << kConnectionCounterBits) | low;
}

// The worker id a connection id carries.
inline int workerIdOfConnection(uint64_t connectionId) {
  return static_cast<int>((connectionId >> kConnectionCounterBits) & kMaxWorkerId);
}

}  // namespace shardproxy
