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

#include "backend/pool.h"
#include "common/asio.h"
#include "config/topology.h"
#include "frontend/metadata.h"
#include "parser/statement_cache.h"
#include "protocol/auth.h"
#include "router/sharding_rule.h"
#include "txn/active_transactions.h"
#include "txn/coordinator_log.h"
#include "txn/xid.h"

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

// What XA recovery found, for SHOW DIST VARIABLES and the log.
struct XaRecoveryCounters {
  std::atomic<uint64_t> runs{0};
  std::atomic<uint64_t> inDoubt{0};      // prepared branches found since start
  std::atomic<uint64_t> committed{0};    // of those, committed (their decision was logged)
  std::atomic<uint64_t> rolledBack{0};   // of those, rolled back (presumed abort)
  std::atomic<uint64_t> unreachable{0};  // servers not reachable at the last run
  // Set by a session whose XA COMMIT of a branch failed: the next check runs a pass at once.
  std::atomic<bool> wanted{false};
};

// Every authenticated session by connection id, so KILL can reach sessions on other workers.
// A session is only touched on its own worker's thread: KILL posts there and looks it up again.
class SessionRegistry {
 public:
  struct Entry {
    Worker* worker = nullptr;
    Session* session = nullptr;
    std::string user;
  };
  void add(uint32_t id, Entry e) {
    std::lock_guard lock(mutex_);
    entries_[id] = std::move(e);
  }
  void remove(uint32_t id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
  }
  std::optional<Entry> find(uint32_t id) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(id);
    if (it == entries_.end()) return std::nullopt;
    return it->second;
  }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<uint32_t, Entry> entries_;
};

// Read by every worker; only the atomics and the registry change after start-up.
struct ServerContext {
  std::shared_ptr<const config::Topology> topology;
  router::RuleSet rules;  // by logical database
  TableCatalog tables;    // where unruled tables of sharded databases live
  std::string serverVersion;
  std::unique_ptr<protocol::RsaKey> rsaKey;
  ServerOptions options;
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
  std::atomic<uint32_t> nextConnectionId{1};
  std::atomic<int> connections{0};
  std::atomic<uint64_t> questions{0};
  std::atomic<bool> stopping{false};
  SessionRegistry sessions;
  // XA: the coordinator log under --data-dir, the xids of this instance, the transactions running
  // now (recovery leaves them alone) and what recovery did.
  std::unique_ptr<txn::CoordinatorLog> xaLog;
  std::unique_ptr<txn::XidGenerator> xids;
  txn::ActiveTransactions xaActive;
  XaRecoveryCounters xaRecovery;
  // Threads for calls that block (the synced coordinator log write), so that a worker goes on
  // serving its other sessions meanwhile and concurrent commits share one fsync.
  std::unique_ptr<asio::thread_pool> blocking;
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
  backend::PoolSet& pools() { return pools_; }
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
  backend::PoolSet pools_;
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
  // XA recovery at start-up, then every kXaRecoveryInterval; checked every kXaRecoveryCheck, a
  // pass runs sooner while a server is unreachable or a branch unsettled, or when a session asks.
  awaitable<void> xaRecoveryLoop();
  static constexpr std::chrono::seconds kXaRecoveryInterval{60};
  static constexpr std::chrono::seconds kXaRecoveryCheck{2};
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

// The version of the first reachable backend, for the greeting; `fallback` otherwise.
std::string probeBackendVersion(const config::Topology& topology, const std::string& fallback);

}  // namespace shardproxy::frontend
