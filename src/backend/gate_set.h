// The process's DataSourceGates, one per data source of every logical database, and the health
// check that watches each one's server.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>

#include "backend/data_source_gate.h"
#include "common/asio.h"
#include "config/topology.h"

namespace shardproxy::backend {

struct HealthCheckSettings {
  int intervalMs = 1000;  // 0: no checks
  int timeoutMs = 2000;
  static HealthCheckSettings fromProps(const config::Props& props) {
    return {props.proxyBackendHealthCheckIntervalMilliseconds,
            props.proxyBackendHealthCheckTimeoutMilliseconds};
  }
};

// Gates and pools are keyed by logical database, data source name and the data source's
// identity (config::DataSource::identity: where and as whom it connects, and the pool's
// settings). A reloaded configuration that changes any of it gets a new gate and new pools;
// sessions still on the old configuration keep the old ones until they move on.
class GateSet {
 public:
  GateSet() = default;
  explicit GateSet(const config::Topology& topology);

  // Adds a gate for every data source of `topology` that has none yet (a reloaded
  // configuration); startHealthChecks() then starts their checks.
  void add(const config::Topology& topology);

  // The gate of `ds` in `database`; made on first use for a data source no topology listed
  // (tests), which then has no health check.
  DataSourceGate& get(const std::string& database, const config::DataSource& ds);

  // Starts one health check on `executor` per data source that has none running yet; each ends
  // once `stopping` is set.
  void startHealthChecks(asio::any_io_executor executor, HealthCheckSettings settings,
                         const std::atomic<bool>& stopping);

 private:
  struct Entry {
    std::unique_ptr<DataSourceGate> gate;
    config::DataSource ds;
    bool checked = false;  // its health check runs
  };
  using Key = std::tuple<std::string, std::string, std::string>;  // database, name, identity
  std::mutex mutex_;  // taken only when a worker makes a pool
  std::map<Key, Entry> gates_;
};

// Pings the server of `ds` every interval on a connection of its own (which does not count
// against maxPoolSize and has no default database); no answer within the timeout marks the gate
// down, an answer (even an error from the server) marks it up.
awaitable<void> checkHealth(DataSourceGate& gate, config::DataSource ds,
                            HealthCheckSettings settings, const std::atomic<bool>& stopping);

}  // namespace shardproxy::backend
