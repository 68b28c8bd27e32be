#include "frontend/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

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
// After the grace period, sessions stopped then get this long to roll back and close.
constexpr auto kForcedStopWait = std::chrono::seconds(5);
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

// Client connections that fit in the open-files limit next to every backend pool at its maximum
// (and each data source's health check connection) and the proxy's own descriptors (listeners,
// one event loop per worker, the parse threads, the XA log's files); 0 when there is no limit.
int clientsWithinDescriptorLimit(const config::Topology& topology, int workers) {
  rlimit rl{};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) return 0;
  long backends = 0;
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) backends += ds.maxPoolSize + 1;
  }
  long own = 64 + 4L * workers;
  long room = static_cast<long>(rl.rlim_cur) - backends - own;
  int limit = static_cast<int>(std::clamp(room, 1L, long{INT32_MAX}));
  spdlog::info(
      "open-files limit {}: room for {} client connections (next to {} for the backend "
      "pools at their maximum)",
      rl.rlim_cur, limit, backends);
  if (room < 16) {
    spdlog::warn(
        "the open-files limit ({}) leaves almost no room for clients: raise it (ulimit "
        "-n) or lower the pools' maxPoolSize",
        rl.rlim_cur);
  }
  return limit;
}

}  // namespace

Worker::Worker(ServerContext& context, int workers)
    : context_(context),
      work_(io_.get_executor()),
      backends_(io_.get_executor(), *context.pools, context.services()->topology->props.sqlShow),
      statements_(context.services()->topology->statementCacheSize),
      maintenance_(io_) {}

void Worker::start(std::function<void()> onExit) {
  lastTurn_.store(std::chrono::steady_clock::now().time_since_epoch().count());
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
    lastTurn_.store(std::chrono::steady_clock::now().time_since_epoch().count(),
                    std::memory_order_relaxed);
    backends_.maintain();
    scheduleMaintenance();
  });
}

void Worker::beginDrain() {
  asio::post(io_, [this] {
    shuttingDown_ = true;
    maintenance_.cancel();
    // Copy: a session may end (and unregister) while being told to drain.
    std::vector<Session*> sessions(sessions_.begin(), sessions_.end());
    for (Session* s : sessions) s->drain();
    if (sessions_.empty()) {
      backends_.closeAll();
      work_.reset();
    }
  });
}

void Worker::beginShutdown() {
  asio::post(io_, [this] {
    shuttingDown_ = true;
    maintenance_.cancel();
    // Copy: a session may end (and unregister) while being told to stop.
    std::vector<Session*> sessions(sessions_.begin(), sessions_.end());
    for (Session* s : sessions) s->killedBy(true);
    if (sessions_.empty()) {
      backends_.closeAll();
      work_.reset();
    }
  });
}

void Worker::add(Session* s) {
  sessions_.insert(s);
  // Accepted just before the listeners closed: it drains like the others.
  if (shuttingDown_) s->drain();
}

void Worker::remove(Session* s) {
  sessions_.erase(s);
  if (shuttingDown_ && sessions_.empty()) {
    backends_.closeAll();
    work_.reset();
  }
}

