#include "router/key_generator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace shardproxy::router {
namespace {

constexpr int64_t kEpoch = 1477958400000;  // 2016-11-01T00:00:00Z
constexpr int64_t kT = kEpoch + 1000;

// A clock driven by hand: returns `now`, and counts how often it was read.
struct ManualClock {
  std::atomic<int64_t> now{kT};
  std::atomic<int> reads{0};

  Clock clock() {
    return [this] {
      reads.fetch_add(1);
      return now.load();
    };
  }
};

// A clock that reads `first` for the first `calls` reads and `then` afterwards.
Clock stepClock(int64_t first, int calls, int64_t then, std::shared_ptr<int> reads) {
  return [=] { return (*reads)++ < calls ? first : then; };
}

// A clock that replays `script` and then stays at its last value.
Clock scriptClock(std::vector<int64_t> script) {
  auto index = std::make_shared<size_t>(0);
  return [script = std::move(script), index] {
    size_t i = std::min(*index, script.size() - 1);
    ++*index;
    return script[i];
  };
}

std::unique_ptr<KeyGenerator> make(std::string_view type, const Props& props = {},
                                   Clock clock = systemClockMillis) {
  auto generator = createKeyGenerator(type, props, std::move(clock));
  EXPECT_TRUE(generator.isOk()) << generator.status().message();
  return generator.isOk() ? std::move(generator).value() : nullptr;
}

int64_t key(KeyGenerator& generator) {
  Result<Value> value = generator.next();
  EXPECT_TRUE(value.isOk()) << value.status().message();
  if (!value.isOk()) return -1;
  EXPECT_EQ(value->type, Value::Type::Long);
  return value->integer;
}

int64_t layout(int64_t millis, int64_t workerId, int64_t sequence) {
  return ((millis - kEpoch) << 22) | (workerId << 12) | sequence;
}

std::string createError(std::string_view type, const Props& props) {
  auto generator = createKeyGenerator(type, props);
  EXPECT_FALSE(generator.isOk()) << type;
  return generator.isOk() ? "" : generator.status().message();
}

TEST(SnowflakeTest, BitLayout) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {{"worker-id", "5"}}, clock.clock());
  EXPECT_STREQ(generator->type(), "SNOWFLAKE");
  EXPECT_EQ(key(*generator), layout(kT, 5, 0));
  EXPECT_EQ(key(*generator), layout(kT, 5, 1));
  EXPECT_EQ(key(*generator), layout(kT, 5, 2));
  clock.now = kT + 1;
  EXPECT_EQ(key(*generator), layout(kT + 1, 5, 1));  // vibrated offset
  EXPECT_EQ(key(*generator), layout(kT + 1, 5, 2));

  // The largest worker id fills its 10 bits and nothing else.
  ManualClock clock2;
  clock2.now = kEpoch + 123456789;
  auto maxWorker = make("snowflake", {{"worker-id", "1023"}}, clock2.clock());
  int64_t k = key(*maxWorker);
  EXPECT_EQ(k, (int64_t{123456789} << 22) | (int64_t{1023} << 12));
  EXPECT_EQ((k >> 12) & 1023, 1023);
  EXPECT_EQ(k & 4095, 0);
}

TEST(SnowflakeTest, KnownValue) {
  // 2024-01-01T00:00:00Z, worker 0, first key: (1704067200000 - 1477958400000) << 22.
  auto generator = make("SNOWFLAKE", {}, scriptClock({1704067200000}));
  EXPECT_EQ(key(*generator), int64_t{226108800000} << 22);
  EXPECT_EQ(key(*generator), (int64_t{226108800000} << 22) | 1);
}

TEST(SnowflakeTest, SystemClockTimestamp) {
  auto generator = make("SNOWFLAKE");
  int64_t before = systemClockMillis();
  int64_t k = key(*generator);
  int64_t after = systemClockMillis();
  EXPECT_GE((k >> 22) + kEpoch, before);
  EXPECT_LE((k >> 22) + kEpoch, after);
  EXPECT_EQ((k >> 12) & 1023, 0);  // default worker id
}

