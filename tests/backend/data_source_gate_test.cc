// The process-wide accounting of a data source's connections, without a server: the cap over
// several io_contexts on their own threads, the waiters' order across them, timeouts, hand-overs
// and the health verdict.
#include "backend/data_source_gate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "backend/connection.h"

namespace shardproxy::backend {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

class FakeMember final : public GateMember {
 public:
  explicit FakeMember(asio::any_io_executor ex) : GateMember(std::move(ex)) {}
  void shedIdle() override { ++shed; }
  void abortAll(const Status& why) override {
    ++aborted;
    abortMessage = why.message();
  }
  std::atomic<int> shed{0};
  std::atomic<int> aborted{0};
  std::string abortMessage;
};

// Gives the slot back when the connection is destroyed, as a pool's connections do.
class SlotOwner final : public ConnectionOwner {
 public:
  explicit SlotOwner(DataSourceGate& g) : gate(g) {}
  void closed(Connection*) override { gate.give(); }
  bool sourceDown() const override { return gate.down(); }
  Status downStatus() const override { return gate.downStatus(); }
  void suspect() override {}
  DataSourceGate& gate;
};

// An io_context running on a thread of its own until stopped.
struct WorkerThread {
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] { io.run(); }};
  ~WorkerThread() {
    work.reset();
    thread.join();
  }
};

void waitUntil(const std::function<bool()>& done) {
  auto until = Clock::now() + 10s;
  while (!done() && Clock::now() < until) std::this_thread::sleep_for(1ms);
}

TEST(DataSourceGate, CapHoldsOverTwoThreads) {
  DataSourceGate gate("ds", 3, 0);
  std::atomic<int> inUse{0};
  std::atomic<int> most{0};
  std::atomic<int> done{0};
  std::atomic<int> waited{0};
  std::atomic<int> failures{0};
  constexpr int kPerThread = 8;
  constexpr int kRounds = 20;
  {
    WorkerThread a;
    WorkerThread b;
    for (WorkerThread* w : {&a, &b}) {
      for (int i = 0; i < kPerThread; ++i) {
        asio::co_spawn(
            w->io,
            [&, ex = w->io.get_executor()]() -> awaitable<void> {
              asio::steady_timer hold(ex);
              for (int r = 0; r < kRounds; ++r) {
                if (!gate.tryTake()) {
                  ++waited;
                  auto g = co_await gate.wait(ex, nullptr, Clock::now() + 20s, 20000);
                  if (!g) {
                    ++failures;
                    continue;
                  }
                }
                int now = ++inUse;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                hold.expires_after(std::chrono::microseconds(200));
                co_await hold.async_wait(use_awaitable);
                --inUse;
                gate.give();
              }
              ++done;
            },
            asio::detached);
      }
    }
    waitUntil([&] { return done.load() == 2 * kPerThread; });
  }
  std::printf("cap 3, 16 takers on 2 threads x %d rounds: most in use %d, waits %d\n", kRounds,
              most.load(), waited.load());
  EXPECT_EQ(done.load(), 2 * kPerThread);
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(most.load(), 3);
  EXPECT_EQ(most.load(), 3);  // the cap is reached, not undershot
  EXPECT_GT(waited.load(), 0);
  EXPECT_EQ(gate.open(), 0);
  EXPECT_EQ(gate.waiting(), 0);
}

TEST(DataSourceGate, WaitersAreServedInOrderAcrossThreads) {
  DataSourceGate gate("ds", 1, 0);
  ASSERT_TRUE(gate.tryTake());
  EXPECT_FALSE(gate.tryTake());
  std::mutex m;
  std::vector<std::string> order;
  {
    WorkerThread a;
    WorkerThread b;
    // Queued one at a time, alternating threads: a1 b1 a2 b2 a3 b3.
    for (int i = 0; i < 6; ++i) {
      WorkerThread& w = i % 2 == 0 ? a : b;
      std::string id = std::string(i % 2 == 0 ? "a" : "b") + std::to_string(i / 2 + 1);
      asio::co_spawn(
          w.io,
          [&, id, ex = w.io.get_executor()]() -> awaitable<void> {
            auto g = co_await gate.wait(ex, nullptr, Clock::now() + 20s, 20000);
            if (!g) co_return;
            {
              std::lock_guard lock(m);
              order.push_back(id);
            }
            gate.give();  // the next in line gets the slot
          },
          asio::detached);
      waitUntil([&] { return gate.waiting() == i + 1; });
    }
    gate.give();
    waitUntil([&] {
      std::lock_guard lock(m);
      return order.size() == 6;
    });
  }
  EXPECT_EQ(order, (std::vector<std::string>{"a1", "b1", "a2", "b2", "a3", "b3"}));
  EXPECT_EQ(gate.open(), 0);
}

TEST(DataSourceGate, NewcomersQueueBehindWaiters) {
  DataSourceGate gate("ds", 1, 0);
  ASSERT_TRUE(gate.tryTake());
  asio::io_context io;
  bool granted = false;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), nullptr, Clock::now() + 5s, 5000);
        granted = g.isOk();
      },
      asio::detached);
  io.poll();
  EXPECT_EQ(gate.waiting(), 1);
  gate.give();
  // The freed slot went to the waiter, not to whoever asks next.
  EXPECT_FALSE(gate.tryTake());
  io.run();
  EXPECT_TRUE(granted);
  EXPECT_EQ(gate.open(), 1);
}

