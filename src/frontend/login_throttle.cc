#include "frontend/login_throttle.h"

#include <algorithm>
#include <iterator>

namespace shardproxy::frontend {

namespace {

// MariaDB's ER_HOST_IS_BLOCKED.
constexpr uint16_t kHostIsBlocked = 1129;
// The longest user name the key keeps: MySQL's are at most 32 characters (128 bytes); longer
// names (which no configured account is expected to have) share their count by this prefix, so
// an entry stays small whatever a client sends.
constexpr size_t kMaxKeyUser = 256;
// How many of the oldest entries are looked at to choose one to drop when the table is full.
constexpr int kEvictionCandidates = 8;

}  // namespace

LoginThrottleSettings LoginThrottleSettings::fromProps(const config::Props& props) {
  LoginThrottleSettings s;
  s.failuresBeforeDelay = props.proxyFrontendLoginFailuresBeforeDelay;
  s.minDelay = std::chrono::milliseconds(props.proxyFrontendLoginMinDelayMilliseconds);
  s.maxDelay = std::chrono::milliseconds(props.proxyFrontendLoginMaxDelayMilliseconds);
  s.failuresBeforeBlock = props.proxyFrontendLoginFailuresBeforeBlock;
  s.blockTime = std::chrono::seconds(props.proxyFrontendLoginBlockSeconds);
  s.maxEntries = static_cast<size_t>(std::max(1, props.proxyFrontendLoginTrackedAccounts));
  return s;
}

std::string LoginThrottle::keyOf(std::string_view user, std::string_view host) {
  std::string key(host);
  key.push_back('\0');  // never in a host: "a\0b" cannot be read as another host and user
  key.append(user.substr(0, kMaxKeyUser));
  return key;
}

std::chrono::milliseconds LoginThrottle::delayAfter(int failures) const {
  const int threshold = settings_.failuresBeforeDelay;
  if (threshold <= 0 || failures < threshold) return std::chrono::milliseconds(0);
  // connection_control: the first attempt past the threshold waits minDelay, each further one
  // minDelay more.
  auto delay = settings_.minDelay * (static_cast<int64_t>(failures) - threshold + 1);
  return std::min(delay, settings_.maxDelay);
}

bool LoginThrottle::expired(const Entry& e, Clock::time_point now) const {
  return now - e.last >= settings_.blockTime;
}

LoginThrottle::Order::iterator LoginThrottle::find(const std::string& key, Clock::time_point now) {
  auto it = index_.find(key);
  if (it == index_.end()) return order_.end();
  Order::iterator entry = it->second;
  if (!expired(*entry, now)) return entry;
  erase(entry);
  return order_.end();
}

void LoginThrottle::erase(Order::iterator it) {
  index_.erase(std::string_view(it->key));
  order_.erase(it);
}

void LoginThrottle::makeRoom(Clock::time_point now) {
  while (!order_.empty() && expired(order_.front(), now)) erase(order_.begin());
  if (order_.size() < settings_.maxEntries) return;
  auto victim = order_.begin();
  auto it = order_.begin();
  for (int i = 0; i < kEvictionCandidates && it != order_.end(); ++i, ++it) {
    if (it->failures < victim->failures) victim = it;
  }
  erase(victim);
}

bool LoginThrottle::blocked(const Entry& e) const {
  return settings_.failuresBeforeBlock > 0 && e.failures >= settings_.failuresBeforeBlock;
}

Status LoginThrottle::blockedError(const Entry& e, std::string_view user, std::string_view host,
                                   Clock::time_point now) const {
  auto left = std::chrono::ceil<std::chrono::seconds>(e.last + settings_.blockTime - now);
  return Status(kHostIsBlocked, "HY000",
                "Host '" + std::string(protocol::cutCharacters(host, 64)) +
                    "' is blocked because of many connection errors (" +
                    std::to_string(e.failures) + " failed logins as '" +
                    std::string(protocol::cutCharacters(user, 48)) + "'); try again in " +
                    std::to_string(left.count()) + " s");
}

Status LoginThrottle::admit(std::string_view user, std::string_view host, Clock::time_point now) {
  if (settings_.failuresBeforeBlock <= 0) return Status::ok();
  std::lock_guard lock(mutex_);
  auto it = find(keyOf(user, host), now);
  if (it == order_.end() || !blocked(*it)) return Status::ok();
  return blockedError(*it, user, host, now);
}

protocol::LoginGuard::Outcome LoginThrottle::verdict(std::string_view user, std::string_view host,
                                                     bool success, Clock::time_point now) {
  std::string key = keyOf(user, host);
  std::lock_guard lock(mutex_);
  auto it = find(key, now);
  if (it != order_.end() && blocked(*it)) return {blockedError(*it, user, host, now), {}};
  if (success) {
    if (it == order_.end()) return {};
    std::chrono::milliseconds delay = delayAfter(it->failures);
    erase(it);
    return {Status::ok(), delay};
  }
  if (it == order_.end()) {
    makeRoom(now);
    order_.push_back(Entry{std::move(key), 0, now});
    it = std::prev(order_.end());
    index_.emplace(std::string_view(it->key), it);
  }
  std::chrono::milliseconds delay = delayAfter(it->failures);
  ++it->failures;
  it->last = now;
  order_.splice(order_.end(), order_, it);  // the newest failure goes last
  return {Status::ok(), delay};
}

size_t LoginThrottle::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace shardproxy::frontend
