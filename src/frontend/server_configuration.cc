// The configuration in force: what the server reads from the backends when a configuration
// comes into force (table locations and definitions), the background thread that reloads the
// configuration on SIGHUP and reads the metadata of servers that were silent, and the snapshot
// sessions take (ServerContext::services).
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/log.h"
#include "executor/schema_loader.h"
#include "executor/startup_probe.h"
#include "frontend/server.h"
#include "router/sharding_rule.h"

namespace shardproxy::frontend {

namespace {

// Servers that did not answer are asked again this often (a greeting read each).
constexpr auto kSilentServerRetry = std::chrono::seconds(2);
constexpr auto kSilentServerProbeTimeout = std::chrono::seconds(1);

// The props the process reads once, at start-up, that differ between `a` and `b`.
std::vector<std::string> startOnlyChanges(const config::Props& a, const config::Props& b) {
  std::vector<std::string> out;
  auto check = [&out](const char* name, bool differs) {
    if (differs) out.emplace_back(name);
  };
  check("proxy-default-port", a.proxyDefaultPort != b.proxyDefaultPort);
  check("proxy-frontend-executor-size", a.proxyFrontendExecutorSize != b.proxyFrontendExecutorSize);
  check("proxy-frontend-max-connections",
        a.proxyFrontendMaxConnections != b.proxyFrontendMaxConnections);
  check("sql-show (the actual SQL)", a.sqlShow != b.sqlShow);
  check("proxy-memory-limit", a.proxyMemoryLimit != b.proxyMemoryLimit);
  check("proxy-frontend-ssl-enabled", a.proxyFrontendSslEnabled != b.proxyFrontendSslEnabled);
  check("proxy-frontend-ssl-version", a.proxyFrontendSslVersions != b.proxyFrontendSslVersions);
  check("proxy-frontend-ssl-cipher", a.proxyFrontendSslCiphers != b.proxyFrontendSslCiphers);
  check("proxy-frontend-ssl-cert", a.proxyFrontendSslCert != b.proxyFrontendSslCert);
  check("proxy-frontend-ssl-key", a.proxyFrontendSslKey != b.proxyFrontendSslKey);
  check("proxy-frontend-ssl-host-names",
        a.proxyFrontendSslHostNames != b.proxyFrontendSslHostNames);
  check("proxy-frontend-login-*",
        a.proxyFrontendLoginFailuresBeforeDelay != b.proxyFrontendLoginFailuresBeforeDelay ||
            a.proxyFrontendLoginMinDelayMilliseconds != b.proxyFrontendLoginMinDelayMilliseconds ||
            a.proxyFrontendLoginMaxDelayMilliseconds != b.proxyFrontendLoginMaxDelayMilliseconds ||
            a.proxyFrontendLoginFailuresBeforeBlock != b.proxyFrontendLoginFailuresBeforeBlock ||
            a.proxyFrontendLoginBlockSeconds != b.proxyFrontendLoginBlockSeconds ||
            a.proxyFrontendLoginTrackedAccounts != b.proxyFrontendLoginTrackedAccounts);
  check("proxy-meta-data-collector-*",
        a.proxyMetaDataCollectorEnabled != b.proxyMetaDataCollectorEnabled ||
            a.proxyMetaDataCollectorIntervalSeconds != b.proxyMetaDataCollectorIntervalSeconds);
  check("proxy-backend-health-check-*", a.proxyBackendHealthCheckIntervalMilliseconds !=
                                                b.proxyBackendHealthCheckIntervalMilliseconds ||
                                            a.proxyBackendHealthCheckTimeoutMilliseconds !=
                                                b.proxyBackendHealthCheckTimeoutMilliseconds);
  check("proxy-deadlock-detection-milliseconds",
        a.proxyDeadlockDetectionMilliseconds != b.proxyDeadlockDetectionMilliseconds);
  check("proxy-metrics-port", a.proxyMetricsPort != b.proxyMetricsPort);
  check("proxy-metrics-host", a.proxyMetricsHost != b.proxyMetricsHost);
  check("proxy-shutdown-delay-seconds", a.proxyShutdownDelaySeconds != b.proxyShutdownDelaySeconds);
  check("proxy-shutdown-grace-seconds", a.proxyShutdownGraceSeconds != b.proxyShutdownGraceSeconds);
  return out;
}

}  // namespace

std::shared_ptr<executor::Services> ServerContext::services() const {
  std::lock_guard lock(servicesMutex_);
  return services_;
}

void ServerContext::publish(std::shared_ptr<executor::Services> next) {
  uint64_t generation = next->generation;
  {
    std::lock_guard lock(servicesMutex_);
    services_ = std::move(next);
  }
  this->generation.store(generation, std::memory_order_release);
}

void Server::markSilentDown(const config::Topology& topology,
                            const executor::Reachability& reachable) {
  // Down from the first statement on (a clear error at once rather than a connect timeout),
  // until a health check hears from it; without health checks nothing would say it is back.
  if (initial_->topology->props.proxyBackendHealthCheckIntervalMilliseconds <= 0) return;
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      if (reachable.answers(ds)) continue;
      context_.pools->get(name, ds).markDown(
          Status(er::kCrConnHostError, "HY000",
                 "data source " + ds.name + " (" + ds.host + ":" + std::to_string(ds.port) +
                     ") is not answering (it did not answer when the configuration was "
                     "loaded); its statements fail until it answers again"));
    }
  }
}