TEST(DataSourceGate, WaitGivesUpAfterTheTimeout) {
  DataSourceGate gate("ds_9", 1, 0);
  ASSERT_TRUE(gate.tryTake());
  asio::io_context io;
  Status result;
  auto start = Clock::now();
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), nullptr, Clock::now() + 200ms, 200);
        if (!g) result = g.status();
      },
      asio::detached);
  io.run();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
  std::printf("waiter gave up after %lld ms (timeout 200 ms)\n", static_cast<long long>(ms));
  EXPECT_EQ(result.code(), er::kCrConnHostError);
  EXPECT_EQ(result.message(),
            "data source ds_9: no connection available within 200 ms (maxPoolSize 1 reached)");
  EXPECT_GE(ms, 190);
  EXPECT_LT(ms, 5000);
  EXPECT_EQ(gate.waiting(), 0);
  EXPECT_EQ(gate.open(), 1);  // still the holder's
}

TEST(DataSourceGate, ReleasedConnectionGoesToItsOwnPoolsWaiterOrFreesTheSlot) {
  DataSourceGate gate("ds", 1, 0);
  asio::io_context io;
  FakeMember mine(io.get_executor());
  FakeMember other(io.get_executor());
  auto owner = std::make_shared<SlotOwner>(gate);
  auto connection = [&] {
    auto c = std::make_unique<Connection>(io.get_executor(), "ds");
    c->setOwner(owner);
    return c;
  };
  ASSERT_TRUE(gate.tryTake());
  auto held = connection();
  const Connection* identity = held.get();

  // Nobody waits: the connection comes back to be kept idle.
  held = gate.offer(std::move(held), &mine);
  ASSERT_NE(held, nullptr);

  // A waiter of the same pool gets the very connection.
  std::unique_ptr<Connection> got;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), &mine, Clock::now() + 5s, 5000);
        if (g) got = std::move(g.value().conn);
      },
      asio::detached);
  io.poll();
  EXPECT_EQ(gate.offer(std::move(held), &mine), nullptr);
  io.restart();
  io.run();
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(got.get(), identity);
  EXPECT_EQ(gate.open(), 1);

  // A waiter of another pool: the connection is closed and its slot passes on.
  bool slotGranted = false;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), &other, Clock::now() + 5s, 5000);
        slotGranted = g.isOk() && !g.value().conn;
      },
      asio::detached);
  io.restart();
  io.poll();
  EXPECT_EQ(gate.offer(std::move(got), &mine), nullptr);
  io.restart();
  io.run();
  EXPECT_TRUE(slotGranted);
  EXPECT_EQ(gate.open(), 1);  // now the other pool's
}

TEST(DataSourceGate, AWaiterAsksAPoolWithIdleConnectionsToCloseOne) {
  DataSourceGate gate("ds", 1, 0);
  asio::io_context io;
  FakeMember idleHolder(io.get_executor());
  gate.attach(&idleHolder);
  ASSERT_TRUE(gate.tryTake());
  idleHolder.idle = 1;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), nullptr, Clock::now() + 100ms, 100);
      },
      asio::detached);
  io.run();
  EXPECT_EQ(idleHolder.shed.load(), 1);
  gate.detach(&idleHolder);
}

TEST(DataSourceGate, DownFailsWaitersAtOnceAndAbortsMembers) {
  DataSourceGate gate("ds", 1, 0);
  asio::io_context io;
  FakeMember member(io.get_executor());
  gate.attach(&member);
  ASSERT_TRUE(gate.tryTake());
  Status waited;
  auto start = Clock::now();
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), &member, Clock::now() + 20s, 20000);
        if (!g) waited = g.status();
      },
      asio::detached);
  io.poll();
  ASSERT_EQ(gate.waiting(), 1);
  gate.markDown(makeError(er::kCrConnHostError, "data source ds is not answering"));
  io.restart();
  io.run();
  EXPECT_LT(Clock::now() - start, 5s);  // not the 20 s wait
  EXPECT_EQ(waited.message(), "data source ds is not answering");
  EXPECT_EQ(member.aborted.load(), 1);
  EXPECT_EQ(member.abortMessage, "data source ds is not answering");
  EXPECT_TRUE(gate.down());

  // While down, a wait fails without waiting; once up, waits work again.
  Status second;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        auto g = co_await gate.wait(io.get_executor(), &member, Clock::now() + 20s, 20000);
        if (!g) second = g.status();
      },
      asio::detached);
  io.restart();
  io.run();
  EXPECT_EQ(second.code(), er::kCrConnHostError);
  gate.markUp();
  EXPECT_FALSE(gate.down());
  gate.give();
  EXPECT_TRUE(gate.tryTake());
  gate.detach(&member);
}

TEST(DataSourceGate, WarmUpStopsAtTheMinimum) {
  DataSourceGate gate("ds", 4, 2);
  EXPECT_TRUE(gate.tryTakeForWarmUp());
  EXPECT_TRUE(gate.tryTakeForWarmUp());
  EXPECT_FALSE(gate.tryTakeForWarmUp());
  EXPECT_TRUE(gate.tryTake());
  EXPECT_TRUE(gate.tryTake());
  EXPECT_FALSE(gate.tryTake());
}

}  // namespace
}  // namespace shardproxy::backend