Server::Server(std::shared_ptr<const config::Topology> topology, router::RuleSet rules,
               ServerOptions options, std::string serverVersion, executor::Reachability reachable)
    : io_(),
      signals_(io_, SIGINT, SIGTERM),
      shutdownTimer_(io_),
      reachable_(std::move(reachable)),
      initial_(std::make_shared<executor::Services>()),
      reloadSignal_(io_, SIGHUP) {
  executor::Services& services = *initial_;
  services.topology = std::move(topology);
  services.rules = std::move(rules);
  services.memory = std::make_shared<ProcessMemory>(services.topology->props.proxyMemoryLimit);
  for (const auto& [name, rule] : services.rules) {
    if (!rule->empty()) loadMetadata(services, name, reachable_);
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
  // Before recovery runs (Server::run): a second process with our worker id or on a copy of our
  // data directory is refused here, with exit code 1.
  context_.state.workerId = context_.options.workerId.value_or(0);
  std::vector<executor::ClaimedName> claimed;
  if (context_.options.workerId) {
    claimed.push_back(executor::workerClaim(*context_.options.workerId));
  }
  claimed.push_back(executor::xaInstanceClaim(services.coordinator->xids().instance()));
  auto claim = executor::InstanceClaim::take(*services.topology, std::move(claimed));
  if (!claim) throw std::runtime_error(claim.status().message());
  context_.claim = std::move(claim.value());
  services.deadlocks = std::make_shared<executor::DeadlockDetector>(
      std::chrono::milliseconds(services.topology->props.proxyDeadlockDetectionMilliseconds));
  // After the coordinator, which holds the data directory's lock: the generated certificate
  // lives there too.
  if (services.topology->props.proxyFrontendSslEnabled) {
    context_.tls = makeTlsContext(services.topology->props, context_.options.dataDir);
  }
  context_.pools = std::make_unique<executor::SharedPools>(*services.topology);
  markSilentDown(*services.topology, reachable_);
  context_.publish(initial_);
  int n = context_.options.workers;
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  context_.options.workers = n;
  descriptorClientLimit_ = clientsWithinDescriptorLimit(*services.topology, n);
  spareDescriptor_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(context_, n));
}

Server::~Server() {
  if (background_.joinable()) {
    {
      std::lock_guard lock(runningMutex_);
      context_.stopping = true;
    }
    runningChanged_.notify_all();
    background_.join();
  }
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  // A parse still running hands its result to a worker's io_context: finish before they go.
  context_.parsePool->join();
}

void Server::run() {
  using generic = asio::generic::stream_protocol;
  const ServerOptions& o = context_.options;
  if (o.metricsPort != 0) {
    // Bound first: a port clash stops the start before the MySQL port is taken. It answers
    // once io_ runs; /readyz says 503 until setReady(true) below.
    admin::HttpRoutes routes;
    routes.add("/livez", [this] { return admin::livez(healthSnapshot()); });
    routes.add("/readyz", [this] { return admin::readyz(healthSnapshot()); });
    // (/metrics goes here.)
    http_ =
        std::make_unique<admin::HttpListener>(io_, o.metricsHost, o.metricsPort, std::move(routes));
    http_->start();
    spdlog::info("health HTTP listening on {}:{}", o.metricsHost, http_->port());
  }
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
    acceptors_.push_back(listenOnUnixSocket(o.unixSocket, o.unixSocketMode));
    spdlog::info("listening on unix socket {} (mode {:04o})", o.unixSocket, o.unixSocketMode);
  }
  running_ = workers_.size();
  for (auto& w : workers_) {
    w->start([this] {
      std::lock_guard lock(runningMutex_);
      // Every session drained: the listener loop has nothing left to wait for.
      if (--running_ == 0) io_.stop();
      runningChanged_.notify_all();
    });
  }
  background_ = std::thread([this] { background(); });
  // XA recovery now and then periodically, on the first worker; it never blocks client work.
  asio::co_spawn(workers_.front()->io(),
                 initial_->coordinator->recoveryLoop(*initial_->topology, context_.stopping),
                 asio::detached);
  // Backend health checks, on the first worker: they only wait on the network.
  context_.pools->startHealthChecks(
      workers_.front()->io().get_executor(),
      executor::HealthCheckSettings::fromProps(initial_->topology->props), context_.stopping);
  // sharding_table_statistics, collected in the background on the first worker.
  asio::co_spawn(workers_.front()->io(),
                 admin::collectStatisticsLoop(*initial_->topology, initial_->rules,
                                              context_.state.systemTables, context_.stopping),
                 asio::detached);
  for (size_t i = 0; i < acceptors_.size(); ++i) {
    bool isUnix = !o.unixSocket.empty() && i == acceptors_.size() - 1;
    asio::co_spawn(io_, acceptLoop(*acceptors_[i], isUnix), asio::detached);
  }
  // The configuration and metadata are loaded (constructor) and the listeners accept.
  setReady(true);
  waitForSignal();
  waitForReload();
  io_.run();
  // A probe now gets a refusal rather than waiting on a loop that no longer runs.
  if (http_) http_->close();
  // The listener loop ends once every worker's has (their sessions are gone) or the grace period
  // is over. Sessions stopped at its end get a moment to roll back and close.
  bool finished;
  {
    std::unique_lock lock(runningMutex_);
    finished = runningChanged_.wait_for(lock, kForcedStopWait, [this] { return running_ == 0; });
  }
  if (!finished) {
    // What is still running is abandoned: the process ends here and the kernel closes every
    // connection (backends roll back what was not committed; XA decisions are in the log).
    spdlog::warn("shutdown: sessions still running {} s after the grace period; exiting",
                 std::chrono::duration_cast<std::chrono::seconds>(kForcedStopWait).count());
    spdlog::default_logger()->flush();
    std::_Exit(0);
  }
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
  if (background_.joinable()) background_.join();
  if (!o.unixSocket.empty()) ::unlink(o.unixSocket.c_str());
  spdlog::info("stopped");
}

