#include "frontend/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "admin/statistics_collector.h"
#include "common/log.h"
#include "executor/schema_loader.h"
#include "executor/startup_probe.h"
#include "frontend/session.h"
#include "frontend/tls_context.h"
#include "protocol/framing.h"
#include "protocol/ok_err.h"
#include "txn/coordinator.h"

namespace shardproxy::frontend {

namespace {

constexpr auto kMaintenanceInterval = std::chrono::seconds(1);
constexpr auto kShutdownGrace = std::chrono::seconds(10);
// Threads that parse large statements for all workers: large statements are rare, and a parse
// must not take the cores the workers run on.
constexpr int kParseThreads = 2;

std::string peerAddress(const asio::generic::stream_protocol::endpoint& ep) {
  char buf[INET6_ADDRSTRLEN] = {0};
  const sockaddr* sa = ep.data();
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(sa);
    if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
      inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof buf);
    }
  } else {
    return "localhost";
  }
  return buf;
}

}  // namespace

Worker::Worker(ServerContext& context, int workers)
    : context_(context),
      work_(io_.get_executor()),
      backends_(io_.get_executor(), *context.pools, context.services.topology->props.sqlShow),
      statements_(context.services.topology->statementCacheSize),
      maintenance_(io_) {}

void Worker::start(std::function<void()> onExit) {
  scheduleMaintenance();
  thread_ = std::thread([this, onExit = std::move(onExit)] {
    try {
      io_.run();
    } catch (const std::exception& e) {
      spdlog::critical("worker stopped by an exception: {}", e.what());
    }
    onExit();
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::scheduleMaintenance() {
  maintenance_.expires_after(kMaintenanceInterval);
  maintenance_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || shuttingDown_) return;
    backends_.maintain();
    scheduleMaintenance();
  });
}

void Worker::beginShutdown() {
  asio::post(io_, [this] {
    shuttingDown_ = true;
    maintenance_.cancel();
    // Copy: a session may end (and unregister) while being told to stop.
    std::vector<Session*> sessions(sessions_.begin(), sessions_.end());
    for (Session* s : sessions) s->requestStop();
    if (sessions_.empty()) {
      backends_.closeAll();
      work_.reset();
    }
  });
}

void Worker::remove(Session* s) {
  sessions_.erase(s);
  if (shuttingDown_ && sessions_.empty()) {
    backends_.closeAll();
    work_.reset();
  }
}

Server::Server(std::shared_ptr<const config::Topology> topology, router::RuleSet rules,
               ServerOptions options, std::string serverVersion)
    : io_(), signals_(io_, SIGINT, SIGTERM) {
  executor::Services& services = context_.services;
  services.topology = std::move(topology);
  services.rules = std::move(rules);
  services.memory = std::make_unique<ProcessMemory>(services.topology->props.proxyMemoryLimit);
  for (const auto& [name, rule] : services.rules) {
    if (rule->empty()) continue;
    const config::LogicalDatabase& db = services.topology->databases.at(name);
    services.tables.set(name, executor::loadTableLocations(db, *rule));
    auto started = std::chrono::steady_clock::now();
    metadata::DatabaseSchema schema =
        executor::loadDatabaseSchema(db, *rule, *services.tables.locations(name));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::steady_clock::now() - started)
                  .count();
    spdlog::info("database {}: definitions of {} logical tables read in {} ms", name, schema.size(),
                 ms);
    services.schemas.set(name, std::move(schema));
  }
  context_.options = std::move(options);
  // MariaDB's "5.5.5-" is for old clients reading the greeting; VERSION() goes without it.
  services.serverVersion = serverVersion.substr(serverVersion.rfind("5.5.5-", 0) == 0 ? 6 : 0);
  context_.serverVersion = std::move(serverVersion);
  context_.rsaKey = protocol::RsaKey::generate();
  context_.logins =
      std::make_unique<LoginThrottle>(LoginThrottleSettings::fromProps(services.topology->props));
  context_.parsePool = std::make_unique<asio::thread_pool>(kParseThreads);
  // The XA coordinator log: without it no XA transaction could keep its promise, so the proxy
  // does not start.
  auto coordinator = txn::Coordinator::open(context_.options.dataDir);
  if (!coordinator) throw std::runtime_error(coordinator.status().message());
  services.coordinator = std::move(coordinator.value());
  services.deadlocks = std::make_unique<executor::DeadlockDetector>(
      std::chrono::milliseconds(services.topology->props.proxyDeadlockDetectionMilliseconds));
  // After the coordinator, which holds the data directory's lock: the generated certificate
  // lives there too.
  if (services.topology->props.proxyFrontendSslEnabled) {
    context_.tls = makeTlsContext(services.topology->props, context_.options.dataDir);
  }
  context_.pools = std::make_unique<executor::SharedPools>(*services.topology);
  int n = context_.options.workers;
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  context_.options.workers = n;
  for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(context_, n));
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  // A parse still running hands its result to a worker's io_context: finish before they go.
  context_.parsePool->join();
}

