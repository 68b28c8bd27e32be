// Every authenticated session of the process by connection id, so that KILL reaches sessions
// on other workers. A session is only touched on its own worker's thread: KILL posts there and
// looks it up again.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/asio.h"

namespace shardproxy::admin {

class SessionRegistry {
 public:
  struct Entry {
    asio::any_io_executor executor;  // the session's worker
    const void* session = nullptr;   // identity: the id may be reused by a later session
    std::string user;
    // Called on `executor`: stops the running statement, and with `connection` the session.
    std::function<void(bool connection)> kill;
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

// What the process counts, for COM_STATISTICS and KILL.
struct ServerState {
  std::chrono::steady_clock::time_point startedAt = std::chrono::steady_clock::now();
  std::atomic<uint32_t> nextConnectionId{1};
  std::atomic<int> connections{0};
  std::atomic<uint64_t> questions{0};
  SessionRegistry sessions;
};

}  // namespace shardproxy::admin