void Server::loadMetadata(executor::Services& services, const std::string& name,
                          const executor::Reachability& reachable) {
  const router::ShardingRule& rule = *services.rules.at(name);
  const config::LogicalDatabase& db = services.topology->databases.at(name);
  services.tables.set(name, executor::loadTableLocations(db, rule, reachable));
  auto started = std::chrono::steady_clock::now();
  metadata::DatabaseSchema schema =
      executor::loadDatabaseSchema(db, rule, *services.tables.locations(name), reachable);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started)
                .count();
  spdlog::info("database {}: definitions of {} logical tables read in {} ms", name, schema.size(),
               ms);
  services.schemas.set(name, std::move(schema));
}

void Server::background() {
  // The databases of the configuration in force whose metadata misses a data source, by the
  // data sources still missing.
  auto missing = [this](const executor::Services& services) {
    std::map<std::string, std::set<std::string>> out;
    for (const auto& [name, rule] : services.rules) {
      if (rule->empty()) continue;
      for (const config::DataSource& ds : services.topology->databases.at(name).dataSources) {
        if (!reachable_.answers(ds)) out[name].insert(ds.name);
      }
    }
    return out;
  };
  for (;;) {
    bool reload = false;
    {
      std::unique_lock lock(runningMutex_);
      runningChanged_.wait_for(lock, kSilentServerRetry,
                               [this] { return context_.stopping.load() || reloadRequested_; });
      if (context_.stopping) return;
      reload = std::exchange(reloadRequested_, false);
    }
    if (reload) {
      this->reload();
      continue;
    }
    std::shared_ptr<executor::Services> current = context_.services();
    auto before = missing(*current);
    if (before.empty()) continue;
    reachable_.probeSilent(*current->topology, kSilentServerProbeTimeout);
    auto now = missing(*current);
    for (const auto& [name, dataSources] : before) {
      auto still = now.find(name);
      if (still != now.end() && still->second == dataSources) continue;
      spdlog::info(
          "database {}: reading the metadata again, now that more of its data sources answer",
          name);
      loadMetadata(*current, name, reachable_);
    }
  }
}

void Server::reload() {
  const std::string& dir = context_.options.confDir;
  spdlog::info("reloading the configuration from {}", dir);
  std::shared_ptr<const config::Topology> topology;
  try {
    topology = config::loadTopology(dir);
  } catch (const std::exception& e) {
    spdlog::error("reload refused, the configuration in force stays: {}", e.what());
    return;
  }
  auto rules = router::buildRules(*topology, context_.options.workerId);
  if (!rules) {
    spdlog::error("reload refused, the configuration in force stays: {}", rules.status().message());
    return;
  }
  for (const auto& w : topology->warnings) spdlog::warn("{}", w);
  std::shared_ptr<executor::Services> current = context_.services();
  for (const std::string& prop : startOnlyChanges(initial_->topology->props, topology->props)) {
    spdlog::warn(
        "reload: props.{} changed; it is read at start-up and takes effect at the next "
        "start",
        prop);
  }
  auto next = std::make_shared<executor::Services>();
  next->topology = topology;
  next->generation = current->generation + 1;
  next->rules = std::move(*rules);
  next->coordinator = current->coordinator;
  next->memory = current->memory;
  next->deadlocks = current->deadlocks;
  next->serverVersion = current->serverVersion;
  // Asked afresh: servers may have come or gone since start-up.
  reachable_ = executor::Reachability::probe(*topology, std::chrono::seconds(2));
  for (const auto& [name, rule] : next->rules) {
    if (!rule->empty()) loadMetadata(*next, name, reachable_);
  }
  context_.pools->add(*topology);
  markSilentDown(*topology, reachable_);
  context_.pools->startHealthChecks(
      workers_.front()->io().get_executor(),
      executor::HealthCheckSettings::fromProps(initial_->topology->props), context_.stopping);
  context_.publish(next);
  spdlog::info(
      "configuration {} in force: {} logical databases; sessions move to it between "
      "statements, outside transactions",
      next->generation, topology->databases.size());
}

void Server::waitForReload() {
  reloadSignal_.async_wait([this](const boost::system::error_code& ec, int) {
    if (ec) return;
    {
      std::lock_guard lock(runningMutex_);
      reloadRequested_ = true;
    }
    runningChanged_.notify_all();
    waitForReload();
  });
}

}  // namespace shardproxy::frontend