TEST(SnowflakeTest, VibrationDefaultAlternates) {
  // One key per millisecond: the sequence alternates 0, 1, 0, 1 so keys are not all even.
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {}, clock.clock());
  std::vector<int64_t> sequences;
  for (int i = 0; i < 6; ++i) {
    clock.now = kT + i;
    sequences.push_back(key(*generator) & 4095);
  }
  EXPECT_EQ(sequences, (std::vector<int64_t>{0, 1, 0, 1, 0, 1}));
}

TEST(SnowflakeTest, VibrationCyclesUpToMax) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {{"max-vibration-offset", "3"}}, clock.clock());
  std::vector<int64_t> sequences;
  for (int i = 0; i < 9; ++i) {
    clock.now = kT + i;
    sequences.push_back(key(*generator) & 4095);
  }
  EXPECT_EQ(sequences, (std::vector<int64_t>{0, 1, 2, 3, 0, 1, 2, 3, 0}));
}

TEST(SnowflakeTest, VibrationZeroAlwaysStartsAtZero) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {{"max-vibration-offset", "0"}}, clock.clock());
  for (int i = 0; i < 5; ++i) {
    clock.now = kT + i;
    EXPECT_EQ(key(*generator) & 4095, 0);
  }
}

TEST(SnowflakeTest, VibrationOnlyAdvancesOnANewMillisecond) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {{"max-vibration-offset", "4095"}}, clock.clock());
  EXPECT_EQ(key(*generator), layout(kT, 0, 0));
  EXPECT_EQ(key(*generator), layout(kT, 0, 1));
  clock.now = kT + 5;  // a gap of several milliseconds still vibrates once
  EXPECT_EQ(key(*generator), layout(kT + 5, 0, 1));
  clock.now = kT + 6;
  EXPECT_EQ(key(*generator), layout(kT + 6, 0, 2));
}

TEST(SnowflakeTest, SequenceOverflowWaitsForTheNextMillisecond) {
  // 4096 keys fit in kT (sequence 0..4095); the 4097th must wait until the clock moves on.
  constexpr int kStuckReads = 4096 + 50;
  auto reads = std::make_shared<int>(0);
  auto generator = make("SNOWFLAKE", {}, stepClock(kT, kStuckReads, kT + 1, reads));
  for (int64_t i = 0; i < 4096; ++i) ASSERT_EQ(key(*generator), layout(kT, 0, i));
  // The new millisecond keeps sequence 0 and does not vibrate (ShardingSphere's behaviour).
  EXPECT_EQ(key(*generator), layout(kT + 1, 0, 0));
  EXPECT_EQ(*reads, kStuckReads + 1);  // it kept reading the clock until kT + 1
  EXPECT_EQ(key(*generator), layout(kT + 1, 0, 1));
}

TEST(SnowflakeTest, SequenceOverflowFromAVibratedOffset) {
  // The second millisecond starts at offset 1, so only 4095 keys fit in it.
  auto reads = std::make_shared<int>(0);
  auto inner = stepClock(kT + 1, 1 + 4095 + 3, kT + 2, reads);
  bool first = true;
  Clock clock = [&first, inner]() mutable {
    if (first) {
      first = false;
      return kT;
    }
    return inner();
  };
  auto generator = make("SNOWFLAKE", {}, clock);
  EXPECT_EQ(key(*generator), layout(kT, 0, 0));
  for (int64_t i = 1; i <= 4095; ++i) ASSERT_EQ(key(*generator), layout(kT + 1, 0, i));
  EXPECT_EQ(key(*generator), layout(kT + 2, 0, 0));
}

