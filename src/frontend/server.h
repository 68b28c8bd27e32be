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

#include "admin/health_http.h"
#include "admin/session_registry.h"
#include "common/asio_ssl.h"
#include "config/topology.h"
#include "executor/instance_claim.h"
#include "executor/pooled_connection.h"
#include "executor/shard_session.h"
#include "executor/startup_probe.h"
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
  std::string unixSocket;          // empty: none
  unsigned unixSocketMode = 0777;  // the socket file's permissions (MySQL's socket is 0777)
  int workers = 0;                 // 0: one per core
  // Largest packet a client may send, as MySQL's max_allowed_packet (64 MiB by default there
  // too); a bigger one is refused with ER_NET_PACKET_TOO_LARGE.
  size_t maxAllowedPacket = 64ul * 1024 * 1024;
  std::string dataDir = "data";  // the proxy's own data: the XA coordinator log in <dataDir>/xa
  std::string confDir;           // read again on SIGHUP
  // --worker-id / SHARDPROXY_WORKER_ID; none: a standalone proxy (worker 0, no worker claim).
  std::optional<int> workerId;
  // The HTTP listener of /livez and /readyz (proxy-metrics-port, --metrics-port); 0: none.
  std::string metricsHost = "0.0.0.0";
  uint16_t metricsPort = 0;
};

// Read by every worker; only the atomics, the registry, the catalog and the failed-login counts
// change after start-up.
struct ServerContext {
  // The configuration in force (topology, rules, table catalog) with the process's shared parts
  // (XA coordinator, memory), as the engine uses them. A reload (SIGHUP) publishes a new one;
  // a session takes it between statements (Session::adoptConfiguration).
  std::shared_ptr<executor::Services> services() const;
  void publish(std::shared_ptr<executor::Services> next);
  // The generation of the configuration in force: a session compares it with its own at each
  // command, which costs no lock.
  std::atomic<uint64_t> generation{0};
  // Per data source, what every worker's pools share (cap, waiters, health).
  std::unique_ptr<executor::SharedPools> pools;
  std::string serverVersion;
  std::unique_ptr<protocol::RsaKey> rsaKey;
  // Client connections may switch to TLS with this (proxy-frontend-ssl-enabled); null: no TLS.
  std::unique_ptr<asio::ssl::context> tls;
  ServerOptions options;
  // From the first SIGTERM or SIGINT on: the instance is not ready (new clients should go
  // elsewhere), though it may still accept them for proxy-shutdown-delay-seconds.
  std::atomic<bool> shuttingDown{false};
  // Set once the listeners close: background loops (recovery, health checks, statistics) end.
  std::atomic<bool> stopping{false};
  // What /readyz says: set by the Server once it serves, and cleared first when it stops.
  std::atomic<admin::Readiness> readiness{admin::Readiness::kStarting};
  admin::ServerState state;               // connection ids, counters, the sessions for KILL
  std::unique_ptr<LoginThrottle> logins;  // failed logins per account and host
  // Large statements are parsed here rather than on a worker, whose other sessions would wait
  // for the parse (Session::parse).
  std::unique_ptr<asio::thread_pool> parsePool;
  // The worker id and XA instance id, held on every backend server (instance_claim.h).
  std::unique_ptr<executor::InstanceClaim> claim;

 private:
  mutable std::mutex servicesMutex_;
  std::shared_ptr<executor::Services> services_;
};

class Worker {
 public:
  Worker(ServerContext& context, int workers);
  // Runs the worker's thread; `onExit` is called on that thread when its loop ends.
  void start(std::function<void()> onExit);
  void join();
  // Graceful shutdown: each session ends once nothing is open (Session::drain); the worker's
  // loop ends with its last session.
  void beginDrain();
  // Stops accepting work: idle sessions are closed, running statements are stopped on their
  // backends and their sessions end with them.
  void beginShutdown();
  void stop() { io_.stop(); }

  asio::io_context& io() { return io_; }
  executor::PoolSource& backends() { return backends_; }
  // The worker's statement cache: sessions on this thread share parses of the same statement.
  parser::StatementCache& statements() { return statements_; }
  ServerContext& context() { return context_; }
  void add(Session* s);
  // When the worker's loop last ran its maintenance (every second while it turns), read by
  // /livez from another thread.
  std::chrono::steady_clock::time_point lastTurn() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::steady_clock::duration(lastTurn_.load(std::memory_order_relaxed)));
  }
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
  std::atomic<std::chrono::steady_clock::rep> lastTurn_{0};
  std::thread thread_;
};

