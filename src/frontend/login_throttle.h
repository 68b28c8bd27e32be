// What repeated failed logins cost, process-wide: a growing delay per account and client host
// (as MySQL's connection_control plugin), then a block for a while (as MariaDB's
// max_connect_errors, error 1129), so that guessing passwords is slow without slowing other
// accounts or hosts. Workers call it from their own threads; it takes one short lock per login
// and holds a bounded number of entries whatever names clients try.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/status.h"
#include "config/topology.h"
#include "protocol/server_handshake.h"

namespace shardproxy::frontend {

struct LoginThrottleSettings {
  int failuresBeforeDelay = 3;  // 0: never delay
  std::chrono::milliseconds minDelay{1000};
  std::chrono::milliseconds maxDelay{10000};
  int failuresBeforeBlock = 10;  // 0: never block
  // How long a block lasts after the last failure, and how long failures are remembered.
  std::chrono::seconds blockTime{600};
  size_t maxEntries = 10000;

  static LoginThrottleSettings fromProps(const config::Props& props);
};

class LoginThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit LoginThrottle(LoginThrottleSettings settings) : settings_(settings) {}

  // MariaDB's ER_HOST_IS_BLOCKED (1129) when `user` has failed too often from `host` lately.
  Status admit(std::string_view user, std::string_view host, Clock::time_point now);
  // A login's verdict: refused when blocked meanwhile (whatever the password), else counted (a
  // failure) or forgotten (a success), with how long to hold back the answer: as long for a
  // success as for a failure, so that a quick answer does not tell that the password was right.
  protocol::LoginGuard::Outcome verdict(std::string_view user, std::string_view host, bool success,
                                        Clock::time_point now);

  // Accounts with failures remembered (expired ones may still be counted until swept).
  size_t size() const;

 private:
  struct Entry {
    std::string key;
    int failures = 0;
    Clock::time_point last;  // the last failure
  };
  using Order = std::list<Entry>;  // oldest last failure first

  static std::string keyOf(std::string_view user, std::string_view host);
  std::chrono::milliseconds delayAfter(int failures) const;
  bool blocked(const Entry& e) const;
  Status blockedError(const Entry& e, std::string_view user, std::string_view host,
                      Clock::time_point now) const;
  bool expired(const Entry& e, Clock::time_point now) const;
  // The entry for `key` if it holds failures that still count; drops it if they expired.
  Order::iterator find(const std::string& key, Clock::time_point now);
  void erase(Order::iterator it);
  // Room for one more entry: expired ones go first, then the one with the fewest failures among
  // the oldest few, so that a flood of new names cannot push out an account under attack.
  void makeRoom(Clock::time_point now);

  const LoginThrottleSettings settings_;
  mutable std::mutex mutex_;
  Order order_;
  std::unordered_map<std::string_view, Order::iterator> index_;  // keys point into order_
};

}  // namespace shardproxy::frontend