TEST(SnowflakeTest, EqualClockReadsIncrementTheSequence) {
  auto generator = make("SNOWFLAKE", {{"worker-id", "7"}}, scriptClock({kT}));
  int64_t previous = -1;
  for (int64_t i = 0; i < 100; ++i) {
    int64_t k = key(*generator);
    EXPECT_EQ(k, layout(kT, 7, i));
    EXPECT_GT(k, previous);
    previous = k;
  }
}

TEST(SnowflakeTest, SmallClockStepBackWaitsUntilCaughtUp) {
  // kT, then the clock is 3 ms behind for two reads, then back at kT: the key waits and lands in
  // kT's sequence, after the previous key.
  auto generator = make("SNOWFLAKE", {}, scriptClock({kT, kT - 3, kT - 2, kT}));
  EXPECT_EQ(key(*generator), layout(kT, 0, 0));
  EXPECT_EQ(key(*generator), layout(kT, 0, 1));

  auto later = make("SNOWFLAKE", {}, scriptClock({kT, kT - 9, kT + 1}));
  EXPECT_EQ(key(*later), layout(kT, 0, 0));
  EXPECT_EQ(key(*later), layout(kT + 1, 0, 1));  // 9 < 10: tolerated
}

TEST(SnowflakeTest, SmallClockStepBackWaitsForALaggingClock) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {}, clock.clock());
  EXPECT_EQ(key(*generator), layout(kT, 0, 0));
  clock.now = kT - 5;
  std::thread catchUp([&clock] {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    clock.now = kT + 2;
  });
  EXPECT_EQ(key(*generator), layout(kT + 2, 0, 1));
  catchUp.join();
}

TEST(SnowflakeTest, LargeClockStepBackFails) {
  ManualClock clock;
  auto generator = make("SNOWFLAKE", {}, clock.clock());
  EXPECT_EQ(key(*generator), layout(kT, 0, 0));
  clock.now = kT - 10;  // ShardingSphere tolerates strictly less than the limit
  Result<Value> failed = generator->next();
  ASSERT_FALSE(failed.isOk());
  EXPECT_EQ(failed.status().message(), "Clock is moving backwards, last time is " +
                                           std::to_string(kT) + " milliseconds, current time is " +
                                           std::to_string(kT - 10) + " milliseconds");
  // The generator is still usable once the clock is back.
  clock.now = kT;
  EXPECT_EQ(key(*generator), layout(kT, 0, 1));
}

TEST(SnowflakeTest, ToleranceIsConfigurable) {
  auto strict = make("SNOWFLAKE", {{"max-tolerate-time-difference-milliseconds", "0"}},
                     scriptClock({kT, kT - 1, kT}));
  EXPECT_EQ(key(*strict), layout(kT, 0, 0));
  EXPECT_FALSE(strict->next().isOk());
  EXPECT_EQ(key(*strict), layout(kT, 0, 1));

  auto lenient = make("SNOWFLAKE", {{"max-tolerate-time-difference-milliseconds", "50"}},
                      scriptClock({kT, kT - 30, kT + 1}));
  EXPECT_EQ(key(*lenient), layout(kT, 0, 0));
  EXPECT_EQ(key(*lenient), layout(kT + 1, 0, 1));
}

TEST(SnowflakeTest, StrictlyIncreasingWithTheSystemClock) {
  auto generator = make("SNOWFLAKE", {{"worker-id", "1"}});
  int64_t previous = key(*generator);
  for (int i = 0; i < 100000; ++i) {
    int64_t k = key(*generator);
    ASSERT_GT(k, previous);
    previous = k;
  }
}

