// Failed logins per account and host: the delay grows past the threshold as MySQL's
// connection_control computes it, a success answers after the same delay and forgets the count,
// the block comes past its limit and ends with time, other accounts and hosts are not touched,
// the table stays within its size, and concurrent callers keep an exact count. Time is given to
// every call, so nothing here waits.
#include "frontend/login_throttle.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace shardproxy::frontend {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = LoginThrottle::Clock;

LoginThrottleSettings settings() {
  LoginThrottleSettings s;
  s.failuresBeforeDelay = 3;
  s.minDelay = milliseconds(1000);
  s.maxDelay = milliseconds(5000);
  s.failuresBeforeBlock = 10;
  s.blockTime = seconds(600);
  s.maxEntries = 100;
  return s;
}

const Clock::time_point t0 = Clock::time_point() + std::chrono::hours(1);

milliseconds fail(LoginThrottle& t, const char* user, const char* host,
                  Clock::time_point now = t0) {
  auto outcome = t.verdict(user, host, false, now);
  EXPECT_TRUE(outcome.refusal) << outcome.refusal.message();
  return outcome.delay;
}

TEST(LoginThrottleTest, DelayGrowsPastTheThresholdUpToTheMaximum) {
  LoginThrottle t(settings());
  // Failures 1-3 answer at once; the 4th waits 1 s, the 5th 2 s ... up to the maximum.
  const int expected[] = {0, 0, 0, 1000, 2000, 3000, 4000, 5000, 5000, 5000};
  for (int i = 0; i < 10; ++i) {
    SCOPED_TRACE(i + 1);
    EXPECT_TRUE(t.admit("app", "127.0.0.2", t0));
    EXPECT_EQ(fail(t, "app", "127.0.0.2"), milliseconds(expected[i]));
  }
}

TEST(LoginThrottleTest, SuccessWaitsAsLongAsAFailureThenForgets) {
  LoginThrottle t(settings());
  for (int i = 0; i < 4; ++i) fail(t, "app", "127.0.0.2");
  // A 5th failure would wait 2 s: so does the success, then the count is gone.
  auto ok = t.verdict("app", "127.0.0.2", true, t0);
  EXPECT_TRUE(ok.refusal);
  EXPECT_EQ(ok.delay, milliseconds(2000));
  EXPECT_EQ(t.size(), 0u);
  EXPECT_EQ(fail(t, "app", "127.0.0.2"), milliseconds(0));
  // Success without failures: no delay, nothing kept.
  EXPECT_EQ(t.verdict("root", "127.0.0.2", true, t0).delay, milliseconds(0));
  EXPECT_EQ(t.size(), 1u);
}

TEST(LoginThrottleTest, BlockedPastTheLimitUntilTheTimeRunsOut) {
  LoginThrottle t(settings());
  for (int i = 0; i < 9; ++i) fail(t, "app", "127.0.0.2", t0 + seconds(i));
  EXPECT_TRUE(t.admit("app", "127.0.0.2", t0 + seconds(9)));
  fail(t, "app", "127.0.0.2", t0 + seconds(9));  // the 10th
  Status refused = t.admit("app", "127.0.0.2", t0 + seconds(10));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.code(), 1129);
  EXPECT_EQ(refused.sqlState(), "HY000");
  EXPECT_EQ(refused.message(),
            "Host '127.0.0.2' is blocked because of many connection errors (10 failed logins as "
            "'app'); try again in 599 s");
  // The right password does not get through a block: it is not even looked at.
  auto outcome = t.verdict("app", "127.0.0.2", true, t0 + seconds(10));
  EXPECT_FALSE(outcome.refusal);
  EXPECT_EQ(outcome.refusal.code(), 1129);
  EXPECT_FALSE(t.verdict("app", "127.0.0.2", false, t0 + seconds(10)).refusal);
  // The block lasts blockTime after the last failure; then the account starts afresh.
  EXPECT_FALSE(t.admit("app", "127.0.0.2", t0 + seconds(9 + 599)));
  EXPECT_TRUE(t.admit("app", "127.0.0.2", t0 + seconds(9 + 600)));
  EXPECT_EQ(fail(t, "app", "127.0.0.2", t0 + seconds(9 + 600)), milliseconds(0));
}

TEST(LoginThrottleTest, FailuresAreForgottenAfterTheBlockTime) {
  LoginThrottle t(settings());
  for (int i = 0; i < 5; ++i) fail(t, "app", "127.0.0.2", t0);
  EXPECT_EQ(fail(t, "app", "127.0.0.2", t0 + seconds(599)), milliseconds(3000));
  // 600 s after the last failure it counts from zero again.
  EXPECT_EQ(fail(t, "app", "127.0.0.2", t0 + seconds(1199)), milliseconds(0));
}

