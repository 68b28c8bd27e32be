// SNOWFLAKE and UUID key generators, following ShardingSphere 5.x's SnowflakeKeyGenerateAlgorithm
// and UUIDKeyGenerateAlgorithm.
#include "router/key_generator.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <utility>

#include "common/instance.h"

namespace shardproxy::router {
namespace {

// 2016-11-01 00:00:00 UTC, the day ShardingSphere published its key generator. (ShardingSphere
// takes that date in the JVM's default time zone; a proxy running in UTC gets the same epoch.)
constexpr int64_t kEpochMillis = 1477958400000;
constexpr int kSequenceBits = 12;
constexpr int kTimestampShift = kSequenceBits + kWorkerIdBits;
constexpr int64_t kSequenceMask = (int64_t{1} << kSequenceBits) - 1;

constexpr std::string_view kWorkerIdKey = "worker-id";
constexpr std::string_view kMaxVibrationOffsetKey = "max-vibration-offset";
constexpr std::string_view kMaxTolerateKey = "max-tolerate-time-difference-milliseconds";

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// Java's Long.parseLong: an optional sign, then decimal digits, nothing else (no blanks).
std::optional<int64_t> parseJavaLong(std::string_view text) {
  std::string_view digits = text;
  bool negative = false;
  if (!digits.empty() && (digits.front() == '+' || digits.front() == '-')) {
    negative = digits.front() == '-';
    digits.remove_prefix(1);
  }
  if (digits.empty() || digits.front() == '+' || digits.front() == '-') return std::nullopt;
  // Parse the magnitude as unsigned so that Long.MIN_VALUE is accepted like Java does.
  uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  constexpr uint64_t kMaxPositive = std::numeric_limits<int64_t>::max();
  if (!negative) {
    if (magnitude > kMaxPositive) return std::nullopt;
    return static_cast<int64_t>(magnitude);
  }
  if (magnitude > kMaxPositive + 1) return std::nullopt;
  return static_cast<int64_t>(0 - magnitude);
}

// Reads an integer property in [min, max], `fallback` when absent. ShardingSphere reads these
// with Integer.parseInt / Long.parseLong, so anything those reject is rejected here.
Result<int64_t> integerProp(const Props& props, std::string_view key, int64_t fallback, int64_t min,
                            int64_t max) {
  auto it = props.find(std::string(key));
  if (it == props.end()) return fallback;
  std::optional<int64_t> value = parseJavaLong(it->second);
  if (!value || *value < min || *value > max) {
    return makeError(er::kUnknownError, "SNOWFLAKE key generator property '" + std::string(key) +
                                            "' must be an integer from " + std::to_string(min) +
                                            " to " + std::to_string(max) + ", got '" + it->second +
                                            "'");
  }
  return *value;
}

class SnowflakeKeyGenerator final : public KeyGenerator {
 public:
  SnowflakeKeyGenerator(Clock clock, int64_t workerId, int64_t maxVibrationOffset,
                        int64_t maxTolerateMillis)
      : clock_(std::move(clock)),
        workerId_(workerId),
        maxVibrationOffset_(maxVibrationOffset),
        maxTolerateMillis_(maxTolerateMillis) {}

  const char* type() const override { return "SNOWFLAKE"; }

  Result<Value> next() override {
    std::lock_guard<std::mutex> lock(mutex_);
    int64_t now = clock_();
    // The clock went back (NTP step, VM migration). ShardingSphere sleeps out a difference below
    // the tolerance and fails on a larger one; it then reads the clock once, but we wait until it
    // has really caught up, so keys never go backwards.
    while (now < lastMillis_) {
      int64_t behind = lastMillis_ - now;
      if (behind >= maxTolerateMillis_) {
        return makeError(er::kUnknownError, "Clock is moving backwards, last time is " +
                                                std::to_string(lastMillis_) +
                                                " milliseconds, current time is " +
                                                std::to_string(now) + " milliseconds");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(behind));
      now = clock_();
    }
    if (now == lastMillis_) {
      sequence_ = (sequence_ + 1) & kSequenceMask;
      // 4096 keys in this millisecond already: the next one belongs to a later millisecond.
      // Like ShardingSphere, that millisecond keeps sequence 0 and does not vibrate.
      if (sequence_ == 0) now = waitAfter(now);
    } else {
      // A new millisecond starts at a sequence that cycles 0, 1, ..., max-vibration-offset, so
      // that with little traffic (one key per millisecond) keys are not all even, which would
      // send them all to one shard under `key % 2`.
      sequenceOffset_ = sequenceOffset_ >= maxVibrationOffset_ ? 0 : sequenceOffset_ + 1;
      sequence_ = sequenceOffset_;
    }
    lastMillis_ = now;
    // Unsigned so that a clock before the epoch wraps instead of shifting a negative number.
    uint64_t key = (static_cast<uint64_t>(now - kEpochMillis) << kTimestampShift) |
                   (static_cast<uint64_t>(workerId_) << kSequenceBits) |
                   static_cast<uint64_t>(sequence_);
    return Value::ofLong(static_cast<int64_t>(key));
  }

