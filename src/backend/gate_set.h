// The process's DataSourceGates, one per data source of every logical database, and the health
// check that watches each one's server.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
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

class GateSet {
 public:
  GateSet() = default;
  explicit GateSet(const config::Topology& topology);

  // The gate of `ds` in `database`; made on first use for a data source the topology did not
  // list (tests), which then has no health check.
  DataSourceGate& get(const std::string& database, const config::DataSource& ds);

  // Starts one health check per data source on `executor`; each ends once `stopping` is set.
  void startHealthChecks(asio::any_io_executor executor, HealthCheckSettings settings,
                         const std::atomic<bool>& stopping);

 private:
  struct Entry {
    std::unique_ptr<DataSourceGate> gate;
    config::DataSource ds;
  };
  std::mutex mutex_;  // taken only when a worker makes a pool
  std::map<std::pair<std::string, std::string>, Entry> gates_;
};

// Pings the server of `ds` every interval on a connection of its own (which does not count
// against maxPoolSize and has no default database); no answer within the timeout marks the gate
// down, an answer (even an error from the server) marks it up.
awaitable<void> checkHealth(DataSourceGate& gate, config::DataSource ds,
                            HealthCheckSettings settings, const std::atomic<bool>& stopping);

}  // namespace shardproxy::backend
