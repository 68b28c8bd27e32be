// The front end: listeners, worker threads (one io_context each) and the state they share.
// A client connection and the backend connections serving it live on one worker.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "admin/session_registry.h"
#include "common/asio_ssl.h"
#include "config/topology.h"
#include "executor/pooled_connection.h"
#include "executor/shard_session.h"
#include "frontend/login_throttle.h"
#include "parser/statement_cache.h"
#include "protocol/auth.h"

namespace shardproxy::frontend {

class Session;
class Worker;

using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;

struct ServerOptions {
  std::string bindAddress = "0.0.0.0";
  uint16_t port = 3307;
  std::string unixSocket;  // empty: none
  int workers = 0;         // 0: one per core
  // Largest packet a client may send, as MySQL's max_allowed_packet (64 MiB by default there
  // too); a bigger one is refused with ER_NET_PACKET_TOO_LARGE.
  size_t maxAllowedPacket = 64ul * 1024 * 1024;
  std::string dataDir = "data";  // the proxy's own data: the XA coordinator log in <dataDir>/xa
};

// Read by every worker; only the atomics, the registry, the catalog and the failed-login counts
// change after start-up.
struct ServerContext {
  // Topology, rules, table catalog and XA coordinator, as the engine uses them.
  executor::Services services;
  // Per data source, what every worker's pools share (cap, waiters, health).
  std::unique_ptr<executor::SharedPools> pools;
  std::string serverVersion;
  std::unique_ptr<protocol::RsaKey> rsaKey;
  // Client connections may switch to TLS with this (proxy-frontend-ssl-enabled); null: no TLS.
  std::unique_ptr<asio::ssl::context> tls;
  ServerOptions options;
  std::atomic<bool> stopping{false};
  admin::ServerState state;               // connection ids, counters, the sessions for KILL
  std::unique_ptr<LoginThrottle> logins;  // failed logins per account and host
  // Large statements are parsed here rather than on a worker, whose other sessions would wait
  // for the parse (Session::parse).
  std::unique_ptr<asio::thread_pool> parsePool;
};

class Worker {
 public:
  Worker(ServerContext& context, int workers);
  // Runs the worker's thread; `onExit` is called on that thread when its loop ends.
  void start(std::function<void()> onExit);
  void join();
  // Stops accepting work: idle sessions are closed, busy ones end after their statement.
  void beginShutdown();
  void stop() { io_.stop(); }

  asio::io_context& io() { return io_; }
  executor::PoolSource& backends() { return backends_; }
  // The worker's statement cache: sessions on this thread share parses of the same statement.
  parser::StatementCache& statements() { return statements_; }
  ServerContext& context() { return context_; }
  void add(Session* s) { sessions_.insert(s); }
  void remove(Session* s);

 private:
  void scheduleMaintenance();

  ServerContext& context_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  executor::PoolSource backends_;
  parser::StatementCache statements_;
  asio::steady_timer maintenance_;
  std::set<Session*> sessions_;
  bool shuttingDown_ = false;
  std::thread thread_;
};

class Server {
 public:
  Server(std::shared_ptr<const config::Topology> topology, router::RuleSet rules,
         ServerOptions options, std::string serverVersion);
  ~Server();
  // Listens (throws on bind failure), then serves until SIGINT/SIGTERM; returns after a
  // graceful shutdown.
  void run();

 private:
  awaitable<void> acceptLoop(Acceptor& acceptor, bool unix);
  void shutdown();
  static awaitable<void> refuse(asio::generic::stream_protocol::socket socket);

  // Declaration order is destruction order reversed: pending accepts on io_ hold sockets of
  // the workers' io_contexts, so io_ must go before the workers, and they before context_.
  ServerContext context_;
  std::vector<std::unique_ptr<Worker>> workers_;
  asio::io_context io_;  // listeners and signals
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  asio::signal_set signals_;
  size_t nextWorker_ = 0;
  std::mutex runningMutex_;
  std::condition_variable runningChanged_;
  size_t running_ = 0;  // worker threads whose loop has not ended
};

}  // namespace shardproxy::frontend
