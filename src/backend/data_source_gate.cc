#include "backend/data_source_gate.h"

#include <algorithm>
#include <optional>

#include "backend/connection.h"

namespace shardproxy::backend {

struct DataSourceGate::Waiter {
  Waiter(asio::any_io_executor ex, const GateMember* owner)
      : executor(ex), timer(std::move(ex)), owner(owner) {}
  asio::any_io_executor executor;
  asio::steady_timer timer;  // touched only on `executor`'s thread
  const GateMember* owner;
  // The rest under the gate's mutex.
  bool queued = true;
  std::unique_ptr<Connection> conn;
  std::optional<Status> error;
};

DataSourceGate::DataSourceGate(std::string name, int maxOpen, int minOpen)
    : name_(std::move(name)), maxOpen_(std::max(1, maxOpen)), minOpen_(std::max(0, minOpen)) {}

namespace {
bool takeBelow(std::atomic<int>& open, int limit) {
  int cur = open.load();
  while (cur < limit) {
    if (open.compare_exchange_weak(cur, cur + 1)) return true;
  }
  return false;
}
}  // namespace

bool DataSourceGate::tryTake() {
  // Someone in line comes first: taking past them would starve a waiter on another worker.
  if (waiting_.load() > 0) return false;
  return takeBelow(open_, maxOpen_);
}

bool DataSourceGate::tryTakeForWarmUp() {
  if (waiting_.load() > 0) return false;
  return takeBelow(open_, std::min(minOpen_, maxOpen_));
}

void DataSourceGate::wakeLocked(std::shared_ptr<Waiter> w) {
  w->queued = false;
  // The waiter's timer belongs to its own thread: it is cancelled there.
  asio::post(w->executor, [w] { w->timer.cancel(); });
}

void DataSourceGate::dispatchLocked() {
  while (!queue_.empty() && takeBelow(open_, maxOpen_)) {
    std::shared_ptr<Waiter> w = std::move(queue_.front());
    queue_.pop_front();
    waiting_.fetch_sub(1);
    wakeLocked(std::move(w));
  }
}

awaitable<Result<DataSourceGate::Grant>> DataSourceGate::wait(
    asio::any_io_executor executor, const GateMember* owner,
    std::chrono::steady_clock::time_point deadline, int timeoutMs) {
  auto w = std::make_shared<Waiter>(executor, owner);
  w->timer.expires_at(deadline);
  {
    std::lock_guard lock(mutex_);
    if (down_.load()) co_return downStatus_;
    queue_.push_back(w);
    // Counted before looking at open_ again, so that a give() racing with this either sees a
    // waiter or leaves a slot that dispatchLocked() finds.
    waiting_.fetch_add(1);
    dispatchLocked();
    if (w->queued) {
      // Idle connections on other workers (or other connect flags) hold slots nobody uses:
      // one of them is closed so that its slot comes here.
      for (GateMember* m : members_) {
        if (m->idle.load(std::memory_order_relaxed) > 0) {
          asio::post(m->executor(), [m] { m->shedIdle(); });
          break;
        }
      }
    }
  }
  for (;;) {
    boost::system::error_code ec;
    if (w->queued) co_await w->timer.async_wait(asio::redirect_error(use_awaitable, ec));
    std::lock_guard lock(mutex_);
    if (w->queued) {
      if (std::chrono::steady_clock::now() < deadline) continue;
      queue_.erase(std::find(queue_.begin(), queue_.end(), w));
      waiting_.fetch_sub(1);
      co_return makeError(er::kCrConnHostError,
                          "data source " + name_ + ": no connection available within " +
                              std::to_string(timeoutMs) + " ms (maxPoolSize " +
                              std::to_string(maxOpen_) + " reached)");
    }
    if (w->error) co_return *w->error;
    co_return Grant{std::move(w->conn)};
  }
}

void DataSourceGate::give() {
  open_.fetch_sub(1);
  if (waiting_.load() == 0) return;
  std::lock_guard lock(mutex_);
  dispatchLocked();
}

std::unique_ptr<Connection> DataSourceGate::offer(std::unique_ptr<Connection> conn,
                                                  const GateMember* owner) {
  if (waiting_.load() == 0) return conn;
  {
    std::lock_guard lock(mutex_);
    if (queue_.empty()) return conn;
    if (queue_.front()->owner == owner) {
      std::shared_ptr<Waiter> w = std::move(queue_.front());
      queue_.pop_front();
      waiting_.fetch_sub(1);
      w->conn = std::move(conn);
      wakeLocked(std::move(w));
      return nullptr;
    }
  }
  // Closed outside the lock: its slot comes back through give(), which serves the first waiter.
  conn.reset();
  return nullptr;
}

void DataSourceGate::failWaiters(const GateMember* owner, const Status& why) {
  std::lock_guard lock(mutex_);
  for (auto it = queue_.begin(); it != queue_.end();) {
    if ((*it)->owner != owner) {
      ++it;
      continue;
    }
    (*it)->error = why;
    wakeLocked(*it);
    it = queue_.erase(it);
    waiting_.fetch_sub(1);
  }
}

void DataSourceGate::attach(GateMember* member) {
  std::lock_guard lock(mutex_);
  members_.push_back(member);
}

void DataSourceGate::detach(GateMember* member) {
  std::lock_guard lock(mutex_);
  members_.erase(std::remove(members_.begin(), members_.end(), member), members_.end());
}

int DataSourceGate::idle() const {
  std::lock_guard lock(mutex_);
  int n = 0;
  for (const GateMember* m : members_) n += m->idle.load(std::memory_order_relaxed);
  return n;
}

Status DataSourceGate::downStatus() const {
  std::lock_guard lock(mutex_);
  return downStatus_;
}

void DataSourceGate::markDown(const Status& why) {
  std::lock_guard lock(mutex_);
  bool wasDown = down_.exchange(true);
  downStatus_ = why;
  for (auto& w : queue_) {
    w->error = why;
    wakeLocked(w);
  }
  queue_.clear();
  waiting_.store(0);
  if (wasDown) return;
  // Statements on its connections end now rather than when the server answers again.
  for (GateMember* m : members_) {
    asio::post(m->executor(), [m, why] { m->abortAll(why); });
  }
}

void DataSourceGate::markUp() { down_.store(false); }

void DataSourceGate::suspect() {
  std::lock_guard lock(mutex_);
  if (checkerWake_) asio::post(checkerExecutor_, checkerWake_);
}

void DataSourceGate::setChecker(asio::any_io_executor executor, std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  checkerExecutor_ = std::move(executor);
  checkerWake_ = std::move(wake);
}

}  // namespace shardproxy::backend
