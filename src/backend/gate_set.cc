#include "backend/gate_set.h"

#include "backend/connection.h"
#include "common/log.h"

namespace shardproxy::backend {

namespace {

// Data sources made by hand (tests) have no identity set.
std::string identity(const config::DataSource& ds) {
  return ds.identity.empty() ? config::identityOf(ds) : ds.identity;
}

}  // namespace

GateSet::GateSet(const config::Topology& topology) { add(topology); }

void GateSet::add(const config::Topology& topology) {
  std::lock_guard lock(mutex_);
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      Entry& e = gates_[{name, ds.name, identity(ds)}];
      if (e.gate) continue;
      e.gate = std::make_unique<DataSourceGate>(ds.name, ds.maxPoolSize, ds.minPoolSize);
      e.ds = ds;
    }
  }
}

DataSourceGate& GateSet::get(const std::string& database, const config::DataSource& ds) {
  std::lock_guard lock(mutex_);
  Entry& e = gates_[{database, ds.name, identity(ds)}];
  if (!e.gate) {
    e.gate = std::make_unique<DataSourceGate>(ds.name, ds.maxPoolSize, ds.minPoolSize);
    e.ds = ds;
    e.checked = true;  // listed by no topology: no health check
  }
  return *e.gate;
}

void GateSet::startHealthChecks(asio::any_io_executor executor, HealthCheckSettings settings,
                                const std::atomic<bool>& stopping) {
  if (settings.intervalMs <= 0) return;
  std::lock_guard lock(mutex_);
  for (auto& [key, e] : gates_) {
    if (e.checked) continue;
    e.checked = true;
    asio::co_spawn(executor, checkHealth(*e.gate, e.ds, settings, stopping), asio::detached);
  }
}

namespace {
// Can't connect, unknown host, server gone or lost, no answer in time: the server does not
// answer. Anything else is an answer, if an unwelcome one (access denied, too many connections,
// a failed TLS handshake): the sessions' own connects then report it as it is.
bool unanswered(const Status& s) {
  switch (s.code()) {
    case er::kCrConnectionError:
    case er::kCrConnHostError:
    case 2005:  // CR_UNKNOWN_HOST
    case er::kCrServerGone:
    case er::kCrServerLost:
      return true;
    default:
      return false;
  }
}
}  // namespace

awaitable<void> checkHealth(DataSourceGate& gate, config::DataSource ds,
                            HealthCheckSettings settings, const std::atomic<bool>& stopping) {
  auto executor = co_await asio::this_coro::executor;
  // Shared with the wake-up a session may post (suspect()), which can run after this ends.
  auto timer = std::make_shared<asio::steady_timer>(executor);
  gate.setChecker(executor, [timer] { timer->cancel(); });
  const auto timeout = std::chrono::milliseconds(settings.timeoutMs);
  std::unique_ptr<Connection> conn;
  while (!stopping.load()) {
    Status s;
    if (!conn) {
      conn = std::make_unique<Connection>(executor, ds.name);
      s = co_await conn->connect(ds, ConnectFlags{false, true}, settings.timeoutMs);
    } else {
      auto deadline = Clock::now() + timeout;
      s = co_await conn->ping(deadline);
      if (!s && Clock::now() >= deadline) {
        s = makeError(er::kCrServerLost,
                      "no answer to a ping within " + std::to_string(settings.timeoutMs) + " ms");
      } else if (!s) {
        // The check's connection was lost (killed on the server, or the server restarted): that
        // says nothing of whether the server answers now, so a new connection asks again.
        conn = std::make_unique<Connection>(executor, ds.name);
        s = co_await conn->connect(ds, ConnectFlags{false, true}, settings.timeoutMs);
      }
    }
    if (!s) conn.reset();
    if (s.isOk() || !unanswered(s)) {
      if (gate.down()) spdlog::info("data source {}: answering again", ds.name);
      gate.markUp();
    } else {
      if (!gate.down()) spdlog::warn("data source {}: not answering ({})", ds.name, s.message());
      std::string why = s.message();
      std::string prefix = "data source " + ds.name + ": ";
      if (why.compare(0, prefix.size(), prefix) == 0) why.erase(0, prefix.size());
      gate.markDown(makeError(er::kCrConnHostError,
                              "data source " + ds.name + " (" + ds.host + ":" +
                                  std::to_string(ds.port) + ") is not answering (health check: " +
                                  why + "); its statements fail until it answers again"));
    }
    if (stopping.load()) break;
    timer->expires_after(std::chrono::milliseconds(settings.intervalMs));
    boost::system::error_code ec;
    co_await timer->async_wait(asio::redirect_error(use_awaitable, ec));
  }
  gate.setChecker(executor, nullptr);
}

}  // namespace shardproxy::backend
