// What the whole process shares about one data source: how many connections are open to it
// (maxPoolSize is a hard cap over all workers, as in HikariCP), the queue of statements waiting
// for one, and whether the server answers (the health check's verdict).
//
// The hot path is lock-free: a slot is taken with a CAS while below the cap and nobody waits.
// Only at the cap does a taker queue under the mutex; the queue is served in order whichever
// worker the waiter lives on, by posting to that waiter's executor.
#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/asio.h"
#include "common/status.h"

namespace shardproxy::backend {

class Connection;

// A worker's pool of one data source, as the gate sees it: it may be asked, on its own
// executor, to close an idle connection (so a waiter elsewhere gets the slot) or to abort every
// connection (the data source went down).
class GateMember {
 public:
  explicit GateMember(asio::any_io_executor executor) : executor_(std::move(executor)) {}
  virtual ~GateMember() = default;
  virtual void shedIdle() = 0;
  virtual void abortAll(const Status& why) = 0;

  const asio::any_io_executor& executor() const { return executor_; }
  // Idle connections it holds; written on its own thread, read by others as a hint.
  std::atomic<int> idle{0};

 private:
  asio::any_io_executor executor_;
};

class DataSourceGate {
 public:
  // `name` for messages; `maxOpen` >= 1 (maxPoolSize); `minOpen` kept warm (minPoolSize).
  DataSourceGate(std::string name, int maxOpen, int minOpen);
  DataSourceGate(const DataSourceGate&) = delete;
  DataSourceGate& operator=(const DataSourceGate&) = delete;

  // Takes a slot when below the cap and nobody is waiting.
  bool tryTake();
  // Takes a slot while fewer than minOpen are open (keeping the pool warm).
  bool tryTakeForWarmUp();

  // What a waiter gets: a slot (open a connection with it), a connection handed over by a
  // release on its own pool, or an error (timeout, data source down, shutdown).
  struct Grant {
    std::unique_ptr<Connection> conn;  // null: a slot to open one with
  };
  // Waits in line for a slot until `deadline` (time_point::max(): no limit). `owner` tells which
  // pool the waiter belongs to, so that a connection released there can be handed over as is.
  // The timeout error names `timeoutMs`.
  awaitable<Result<Grant>> wait(asio::any_io_executor executor, const GateMember* owner,
                                std::chrono::steady_clock::time_point deadline, int timeoutMs);

  // A slot is given back (a connection closed, or failed to open); the first waiter gets it.
  void give();
  // A clean connection of `owner` is free. Returns it when nobody waits. Otherwise it goes to
  // the first waiter: as is when that waiter belongs to `owner`, else it is closed here and its
  // slot passes on (returns null either way).
  std::unique_ptr<Connection> offer(std::unique_ptr<Connection> conn, const GateMember* owner);
  // Fails the waiters of `owner` (its worker is shutting down).
  void failWaiters(const GateMember* owner, const Status& why);

  void attach(GateMember* member);
  void detach(GateMember* member);

  // Health, as the health check judges it.
  bool down() const { return down_.load(std::memory_order_relaxed); }
  Status downStatus() const;
  // Marks the data source down: waiters fail at once and every member aborts its connections.
  void markDown(const Status& why);
  void markUp();
  // A session saw a connect or read time out: the health check looks again now.
  void suspect();
  // The health check's wake-up: `wake` runs on `executor` when someone suspects a failure.
  void setChecker(asio::any_io_executor executor, std::function<void()> wake);

  const std::string& name() const { return name_; }
  int maxOpen() const { return maxOpen_; }
  int minOpen() const { return minOpen_; }
  int open() const { return open_.load(); }
  int waiting() const { return waiting_.load(); }
  // Idle connections over every worker's pool, from their hints (a figure for the health
  // endpoints; takes the lock, so not for the hot path).
  int idle() const;

 private:
  struct Waiter;
  void dispatchLocked();
  void wakeLocked(std::shared_ptr<Waiter> w);

  const std::string name_;
  const int maxOpen_;
  const int minOpen_;
  std::atomic<int> open_{0};     // slots taken: connections open or opening, or granted
  std::atomic<int> waiting_{0};  // size of queue_, readable without the lock
  std::atomic<bool> down_{false};

  mutable std::mutex mutex_;
  std::deque<std::shared_ptr<Waiter>> queue_;
  std::vector<GateMember*> members_;
  Status downStatus_;
  asio::any_io_executor checkerExecutor_;
  std::function<void()> checkerWake_;
};

}  // namespace shardproxy::backend