TEST(SnowflakeTest, ThreadsGetDistinctIncreasingKeys) {
  constexpr int kThreads = 4;
  constexpr int kKeys = 10000;
  auto generator = make("SNOWFLAKE");
  std::vector<std::vector<int64_t>> keys(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      keys[t].reserve(kKeys);
      for (int i = 0; i < kKeys; ++i) {
        Result<Value> value = generator->next();
        keys[t].push_back(value.isOk() ? value->integer : -1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  std::set<int64_t> all;
  for (const auto& perThread : keys) {
    for (size_t i = 0; i < perThread.size(); ++i) {
      ASSERT_GE(perThread[i], 0);
      if (i > 0) {
        ASSERT_GT(perThread[i], perThread[i - 1]);
      }
    }
    all.insert(perThread.begin(), perThread.end());
  }
  EXPECT_EQ(all.size(), size_t{kThreads} * kKeys);
}

TEST(SnowflakeTest, PropertyErrors) {
  struct Case {
    const char* key;
    const char* value;
  };
  for (const Case& c :
       std::vector<Case>{{"worker-id", "1024"},
                         {"worker-id", "-1"},
                         {"worker-id", "abc"},
                         {"worker-id", ""},
                         {"worker-id", " 1"},
                         {"worker-id", "1.0"},
                         {"worker-id", "99999999999999999999"},
                         {"max-vibration-offset", "4096"},
                         {"max-vibration-offset", "-1"},
                         {"max-vibration-offset", "x"},
                         {"max-tolerate-time-difference-milliseconds", "-1"},
                         {"max-tolerate-time-difference-milliseconds", "ten"},
                         {"max-tolerate-time-difference-milliseconds", "2147483648"}}) {
    std::string message = createError("SNOWFLAKE", {{c.key, c.value}});
    EXPECT_NE(message.find(std::string("'") + c.key + "'"), std::string::npos)
        << c.key << "=" << c.value << ": " << message;
    EXPECT_NE(message.find(std::string("'") + c.value + "'"), std::string::npos) << message;
  }
  EXPECT_EQ(createError("SNOWFLAKE", {{"worker-id", "1024"}}),
            "SNOWFLAKE key generator property 'worker-id' must be an integer from 0 to 1023, got "
            "'1024'");
}

TEST(SnowflakeTest, PropertyBoundsAndJavaNumberSyntaxAccepted) {
  EXPECT_TRUE(createKeyGenerator("SNOWFLAKE", {{"worker-id", "0"}}).isOk());
  EXPECT_TRUE(createKeyGenerator("SNOWFLAKE", {{"worker-id", "+12"}}).isOk());  // parseLong
  EXPECT_TRUE(createKeyGenerator("SNOWFLAKE", {{"worker-id", "007"}}).isOk());
  EXPECT_TRUE(createKeyGenerator("SNOWFLAKE", {{"max-vibration-offset", "4095"}}).isOk());
  EXPECT_TRUE(
      createKeyGenerator("SNOWFLAKE", {{"max-tolerate-time-difference-milliseconds", "2147483647"}})
          .isOk());
  // Unknown properties are ignored, as ShardingSphere does.
  EXPECT_TRUE(createKeyGenerator("SNOWFLAKE", {{"something-else", "x"}}).isOk());
}

TEST(KeyGeneratorTypeTest, TypeIsCaseInsensitive) {
  for (const char* type : {"SNOWFLAKE", "snowflake", "SnowFlake"}) {
    auto generator = createKeyGenerator(type, {});
    ASSERT_TRUE(generator.isOk()) << type;
    EXPECT_STREQ((*generator)->type(), "SNOWFLAKE");
  }
  for (const char* type : {"UUID", "uuid", "Uuid"}) {
    auto generator = createKeyGenerator(type, {});
    ASSERT_TRUE(generator.isOk()) << type;
    EXPECT_STREQ((*generator)->type(), "UUID");
  }
}

TEST(KeyGeneratorTypeTest, UnknownAndClassBasedTypes) {
  std::string unknown = createError("NANOID", {});
  EXPECT_NE(unknown.find("'NANOID'"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("SNOWFLAKE"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("UUID"), std::string::npos) << unknown;
  EXPECT_FALSE(createKeyGenerator("", {}).isOk());
  EXPECT_FALSE(createKeyGenerator("SNOWFLAKE ", {}).isOk());

  std::string classBased = createError("class_based", {{"strategy", "STANDARD"}});
  EXPECT_NE(classBased.find("Java classes"), std::string::npos) << classBased;
}

TEST(UuidTest, FormatIs32LowercaseHexDigits) {
  auto generator = make("UUID");
  for (int i = 0; i < 1000; ++i) {
    Result<Value> value = generator->next();
    ASSERT_TRUE(value.isOk());
    ASSERT_EQ(value->type, Value::Type::String);
    ASSERT_EQ(value->text.size(), 32u) << value->text;
    for (char c : value->text) {
      ASSERT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) << value->text;
    }
  }
}

TEST(UuidTest, UniqueAcrossCallsGeneratorsAndThreads) {
  auto first = make("UUID");
  auto second = make("UUID", {{"ignored", "prop"}});
  std::set<std::string> seen;
  std::mutex seenMutex;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      KeyGenerator& generator = t % 2 == 0 ? *first : *second;
      std::vector<std::string> local;
      for (int i = 0; i < 5000; ++i) {
        Result<Value> value = generator.next();
        if (value.isOk()) local.push_back(value->text);
      }
      std::lock_guard<std::mutex> lock(seenMutex);
      seen.insert(local.begin(), local.end());
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(seen.size(), 20000u);
}

TEST(UuidTest, AllBitsVary) {
  // ShardingSphere's UUID is 128 random bits (no fixed version nibble): every hex position
  // takes many values over a few hundred keys.
  auto generator = make("UUID");
  std::vector<std::set<char>> digits(32);
  for (int i = 0; i < 500; ++i) {
    Result<Value> value = generator->next();
    ASSERT_TRUE(value.isOk());
    for (int p = 0; p < 32; ++p) digits[p].insert(value->text[p]);
  }
  for (int p = 0; p < 32; ++p) EXPECT_GE(digits[p].size(), 10u) << "position " << p;
}

// The instance's worker id (--worker-id) wins over the algorithm's property, with a warning when
// they differ; without an instance id the property is used as before.
TEST(SnowflakeTest, InstanceWorkerId) {
  ManualClock clock;
  clock.now = kT;
  std::string warning;
  auto fromInstance =
      createKeyGenerator("SNOWFLAKE", {{"worker-id", "5"}}, clock.clock(), 9, &warning);
  ASSERT_TRUE(fromInstance.isOk()) << fromInstance.status().message();
  EXPECT_EQ(key(**fromInstance), layout(kT, 9, 0));
  EXPECT_NE(warning.find("'worker-id' (5) is ignored"), std::string::npos) << warning;
  EXPECT_NE(warning.find("worker id 9"), std::string::npos) << warning;

  // Same id, or no property: nothing to warn about.
  for (const Props& props : {Props{{"worker-id", "9"}}, Props{}}) {
    warning.clear();
    auto same = createKeyGenerator("SNOWFLAKE", props, clock.clock(), 9, &warning);
    ASSERT_TRUE(same.isOk());
    EXPECT_EQ((key(**same) >> 12) & 1023, 9);
    EXPECT_TRUE(warning.empty()) << warning;
  }

  // Instance id 0 given explicitly is an id like any other.
  warning.clear();
  auto zero = createKeyGenerator("SNOWFLAKE", {{"worker-id", "5"}}, clock.clock(), 0, &warning);
  ASSERT_TRUE(zero.isOk());
  EXPECT_EQ((key(**zero) >> 12) & 1023, 0);
  EXPECT_FALSE(warning.empty());

  // The property is still checked even when the instance's id is used.
  EXPECT_FALSE(createKeyGenerator("SNOWFLAKE", {{"worker-id", "1024"}}, clock.clock(), 9).isOk());
}

}  // namespace
}  // namespace shardproxy::router
