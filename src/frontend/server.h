// The front end: listeners, worker threads (one io_context each) and the state they share.
// A client connection and the backend connections serving it live on one worker.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "backend/pool.h"
#include "common/asio.h"
#include "config/topology.h"
#include "protocol/auth.h"

namespace shardproxy::frontend {

class Session;

using Acceptor = asio::basic_socket_acceptor<asio::generic::stream_protocol>;

struct ServerOptions {
  std::string bindAddress = "0.0.0.0";
  uint16_t port = 3307;
  std::string unixSocket;  // empty: none
  int workers = 0;         // 0: one per core
  size_t maxAllowedPacket = 1024ul * 1024 * 1024;
};

// Read by every worker; only the atomics change after start-up.
struct ServerContext {
  std::shared_ptr<const config::Topology> topology;
  std::string serverVersion;
  std::unique_ptr<protocol::RsaKey> rsaKey;
  ServerOptions options;
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
  std::atomic<uint32_t> nextConnectionId{1};
  std::atomic<int> connections{0};
  std::atomic<uint64_t> questions{0};
  std::atomic<bool> stopping{false};
};

class Worker {
 public:
  Worker(ServerContext& context, int workers);
  void start();
  void join();
  // Stops accepting work: idle sessions are closed, busy ones end after their statement.
  void beginShutdown();
  void stop() { io_.stop(); }

  asio::io_context& io() { return io_; }
  backend::PoolSet& pools() { return pools_; }
  ServerContext& context() { return context_; }
  void add(Session* s) { sessions_.insert(s); }
  void remove(Session* s);

 private:
  void scheduleMaintenance();

  ServerContext& context_;
  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  backend::PoolSet pools_;
  asio::steady_timer maintenance_;
  std::set<Session*> sessions_;
  bool shuttingDown_ = false;
  std::thread thread_;
};

class Server {
 public:
  Server(std::shared_ptr<const config::Topology> topology, ServerOptions options,
         std::string serverVersion);
  ~Server();
  // Listens (throws on bind failure), then serves until SIGINT/SIGTERM; returns after a
  // graceful shutdown.
  void run();

 private:
  awaitable<void> acceptLoop(Acceptor& acceptor, bool unix);
  void shutdown();

  ServerContext context_;
  asio::io_context io_;  // listeners and signals
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  asio::signal_set signals_;
  size_t nextWorker_ = 0;
};

// The version of the first reachable backend, for the greeting; `fallback` otherwise.
std::string probeBackendVersion(const config::Topology& topology, const std::string& fallback);

}  // namespace shardproxy::frontend