void Server::run() {
  using generic = asio::generic::stream_protocol;
  const ServerOptions& o = context_.options;
  {
    auto address = asio::ip::make_address(o.bindAddress);
    asio::ip::tcp::endpoint tcpEndpoint(address, o.port);
    auto acceptor = std::make_unique<Acceptor>(io_);
    generic::endpoint ep(tcpEndpoint);
    acceptor->open(ep.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(ep);
    acceptor->listen(asio::socket_base::max_listen_connections);
    acceptors_.push_back(std::move(acceptor));
    spdlog::info("listening on {}:{}", o.bindAddress, o.port);
  }
  if (!o.unixSocket.empty()) {
    ::unlink(o.unixSocket.c_str());
    asio::local::stream_protocol::endpoint unixEndpoint(o.unixSocket);
    auto acceptor = std::make_unique<Acceptor>(io_);
    generic::endpoint ep(unixEndpoint);
    acceptor->open(ep.protocol());
    acceptor->bind(ep);
    acceptor->listen(asio::socket_base::max_listen_connections);
    ::chmod(o.unixSocket.c_str(), 0777);
    acceptors_.push_back(std::move(acceptor));
    spdlog::info("listening on unix socket {}", o.unixSocket);
  }
  running_ = workers_.size();
  for (auto& w : workers_) {
    w->start([this] {
      std::lock_guard lock(runningMutex_);
      --running_;
      runningChanged_.notify_all();
    });
  }
  // XA recovery now and then periodically, on the first worker; it never blocks client work.
  asio::co_spawn(
      workers_.front()->io(),
      context_.services.coordinator->recoveryLoop(*context_.services.topology, context_.stopping),
      asio::detached);
  // Backend health checks, on the first worker: they only wait on the network.
  context_.pools->startHealthChecks(
      workers_.front()->io().get_executor(),
      executor::HealthCheckSettings::fromProps(context_.services.topology->props),
      context_.stopping);
  // sharding_table_statistics, collected in the background on the first worker.
  asio::co_spawn(workers_.front()->io(),
                 admin::collectStatisticsLoop(*context_.services.topology, context_.services.rules,
                                              context_.state.systemTables, context_.stopping),
                 asio::detached);
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    bool isUnix = !o.unixSocket.empty() && i == acceptors_.size() - 1;
    asio::co_spawn(io_, acceptLoop(*acceptors_[i], isUnix), asio::detached);
  }
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    spdlog::info("signal {} received: shutting down", sig);
    shutdown();
  });
  io_.run();
  // Shutting down: workers end once their sessions are gone; a statement that does not finish
  // within the grace period is aborted with its worker.
  bool finished;
  {
    std::unique_lock lock(runningMutex_);
    finished = runningChanged_.wait_for(lock, kShutdownGrace, [this] { return running_ == 0; });
  }
  if (!finished) {
    // Statements still running after the grace period are abandoned: the process ends here
    // and the kernel closes every connection (backends roll back what was not committed).
    spdlog::warn("shutdown: in-flight statements did not finish within {} s; exiting",
                 std::chrono::duration_cast<std::chrono::seconds>(kShutdownGrace).count());
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  if (!o.unixSocket.empty()) ::unlink(o.unixSocket.c_str());
  spdlog::info("stopped");
}

void Server::shutdown() {
  context_.stopping = true;
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
  for (auto& w : workers_) w->beginShutdown();
  io_.stop();
}

awaitable<void> Server::acceptLoop(Acceptor& acceptor, bool unix) {
  for (;;) {
    Worker& worker = *workers_[nextWorker_++ % workers_.size()];
    boost::system::error_code ec;
    auto socket =
        co_await acceptor.async_accept(worker.io(), asio::redirect_error(use_awaitable, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || context_.stopping) co_return;
      spdlog::warn("accept failed: {}", ec.message());
      if (ec == asio::error::no_descriptors) {
        asio::steady_timer t(io_, std::chrono::milliseconds(100));
        co_await t.async_wait(use_awaitable);
      }
      continue;
    }
    std::string peer = "localhost";
    if (!unix) {
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      auto remote = socket.remote_endpoint(ec);
      if (!ec) peer = peerAddress(remote);
    }
    int limit = context_.services.topology->props.proxyFrontendMaxConnections;
    int current = context_.state.connections.fetch_add(1) + 1;
    // One connection past the limit is let in for an admin user (checked once the user is
    // known), as MySQL keeps one for SUPER.
    if (limit > 0 && current > limit + 1) {
      context_.state.connections.fetch_sub(1);
      asio::co_spawn(worker.io(), refuse(std::move(socket)), asio::detached);
      continue;
    }
    bool reserved = limit > 0 && current > limit;
    asio::co_spawn(
        worker.io(),
        [&worker, socket = std::move(socket), peer = std::move(peer), unix,
         reserved]() mutable -> awaitable<void> {
          Session session(worker, std::move(socket), std::move(peer), unix, reserved);
          co_await session.run();
        },
        [](std::exception_ptr e) {
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& ex) {
            spdlog::error("session ended by an exception: {}", ex.what());
          }
        });
  }
}

awaitable<void> Server::refuse(asio::generic::stream_protocol::socket socket) {
  // As MySQL does when it is full: an ERR in place of the greeting, then close.
  std::string payload;
  protocol::encodeErr(payload, protocol::ErrPacket{er::kConCount, "08004", "Too many connections"});
  std::string out;
  uint8_t seq = 0;
  protocol::appendPacket(out, payload, seq);
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(use_awaitable, ec));
  socket.shutdown(asio::socket_base::shutdown_both, ec);
}

}  // namespace shardproxy::frontend