void Server::setReady(bool ready) {
  context_.readiness = ready ? admin::Readiness::kReady : admin::Readiness::kStopping;
}

admin::HealthSnapshot Server::healthSnapshot() {
  admin::HealthSnapshot s;
  s.readiness = context_.readiness.load();
  s.workers = static_cast<int>(workers_.size());
  // A worker stops its maintenance when it shuts down: only a serving one can be stalled.
  if (s.readiness != admin::Readiness::kStopping) {
    auto now = std::chrono::steady_clock::now();
    for (const auto& w : workers_) {
      auto last = w->lastTurn();
      bool started = last.time_since_epoch().count() != 0;
      if (started && now - last > admin::kStalledAfter) ++s.stalledWorkers;
    }
  }
  s.dataSources = admin::dataSourceHealth(*context_.services()->topology, *context_.pools);
  return s;
}

std::unique_ptr<Acceptor> Server::listenOnUnixSocket(const std::string& path, unsigned mode) {
  using generic = asio::generic::stream_protocol;
  struct stat st {};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode)) {
      throw std::runtime_error("--socket " + path + " exists and is not a socket; not replaced");
    }
    // A socket file outlives the process that made it (a crash, SIGKILL): it is stale when
    // nothing answers on it.
    asio::io_context probe;
    asio::local::stream_protocol::socket client(probe);
    boost::system::error_code ec;
    client.connect(asio::local::stream_protocol::endpoint(path), ec);
    if (!ec) {
      throw std::runtime_error("--socket " + path +
                               " is in use by another process (it accepts connections)");
    }
    spdlog::info("unix socket {}: replacing a stale socket file ({})", path, ec.message());
    ::unlink(path.c_str());
  }
  asio::local::stream_protocol::endpoint unixEndpoint(path);
  auto acceptor = std::make_unique<Acceptor>(io_);
  generic::endpoint ep(unixEndpoint);
  acceptor->open(ep.protocol());
  acceptor->bind(ep);
  acceptor->listen(asio::socket_base::max_listen_connections);
  if (::chmod(path.c_str(), mode) != 0) {
    throw std::runtime_error("--socket " + path + ": cannot set mode " + std::to_string(mode));
  }
  return acceptor;
}

void Server::waitForSignal() {
  signals_.async_wait([this](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    if (!context_.shuttingDown) {
      spdlog::info(
          "signal {} received: shutting down (readiness off; listeners close in {} s; "
          "sessions get {} s to finish their statements and transactions)",
          sig, shutdownDelay().count(), shutdownGrace().count());
      beginShutdown();
    } else {
      spdlog::info("signal {} received again: stopping what is still running", sig);
      forceStop();
    }
    waitForSignal();
  });
}

