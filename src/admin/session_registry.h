// Every authenticated session of the process by connection id, so that KILL reaches sessions
// on other workers. A session is only touched on its own worker's thread: KILL posts there and
// looks it up again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "admin/system_tables.h"
#include "common/asio.h"
#include "common/instance.h"

namespace shardproxy::admin {

// What a session is doing, for SHOW PROCESSLIST: written by the session's thread, read by any.
class Activity {
 public:
  struct Snapshot {
    std::string database;  // logical
    std::string command = "Sleep";
    std::string info;  // the statement running, empty when none
    std::chrono::steady_clock::time_point since = std::chrono::steady_clock::now();
  };
  void set(std::string_view command, std::string_view database, std::string_view info) {
    std::lock_guard lock(mutex_);
    now_.command.assign(command);
    now_.database.assign(database);
    now_.info.assign(info);
    now_.since = std::chrono::steady_clock::now();
  }
  Snapshot get() const {
    std::lock_guard lock(mutex_);
    return now_;
  }

 private:
  mutable std::mutex mutex_;
  Snapshot now_;
};

class SessionRegistry {
 public:
  struct Entry {
    asio::any_io_executor executor;  // the session's worker
    const void* session = nullptr;   // identity: the id may be reused by a later session
    std::string user;
    std::string host;  // the client's address
    // Called on `executor`: stops the running statement, and with `connection` the session.
    std::function<void(bool connection)> kill;
    std::shared_ptr<const Activity> activity;
  };
  void add(uint32_t id, Entry e) {
    std::lock_guard lock(mutex_);
    entries_[id] = std::move(e);
  }
  void remove(uint32_t id) {
    std::lock_guard lock(mutex_);
    entries_.erase(id);
  }
  // Every session, by id.
  std::map<uint32_t, Entry> all() const {
    std::lock_guard lock(mutex_);
    return std::map<uint32_t, Entry>(entries_.begin(), entries_.end());
  }
  bool contains(uint32_t id) const {
    std::lock_guard lock(mutex_);
    return entries_.count(id) > 0;
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

// What the process counts and holds, for COM_STATISTICS, KILL and the system tables.
struct ServerState {
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
  // The process's worker id (--worker-id, 0 when none): the high bits of its connection ids, so
  // that an id given to another instance is unknown here (KILL answers 1094) rather than naming
  // one of this instance's sessions.
  int workerId = 0;
  std::atomic<uint64_t> connectionsOpened{0};
  // After 4M connections the counter wraps: an id still in use by a long-lived session is skipped.
  uint32_t newConnectionId() {
    uint32_t id = connectionIdOf(workerId, ++connectionsOpened);
    for (int tries = 0; tries < 64 && sessions.contains(id); ++tries) {
      id = connectionIdOf(workerId, ++connectionsOpened);
    }
    return id;
  }
  std::atomic<int> connections{0};
  std::atomic<uint64_t> questions{0};
  SessionRegistry sessions;
  // The `shardingsphere` schema's collected rows (sharding_table_statistics).
  SystemTableData systemTables;
};

}  // namespace shardproxy::admin
