// Connection pools: one per (data source, connect flags) per worker. A pool belongs to one
// worker's io_context and takes no locks; what the workers share about a data source (the
// maxPoolSize cap over the whole process, the queue of waiters, its health) is its
// DataSourceGate.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <unordered_set>

#include "backend/connection.h"
#include "backend/data_source_gate.h"
#include "backend/gate_set.h"
#include "common/asio.h"
#include "common/status.h"
#include "config/topology.h"

namespace shardproxy::backend {

class Pool final : public GateMember {
 public:
  // `keepWarm`: this pool keeps the data source at minPoolSize open connections.
  Pool(asio::any_io_executor executor, config::DataSource ds, ConnectFlags flags,
       DataSourceGate& gate, bool keepWarm);
  ~Pool() override;

  // An idle connection, a new one, or the next one released (in line with every worker's
  // waiters); fails after the data source's connectionTimeoutMilliseconds, and at once while
  // the data source is down.
  // `preferred`, when it is idle here, is taken first (identity only, never dereferenced).
  awaitable<Result<std::unique_ptr<Connection>>> acquire(const Connection* preferred = nullptr);
  // Gives a connection back; a broken one, or one with unread results, is closed.
  void release(std::unique_ptr<Connection> conn);
  // Closes a connection that holds client state and must not be reused.
  void discard(std::unique_ptr<Connection> conn);

  // Closes idle connections past their idle timeout or lifetime and tops the data source up to
  // its minimum; called periodically by the worker.
  void maintain();
  void closeAll();

  void shedIdle() override;
  void abortAll(const Status& why) override;

  int openCount() const { return static_cast<int>(members_->conns.size()); }
  size_t idleCount() const { return idle_.size(); }
  const config::DataSource& dataSource() const { return ds_; }
  // Whether the data source is marked down (health checks, start-up).
  bool sourceDown() const { return gate_.down(); }

 private:
  // Every open connection of this pool (idle or lent out); gives each one's slot back to the
  // gate when it is destroyed, even after the pool is gone.
  struct Members final : ConnectionOwner {
    explicit Members(DataSourceGate& g) : gate(g) {}
    void closed(Connection* conn) override {
      conns.erase(conn);
      gate.give();
    }
    bool sourceDown() const override { return gate.down(); }
    Status downStatus() const override { return gate.downStatus(); }
    void suspect() override { gate.suspect(); }
    DataSourceGate& gate;
    std::unordered_set<Connection*> conns;
  };

  // Opens a connection with a slot already taken from the gate.
  awaitable<Result<std::unique_ptr<Connection>>> openWithSlot();
  bool usable(Connection& c) const;
  void syncIdle() { idle.store(static_cast<int>(idle_.size()), std::memory_order_relaxed); }

  asio::any_io_executor executor_;
  config::DataSource ds_;
  ConnectFlags flags_;
  DataSourceGate& gate_;
  bool keepWarm_;
  std::shared_ptr<Members> members_;
  std::deque<std::unique_ptr<Connection>> idle_;  // most recently used at the back
  bool closed_ = false;
  Clock::time_point lastConnectFailure_{};
};

// The pools of one worker, keyed by logical database, data source and connect flags.
class PoolSet {
 public:
  PoolSet(asio::any_io_executor executor, GateSet& gates) : executor_(executor), gates_(gates) {}

  Pool& pool(const std::string& database, const config::DataSource& ds, ConnectFlags flags);
  void maintain();
  void closeAll();

 private:
  asio::any_io_executor executor_;
  GateSet& gates_;
  // By logical database, data source name, identity and flags; looked up without copying them.
  std::map<std::tuple<std::string, std::string, std::string, ConnectFlags>, std::unique_ptr<Pool>,
           std::less<>>
      pools_;
};

}  // namespace shardproxy::backend
