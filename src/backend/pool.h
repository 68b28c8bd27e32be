// Connection pools: one per (data source, connect flags) per worker. A pool belongs to one
// worker's io_context, so it takes no locks.
#pragma once

#include <deque>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <tuple>

#include "backend/connection.h"
#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"

namespace shardproxy::backend {

struct PoolLimits {
  int maxSize = 50;
  int minIdle = 0;
};

class Pool {
 public:
  Pool(asio::any_io_executor executor, config::DataSource ds, ConnectFlags flags,
       PoolLimits limits);
  ~Pool();

  // An idle connection, a new one, or the next one released; fails after the data source's
  // connectionTimeoutMilliseconds.
  // `preferred`, when it is idle here, is taken first (identity only, never dereferenced).
  awaitable<Result<std::unique_ptr<Connection>>> acquire(const Connection* preferred = nullptr);
  // Gives a connection back; a broken one, or one with unread results, is closed.
  void release(std::unique_ptr<Connection> conn);
  // Closes a connection that holds client state and must not be reused.
  void discard(std::unique_ptr<Connection> conn);

  // Closes idle connections past their idle timeout or lifetime and tops the pool up to its
  // minimum; called periodically by the worker.
  void maintain();
  void closeAll();

  int openCount() const { return open_; }
  size_t idleCount() const { return idle_.size(); }
  const config::DataSource& dataSource() const { return ds_; }

 private:
  struct Waiter {
    explicit Waiter(asio::any_io_executor ex) : timer(ex) {}
    asio::steady_timer timer;
    std::unique_ptr<Connection> conn;
    bool slotFreed = false;  // a connection closed: the waiter may open a new one
    bool queued = true;      // still in waiters_ (whoever takes it out clears this)
  };

  awaitable<Result<std::unique_ptr<Connection>>> openNew();
  void wakeOneForSlot();
  bool usable(Connection& c) const;

  asio::any_io_executor executor_;
  config::DataSource ds_;
  ConnectFlags flags_;
  PoolLimits limits_;
  std::deque<std::unique_ptr<Connection>> idle_;  // most recently used at the back
  std::list<Waiter*> waiters_;
  int open_ = 0;  // connected or connecting, idle or in use
  bool closed_ = false;
  Clock::time_point lastConnectFailure_{};
};

// The pools of one worker, keyed by logical database, data source and connect flags.
class PoolSet {
 public:
  PoolSet(asio::any_io_executor executor, int workers) : executor_(executor), workers_(workers) {}

  Pool& pool(const std::string& database, const config::DataSource& ds, ConnectFlags flags);
  void maintain();
  void closeAll();

 private:
  asio::any_io_executor executor_;
  int workers_;
  std::map<std::tuple<std::string, std::string, ConnectFlags>, std::unique_ptr<Pool>> pools_;
};

}  // namespace shardproxy::backend
