#include "frontend/server.h"

#include <arpa/inet.h>
#include <mysql.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "common/log.h"
#include "frontend/session.h"
#include "protocol/framing.h"
#include "protocol/ok_err.h"
#include "txn/recovery.h"

namespace shardproxy::frontend {

namespace {

constexpr auto kMaintenanceInterval = std::chrono::seconds(1);
// Synced coordinator log writes at once (RocksDB joins concurrent ones into one fsync).
constexpr int kBlockingThreads = 8;
constexpr auto kShutdownGrace = std::chrono::seconds(10);

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
      pools_(io_.get_executor(), workers),
      statements_(context.topology->statementCacheSize),
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
    pools_.maintain();
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
      pools_.closeAll();
      work_.reset();
    }
  });
}

void Worker::remove(Session* s) {
  sessions_.erase(s);
  if (shuttingDown_ && sessions_.empty()) {
    pools_.closeAll();
    work_.reset();
  }
}

Server::Server(std::shared_ptr<const config::Topology> topology, router::RuleSet rules,
               ServerOptions options, std::string serverVersion)
    : io_(), signals_(io_, SIGINT, SIGTERM) {
  context_.topology = std::move(topology);
  context_.rules = std::move(rules);
  for (const auto& [name, rule] : context_.rules) {
    if (rule->empty()) continue;
    context_.tables.set(name, loadTableLocations(context_.topology->databases.at(name), *rule));
  }
  context_.options = std::move(options);
  context_.serverVersion = std::move(serverVersion);
  context_.rsaKey = protocol::RsaKey::generate();
  // The XA coordinator log: without it no XA transaction could keep its promise, so the proxy
  // does not start.
  std::error_code ec;
  std::filesystem::create_directories(context_.options.dataDir, ec);
  auto log = txn::CoordinatorLog::open(context_.options.dataDir + "/xa");
  if (!log) throw std::runtime_error(log.status().message());
  context_.xaLog = std::move(log.value());
  context_.blocking = std::make_unique<asio::thread_pool>(kBlockingThreads);
  context_.xids =
      std::make_unique<txn::XidGenerator>(context_.xaLog->instanceId(), context_.xaLog->boot());
  int n = context_.options.workers;
  if (n <= 0) n = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  context_.options.workers = n;
  for (int i = 0; i < n; ++i) workers_.push_back(std::make_unique<Worker>(context_, n));
}

Server::~Server() {
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
}

awaitable<void> Server::xaRecoveryLoop() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto lastRun = std::chrono::steady_clock::now();
  bool again = true;  // the first pass runs at start-up
  for (;;) {
    if (context_.stopping) co_return;
    XaRecoveryCounters& c = context_.xaRecovery;
    if (again || c.wanted.exchange(false) ||
        std::chrono::steady_clock::now() - lastRun >= kXaRecoveryInterval) {
      lastRun = std::chrono::steady_clock::now();
      txn::RecoveryReport r =
          co_await txn::recover(co_await asio::this_coro::executor, *context_.topology,
                                *context_.xaLog, *context_.xids, context_.xaActive);
      c.runs += 1;
      c.inDoubt += r.inDoubt;
      c.committed += r.committed;
      c.rolledBack += r.rolledBack;
      c.unreachable = r.unreachable;
      if (r.inDoubt > 0 || c.runs == 1) {
        spdlog::info(
            "XA recovery: {} in-doubt branch(es): {} committed, {} rolled back; {} "
            "server(s) unreachable",
            r.inDoubt, r.committed, r.rolledBack, r.unreachable);
      }
      again = r.unreachable > 0 || r.inDoubt > r.committed + r.rolledBack;
    }
    timer.expires_after(kXaRecoveryCheck);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
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
  asio::co_spawn(workers_.front()->io(), xaRecoveryLoop(), asio::detached);
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
    int limit = context_.topology->props.proxyFrontendMaxConnections;
    int current = context_.connections.fetch_add(1) + 1;
    if (limit > 0 && current > limit) {
      context_.connections.fetch_sub(1);
      asio::co_spawn(worker.io(), refuse(std::move(socket)), asio::detached);
      continue;
    }
    asio::co_spawn(
        worker.io(),
        [&worker, socket = std::move(socket), peer = std::move(peer),
         unix]() mutable -> awaitable<void> {
          Session session(worker, std::move(socket), std::move(peer), unix);
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

std::string probeBackendVersion(const config::Topology& topology, const std::string& fallback) {
  for (const auto& [name, db] : topology.databases) {
    for (const auto& ds : db.dataSources) {
      MYSQL* m = mysql_init(nullptr);
      unsigned timeout = 2;
      mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
      unsigned protocol = MYSQL_PROTOCOL_TCP;
      mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
      std::string version;
      if (mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(), nullptr,
                             ds.port, nullptr, 0)) {
        version = mysql_get_server_info(m);
      }
      mysql_close(m);
      if (!version.empty()) return version;
    }
  }
  return fallback;
}

}  // namespace shardproxy::frontend