class Server {
 public:
  // `reachable`: which servers answered at start-up. The metadata of data sources on the others
  // is read once they answer (their statements fail with a clear error until then).
  Server(std::shared_ptr<const config::Topology> topology, router::RuleSet rules,
         ServerOptions options, std::string serverVersion, executor::Reachability reachable);
  ~Server();
  // Listens (throws on bind failure), then serves until SIGINT/SIGTERM; returns after a
  // graceful shutdown.
  void run();
  // Readiness for /readyz: true once serving; false from the first step of a shutdown (the
  // listeners may still accept for a while so that the platform can stop routing here first).
  void setReady(bool ready);

 private:
  admin::HealthSnapshot healthSnapshot();
  awaitable<void> acceptLoop(Acceptor& acceptor, bool unix);
  // Out of file descriptors: takes the next connection waiting on `acceptor` with the spare
  // descriptor, tells it 1040 and closes it, so that clients are refused rather than left
  // waiting in the backlog.
  void refuseWithSpareDescriptor(Acceptor& acceptor);
  // The Unix socket's listener: a socket file left by a process that is gone is replaced; one
  // that a live process still serves, or a path that is not a socket, stops the start.
  std::unique_ptr<Acceptor> listenOnUnixSocket(const std::string& path, unsigned mode);
  // The shutdown's steps, on the listener thread: readiness off, then (after the delay) the
  // listeners close and sessions drain, then (after the grace period) what is left is stopped.
  void waitForSignal();
  void beginShutdown();
  void stopAccepting();
  void forceStop();
  std::chrono::seconds shutdownDelay() const;
  std::chrono::seconds shutdownGrace() const;
  // Reads the table locations and definitions of `name` into `services` from the data sources
  // that `reachable` says answer.
  static void loadMetadata(executor::Services& services, const std::string& name,
                           const executor::Reachability& reachable);
  // SIGHUP: reads the configuration directory again and publishes what it describes (on the
  // reloader thread: the backends are asked for metadata); a configuration that does not load
  // is logged and the one in force stays.
  void reload();
  // Marks down (until a health check hears from them) the data sources of `topology` whose
  // server did not answer.
  void markSilentDown(const config::Topology& topology, const executor::Reachability& reachable);
  // The background thread (the reads block): reloads on SIGHUP, and waits for the servers that
  // did not answer and reads the metadata of their databases once they do.
  void background();
  void waitForReload();
  static awaitable<void> refuse(asio::generic::stream_protocol::socket socket);

  // Declaration order is destruction order reversed: pending accepts on io_ hold sockets of
  // the workers' io_contexts, so io_ must go before the workers, and they before context_.
  ServerContext context_;
  std::vector<std::unique_ptr<Worker>> workers_;
  asio::io_context io_;  // listeners and signals
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::unique_ptr<admin::HttpListener> http_;  // on io_; null when no metrics port is set
  asio::signal_set signals_;
  asio::steady_timer shutdownTimer_;  // the delay, then the grace period
  // Client connections the open-files limit leaves room for, after the backends' pools and
  // the proxy's own files (0: no limit known).
  int descriptorClientLimit_ = 0;
  int spareDescriptor_ = -1;  // closed to make room for one refusal when descriptors run out
  std::chrono::steady_clock::time_point lastDescriptorWarning_{};
  bool accepting_ = true;
  size_t nextWorker_ = 0;
  std::mutex runningMutex_;
  std::condition_variable runningChanged_;
  size_t running_ = 0;  // worker threads whose loop has not ended
  executor::Reachability reachable_;
  std::thread background_;        // background()
  bool reloadRequested_ = false;  // SIGHUP came; under runningMutex_
  // The configuration the process started with: the background loops (XA recovery, statistics)
  // and the settings read once (see README: Running as a service) keep it.
  std::shared_ptr<executor::Services> initial_;
  asio::signal_set reloadSignal_;
};

}  // namespace shardproxy::frontend