std::chrono::seconds Server::shutdownDelay() const {
  return std::chrono::seconds(initial_->topology->props.proxyShutdownDelaySeconds);
}

std::chrono::seconds Server::shutdownGrace() const {
  return std::chrono::seconds(initial_->topology->props.proxyShutdownGraceSeconds);
}

void Server::beginShutdown() {
  setReady(false);  // first: the platform stops sending clients before anything else changes
  context_.shuttingDown = true;
  // New clients are still taken while a load balancer learns that this instance is not ready.
  shutdownTimer_.expires_after(shutdownDelay());
  shutdownTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (!ec) stopAccepting();
  });
}

void Server::stopAccepting() {
  if (!accepting_) return;
  accepting_ = false;
  {
    std::lock_guard lock(runningMutex_);
    context_.stopping = true;
  }
  runningChanged_.notify_all();
  for (auto& a : acceptors_) {
    boost::system::error_code ec;
    a->close(ec);
  }
  spdlog::info("shutdown: listeners closed; {} sessions draining",
               context_.state.connections.load());
  for (auto& w : workers_) w->beginDrain();
  shutdownTimer_.expires_after(shutdownGrace());
  shutdownTimer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec) return;
    spdlog::warn("shutdown: the grace period is over; stopping {} sessions",
                 context_.state.connections.load());
    forceStop();
  });
}

void Server::forceStop() {
  context_.shuttingDown = true;
  stopAccepting();
  shutdownTimer_.cancel();
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
      if (ec == asio::error::no_descriptors) {
        refuseWithSpareDescriptor(acceptor);
      } else {
        spdlog::warn("accept failed: {}", ec.message());
      }
      continue;
    }
    std::string peer = "localhost";
    if (!unix) {
      socket.set_option(asio::ip::tcp::no_delay(true), ec);
      auto remote = socket.remote_endpoint(ec);
      if (!ec) peer = peerAddress(remote);
    }
    int limit = initial_->topology->props.proxyFrontendMaxConnections;
    int current = context_.state.connections.fetch_add(1) + 1;
    // Past what the open-files limit leaves room for, a client is refused at once: its backend
    // connections would fail with "too many open files" in the middle of its statements.
    if (descriptorClientLimit_ > 0 && current > descriptorClientLimit_) {
      context_.state.connections.fetch_sub(1);
      asio::co_spawn(worker.io(), refuse(std::move(socket)), asio::detached);
      continue;
    }
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

namespace {

std::string tooManyConnections() {
  // As MySQL does when it is full: an ERR in place of the greeting, then close.
  std::string payload;
  protocol::encodeErr(payload, protocol::ErrPacket{er::kConCount, "08004", "Too many connections"});
  std::string out;
  uint8_t seq = 0;
  protocol::appendPacket(out, payload, seq);
  return out;
}

}  // namespace

void Server::refuseWithSpareDescriptor(Acceptor& acceptor) {
  if (spareDescriptor_ >= 0) {
    ::close(spareDescriptor_);
    spareDescriptor_ = -1;
  }
  int fd = ::accept4(acceptor.native_handle(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (fd >= 0) {
    static const std::string refusal = tooManyConnections();
    // A few dozen bytes into an empty socket buffer: the write does not block.
    [[maybe_unused]] ssize_t sent = ::send(fd, refusal.data(), refusal.size(), MSG_NOSIGNAL);
    ::close(fd);
  }
  spareDescriptor_ = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  auto now = std::chrono::steady_clock::now();
  if (now - lastDescriptorWarning_ > std::chrono::seconds(10)) {
    lastDescriptorWarning_ = now;
    spdlog::warn(
        "out of file descriptors (the open-files limit): clients are refused with "
        "1040 until some close");
  }
}

awaitable<void> Server::refuse(asio::generic::stream_protocol::socket socket) {
  std::string out = tooManyConnections();
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(use_awaitable, ec));
  socket.shutdown(asio::socket_base::shutdown_both, ec);
}

}  // namespace shardproxy::frontend
