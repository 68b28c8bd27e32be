#include "backend/pool.h"

#include <algorithm>

#include "common/log.h"

namespace shardproxy::backend {

Pool::Pool(asio::any_io_executor executor, config::DataSource ds, ConnectFlags flags,
           PoolLimits limits)
    : executor_(std::move(executor)), ds_(std::move(ds)), flags_(flags), limits_(limits) {
  if (limits_.maxSize < 1) limits_.maxSize = 1;
}

Pool::~Pool() { closeAll(); }

bool Pool::usable(Connection& c) const {
  if (ds_.maxLifetimeMs > 0 &&
      Clock::now() - c.createdAt() > std::chrono::milliseconds(ds_.maxLifetimeMs)) {
    return false;  // 0: no limit
  }
  return c.looksAlive();
}

awaitable<Result<std::unique_ptr<Connection>>> Pool::openNew() {
  ++open_;
  auto conn = std::make_unique<Connection>(executor_, ds_.name);
  Status s = co_await conn->connect(ds_, flags_);
  if (!s) {
    --open_;
    lastConnectFailure_ = Clock::now();
    wakeOneForSlot();
    co_return s;
  }
  co_return std::move(conn);
}

awaitable<Result<std::unique_ptr<Connection>>> Pool::acquire(const Connection* preferred) {
  if (closed_) co_return makeError(er::kServerShutdown, "Server shutdown in progress");
  if (preferred) {
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->get() != preferred) continue;
      std::unique_ptr<Connection> c = std::move(*it);
      idle_.erase(it);
      if (usable(*c)) co_return std::move(c);
      --open_;
      break;
    }
  }
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (usable(*c)) co_return std::move(c);
    --open_;  // stale: the server closed it or it outlived maxLifetime
  }
  if (open_ < limits_.maxSize) co_return co_await openNew();

  // Full: wait for a connection to come back or a slot to free up.
  // 0 means wait without limit, as in ShardingSphere (HikariCP).
  auto deadline = ds_.connectionTimeoutMs > 0
                      ? Clock::now() + std::chrono::milliseconds(ds_.connectionTimeoutMs)
                      : Clock::time_point::max();
  for (;;) {
    Waiter waiter(executor_);
    waiters_.push_back(&waiter);
    auto it = std::prev(waiters_.end());
    waiter.timer.expires_at(deadline);
    boost::system::error_code ec;
    co_await waiter.timer.async_wait(asio::redirect_error(use_awaitable, ec));
    // A waker may have taken it out even when the timer reports no error (the expiry was
    // already queued when it cancelled).
    if (waiter.queued) waiters_.erase(it);
    if (waiter.conn) co_return std::move(waiter.conn);
    if (closed_) co_return makeError(er::kServerShutdown, "Server shutdown in progress");
    if (waiter.slotFreed || open_ < limits_.maxSize) co_return co_await openNew();
    if (!ec || Clock::now() >= deadline) {
      co_return makeError(er::kCrConnHostError, "data source " + ds_.name +
                                                    ": no connection available within " +
                                                    std::to_string(ds_.connectionTimeoutMs) +
                                                    " ms (maxPoolSize reached)");
    }
  }
}

void Pool::wakeOneForSlot() {
  if (waiters_.empty()) return;
  Waiter* w = waiters_.front();
  waiters_.pop_front();
  w->queued = false;
  w->slotFreed = true;
  w->timer.cancel();
}

void Pool::release(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  if (closed_ || conn->broken() || !conn->idleClean()) {
    --open_;
    conn.reset();
    wakeOneForSlot();
    return;
  }
  conn->touch();
  if (!waiters_.empty()) {
    Waiter* w = waiters_.front();
    waiters_.pop_front();
    w->queued = false;
    w->conn = std::move(conn);
    w->timer.cancel();
    return;
  }
  idle_.push_back(std::move(conn));
}

void Pool::discard(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  --open_;
  conn.reset();
  wakeOneForSlot();
}

void Pool::maintain() {
  if (closed_) return;
  auto now = Clock::now();
  auto idleTimeout = std::chrono::milliseconds(ds_.idleTimeoutMs);
  auto lifetime = std::chrono::milliseconds(ds_.maxLifetimeMs);
  // Oldest-used connections are at the front.
  for (auto it = idle_.begin(); it != idle_.end();) {
    bool excess = static_cast<int>(idle_.size()) > limits_.minIdle;
    Connection& c = **it;
    bool idleTooLong = ds_.idleTimeoutMs > 0 && excess && now - c.lastUsed() > idleTimeout;
    bool tooOld = ds_.maxLifetimeMs > 0 && now - c.createdAt() > lifetime;
    if (idleTooLong || tooOld || !c.looksAlive()) {
      it = idle_.erase(it);
      --open_;
    } else {
      ++it;
    }
  }
  // Top up to the minimum, but not while the data source keeps failing.
  if (static_cast<int>(idle_.size()) < limits_.minIdle && open_ < limits_.maxSize &&
      now - lastConnectFailure_ > std::chrono::seconds(5)) {
    asio::co_spawn(
        executor_,
        [this]() -> awaitable<void> {
          auto r = co_await openNew();
          if (r) release(std::move(r.value()));
        },
        asio::detached);
  }
}

void Pool::closeAll() {
  closed_ = true;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  while (!waiters_.empty()) wakeOneForSlot();
}

Pool& PoolSet::pool(const std::string& database, const config::DataSource& ds, ConnectFlags flags) {
  auto key = std::make_tuple(database, ds.name, flags);
  auto it = pools_.find(key);
  if (it != pools_.end()) return *it->second;
  // Pool sizes in the configuration are per proxy; each worker gets its share.
  PoolLimits limits;
  limits.maxSize = std::max(1, (ds.maxPoolSize + workers_ - 1) / workers_);
  // The minimum is kept warm only for the common connect flags, rounded up per worker.
  limits.minIdle = flags.foundRows || flags.noDatabase
                       ? 0
                       : std::max(0, (ds.minPoolSize + workers_ - 1) / workers_);
  auto pool = std::make_unique<Pool>(executor_, ds, flags, limits);
  Pool& ref = *pool;
  pools_.emplace(key, std::move(pool));
  return ref;
}

void PoolSet::maintain() {
  for (auto& [key, pool] : pools_) pool->maintain();
}

void PoolSet::closeAll() {
  for (auto& [key, pool] : pools_) pool->closeAll();
}

}  // namespace shardproxy::backend