 private:
  int64_t waitAfter(int64_t millis) {
    int64_t now = clock_();
    while (now <= millis) {
      std::this_thread::yield();
      now = clock_();
    }
    return now;
  }

  const Clock clock_;
  const int64_t workerId_;
  const int64_t maxVibrationOffset_;
  const int64_t maxTolerateMillis_;

  std::mutex mutex_;
  int64_t lastMillis_ = 0;
  int64_t sequence_ = 0;
  int64_t sequenceOffset_ = -1;  // the first millisecond starts at 0
};

// ShardingSphere builds `new UUID(random.nextLong(), random.nextLong())`: 128 random bits with no
// version or variant nibble set, printed as 32 lowercase hex digits without dashes.
class UuidKeyGenerator final : public KeyGenerator {
 public:
  UuidKeyGenerator() {
    std::random_device device;
    // 256 bits of seed: enough to keep generators apart, and cheap to draw.
    std::array<uint32_t, 8> seed;
    std::generate(seed.begin(), seed.end(), std::ref(device));
    std::seed_seq sequence(seed.begin(), seed.end());
    engine_.seed(sequence);
  }

  const char* type() const override { return "UUID"; }

  Result<Value> next() override {
    uint64_t high;
    uint64_t low;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      high = engine_();
      low = engine_();
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string text(32, '0');
    for (int i = 0; i < 16; ++i) {
      text[15 - i] = kHex[(high >> (4 * i)) & 0xf];
      text[31 - i] = kHex[(low >> (4 * i)) & 0xf];
    }
    return Value::ofString(std::move(text));
  }

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace

int64_t systemClockMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Result<std::unique_ptr<KeyGenerator>> createKeyGenerator(std::string_view type, const Props& props,
                                                         Clock clock,
                                                         std::optional<int> instanceWorkerId,
                                                         std::string* warning) {
  std::string name = upper(type);
  if (name == "SNOWFLAKE") {
    // ShardingSphere ignores properties it does not know, and so do we.
    Result<int64_t> workerId = integerProp(props, kWorkerIdKey, 0, 0, kMaxWorkerId);
    if (!workerId) return workerId.status();
    int64_t chosen = *workerId;
    if (instanceWorkerId) {
      chosen = *instanceWorkerId;
      if (warning && props.count(std::string(kWorkerIdKey)) > 0 && *workerId != chosen) {
        *warning = "SNOWFLAKE key generator property 'worker-id' (" + std::to_string(*workerId) +
                   ") is ignored: keys carry the instance's worker id " + std::to_string(chosen) +
                   " (--worker-id / SHARDPROXY_WORKER_ID)";
      }
    }
    Result<int64_t> vibration = integerProp(props, kMaxVibrationOffsetKey, 1, 0, kSequenceMask);
    if (!vibration) return vibration.status();
    // ShardingSphere reads it with Integer.parseInt and never checks the range; a negative
    // tolerance would only turn every step back into an error, so it is refused instead.
    Result<int64_t> tolerate =
        integerProp(props, kMaxTolerateKey, 10, 0, std::numeric_limits<int32_t>::max());
    if (!tolerate) return tolerate.status();
    if (!clock) clock = systemClockMillis;
    return std::unique_ptr<KeyGenerator>(
        std::make_unique<SnowflakeKeyGenerator>(std::move(clock), chosen, *vibration, *tolerate));
  }
  if (name == "UUID") return std::unique_ptr<KeyGenerator>(std::make_unique<UuidKeyGenerator>());
  if (name == "CLASS_BASED") {
    return makeError(er::kNotSupportedYet,
                     "key generator type CLASS_BASED is not supported: shardproxy cannot load "
                     "Java classes; use SNOWFLAKE or UUID");
  }
  return makeError(er::kUnknownError, "unknown key generator type '" + std::string(type) +
                                          "'; supported types: SNOWFLAKE, UUID");
}

}  // namespace shardproxy::router