TEST(LoginThrottleTest, OtherAccountsAndHostsAreNotTouched) {
  LoginThrottle t(settings());
  for (int i = 0; i < 10; ++i) fail(t, "app", "127.0.0.2");
  EXPECT_FALSE(t.admit("app", "127.0.0.2", t0));
  EXPECT_TRUE(t.admit("app", "127.0.0.3", t0));
  EXPECT_TRUE(t.admit("root", "127.0.0.2", t0));
  EXPECT_TRUE(t.admit("ap", "p127.0.0.2", t0));  // the key keeps user and host apart
  EXPECT_EQ(fail(t, "app", "127.0.0.3"), milliseconds(0));
  EXPECT_EQ(t.verdict("root", "127.0.0.2", true, t0).delay, milliseconds(0));
}

TEST(LoginThrottleTest, ZeroTurnsDelayAndBlockOff) {
  LoginThrottleSettings s = settings();
  s.failuresBeforeDelay = 0;
  s.failuresBeforeBlock = 0;
  LoginThrottle t(s);
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(t.admit("app", "h", t0));
    EXPECT_EQ(fail(t, "app", "h"), milliseconds(0));
  }
}

TEST(LoginThrottleTest, BlockedMessageCutsLongNames) {
  LoginThrottleSettings s = settings();
  s.failuresBeforeBlock = 1;
  LoginThrottle t(s);
  std::string user(100000, 'u');
  fail(t, user.c_str(), "127.0.0.2");
  Status refused = t.admit(user, "127.0.0.2", t0);
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.message().find("as '" + std::string(48, 'u') + "')"), std::string::npos)
      << refused.message();
}

// Names a client makes up by the thousand never grow the table past its size, and do not push
// out an account whose failures are being counted.
TEST(LoginThrottleTest, BoundedWhateverNamesAreTried) {
  LoginThrottle t(settings());
  for (int i = 0; i < 10; ++i) fail(t, "app", "127.0.0.2");
  for (int i = 0; i < 5000; ++i) {
    std::string name = "guess" + std::to_string(i) + std::string(1000, 'x');
    fail(t, name.c_str(), "127.0.0.2", t0 + milliseconds(i));
    ASSERT_LE(t.size(), 100u);
  }
  EXPECT_FALSE(t.admit("app", "127.0.0.2", t0 + seconds(5)));
  // Expired entries make room first.
  fail(t, "late", "127.0.0.9", t0 + seconds(5000));
  EXPECT_EQ(t.size(), 1u);
}

TEST(LoginThrottleTest, ConcurrentFailuresAreAllCounted) {
  LoginThrottleSettings s = settings();
  s.failuresBeforeBlock = 0;
  s.maxDelay = milliseconds(1'000'000'000);
  LoginThrottle t(s);
  constexpr int kThreads = 4;
  constexpr int kEach = 500;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&t, i] {
      for (int j = 0; j < kEach; ++j) {
        (void)t.verdict("app", "127.0.0.2", false, t0);
        (void)t.verdict("user" + std::to_string(i), "127.0.0.3", false, t0);
      }
    });
  }
  for (auto& th : threads) th.join();
  // The next failure sees every one before it.
  EXPECT_EQ(fail(t, "app", "127.0.0.2"), milliseconds(1000) * (kThreads * kEach - 3 + 1));
  EXPECT_EQ(t.size(), 1u + kThreads);
}

TEST(LoginThrottleTest, SettingsFromProps) {
  config::Props p;
  p.proxyFrontendLoginFailuresBeforeDelay = 5;
  p.proxyFrontendLoginMinDelayMilliseconds = 200;
  p.proxyFrontendLoginMaxDelayMilliseconds = 900;
  p.proxyFrontendLoginFailuresBeforeBlock = 7;
  p.proxyFrontendLoginBlockSeconds = 30;
  p.proxyFrontendLoginTrackedAccounts = 12;
  LoginThrottleSettings s = LoginThrottleSettings::fromProps(p);
  EXPECT_EQ(s.failuresBeforeDelay, 5);
  EXPECT_EQ(s.minDelay, milliseconds(200));
  EXPECT_EQ(s.maxDelay, milliseconds(900));
  EXPECT_EQ(s.failuresBeforeBlock, 7);
  EXPECT_EQ(s.blockTime, seconds(30));
  EXPECT_EQ(s.maxEntries, 12u);
}

}  // namespace
}  // namespace shardproxy::frontend
