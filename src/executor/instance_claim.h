// Claims this process's identity on its backends, so that two proxies sharing one configuration
// cannot run with the same worker id (their SNOWFLAKE keys would collide) or the same XA instance
// id (copies of one data directory: both would settle the same in-doubt branches). Blocking
// calls, on a thread of its own: start-up and a background check, never a worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "config/topology.h"

namespace shardproxy::executor {

// One named lock the process holds on every backend server.
struct ClaimedName {
  std::string lock;  // the GET_LOCK name, at most 64 characters (MariaDB's limit)
  std::string what;  // for messages: "worker id 2"
  std::string hint;  // why a holder elsewhere is a mistake, and what to do
};

// "shardproxy.worker.<id>".
ClaimedName workerClaim(int workerId);
// "shardproxy.xa.<instance>" for the coordinator log's instance id.
ClaimedName xaInstanceClaim(const std::string& instanceId);

struct ClaimSettings {
  // Connecting to one server; an unreachable server costs at most this at start-up (servers are
  // tried in parallel).
  std::chrono::milliseconds connectTimeout{2000};
  // How often the held connections are checked, and a lost or never-made one retried.
  std::chrono::milliseconds checkInterval{5000};
  // GET_LOCK's wait: a proxy restarted at once after a crash may find its old connection not yet
  // closed by the server for a moment; a live duplicate is refused after this long.
  std::chrono::seconds lockWait{3};
  // The claim connection's wait_timeout: a process that vanished without closing it (its host
  // lost) frees its claim within this long; the checks keep a live one busy well within it.
  std::chrono::seconds idleTimeout{30};
};

// Holds `GET_LOCK(name, 0)` for every name on one dedicated connection per backend server (each
// host:port once: named locks are server-wide) for the object's life; the server releases them
// when the connection closes, so a process that dies frees its claim at once.
//
// At start-up, a name another connection holds is a refusal: take() fails naming the server and
// the holder. A server that cannot be reached is skipped with a warning and claimed when it
// answers again. Afterwards a background thread pings each connection every checkInterval; when
// one dropped (backend restart, network), it reconnects and takes the names again, with a
// warning; if another process took one meanwhile, it logs an error every check until the name is
// free again (the process keeps serving: stopping would take down the instance that was right).
class InstanceClaim {
 public:
  static Result<std::unique_ptr<InstanceClaim>> take(const config::Topology& topology,
                                                     std::vector<ClaimedName> names,
                                                     ClaimSettings settings = {});
  ~InstanceClaim();
  InstanceClaim(const InstanceClaim&) = delete;
  InstanceClaim& operator=(const InstanceClaim&) = delete;

  // Servers on which every name is held right now (for tests and the log).
  size_t serversHeld() const;

  struct Server;  // one backend server's connection and state (instance_claim.cc)

 private:
  InstanceClaim(std::vector<ClaimedName> names, ClaimSettings settings,
                std::vector<std::unique_ptr<Server>> servers);
  void checkLoop();

  const std::vector<ClaimedName> names_;
  const ClaimSettings settings_;
  std::vector<std::unique_ptr<Server>> servers_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread checker_;
};

}  // namespace shardproxy::executor
