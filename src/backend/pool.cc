#include "backend/pool.h"

#include <algorithm>

#include "common/log.h"

namespace shardproxy::backend {

Pool::Pool(asio::any_io_executor executor, config::DataSource ds, ConnectFlags flags,
           DataSourceGate& gate, bool keepWarm)
    : GateMember(executor),
      executor_(std::move(executor)),
      ds_(std::move(ds)),
      flags_(flags),
      gate_(gate),
      keepWarm_(keepWarm),
      members_(std::make_shared<Members>(gate)) {
  gate_.attach(this);
}

Pool::~Pool() {
  closeAll();
  gate_.detach(this);
}

bool Pool::usable(Connection& c) const {
  if (ds_.maxLifetimeMs > 0 &&
      Clock::now() - c.createdAt() > std::chrono::milliseconds(ds_.maxLifetimeMs)) {
    return false;  // 0: no limit
  }
  return c.looksAlive();
}

awaitable<Result<std::unique_ptr<Connection>>> Pool::openWithSlot() {
  // From here the connection object holds the slot: destroying it gives the slot back.
  auto conn = std::make_unique<Connection>(executor_, ds_.name);
  conn->setOwner(members_);
  members_->conns.insert(conn.get());
  Status s = co_await conn->connect(ds_, flags_);
  if (!s) {
    lastConnectFailure_ = Clock::now();
    co_return s;
  }
  co_return std::move(conn);
}

awaitable<Result<std::unique_ptr<Connection>>> Pool::acquire(const Connection* preferred) {
  if (closed_) co_return makeError(er::kServerShutdown, "Server shutdown in progress");
  // Fails fast rather than waiting on a server that does not answer.
  if (gate_.down()) co_return gate_.downStatus();
  if (preferred) {
    for (auto it = idle_.begin(); it != idle_.end(); ++it) {
      if (it->get() != preferred) continue;
      std::unique_ptr<Connection> c = std::move(*it);
      idle_.erase(it);
      syncIdle();
      if (usable(*c)) co_return std::move(c);
      break;  // dropped: its slot goes back to the gate
    }
  }
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    syncIdle();
    if (usable(*c)) co_return std::move(c);
    // Stale (the server closed it or it outlived maxLifetime): dropped.
  }
  if (gate_.tryTake()) co_return co_await openWithSlot();

  // At the cap: wait in line for a connection or a slot. 0 means wait without limit, as in
  // ShardingSphere (HikariCP).
  auto deadline = ds_.connectionTimeoutMs > 0
                      ? Clock::now() + std::chrono::milliseconds(ds_.connectionTimeoutMs)
                      : Clock::time_point::max();
  auto grant = co_await gate_.wait(executor_, this, deadline, ds_.connectionTimeoutMs);
  if (!grant) co_return grant.status();
  if (grant.value().conn) co_return std::move(grant.value().conn);
  if (closed_) {
    gate_.give();
    co_return makeError(er::kServerShutdown, "Server shutdown in progress");
  }
  co_return co_await openWithSlot();
}

void Pool::release(std::unique_ptr<Connection> conn) {
  if (!conn) return;
  if (closed_ || conn->broken() || !conn->idleClean()) return;  // closed: its slot passes on
  conn->touch();
  conn = gate_.offer(std::move(conn), this);
  if (!conn) return;  // handed to a waiter here, or closed for a waiter elsewhere
  idle_.push_back(std::move(conn));
  syncIdle();
}

void Pool::discard(std::unique_ptr<Connection> conn) { conn.reset(); }

void Pool::shedIdle() {
  if (idle_.empty()) return;
  idle_.pop_front();  // the least recently used; its slot goes to the first waiter
  syncIdle();
}

void Pool::abortAll(const Status& why) {
  // A copy: aborting never destroys, but keep the iteration independent of it anyway.
  std::vector<Connection*> conns(members_->conns.begin(), members_->conns.end());
  for (Connection* c : conns) c->abort(why);
  idle_.clear();
  syncIdle();
}

void Pool::maintain() {
  if (closed_) return;
  auto now = Clock::now();
  auto idleTimeout = std::chrono::milliseconds(ds_.idleTimeoutMs);
  auto lifetime = std::chrono::milliseconds(ds_.maxLifetimeMs);
  // Oldest-used connections are at the front.
  for (auto it = idle_.begin(); it != idle_.end();) {
    bool excess = gate_.open() > gate_.minOpen();
    Connection& c = **it;
    bool idleTooLong = ds_.idleTimeoutMs > 0 && excess && now - c.lastUsed() > idleTimeout;
    bool tooOld = ds_.maxLifetimeMs > 0 && now - c.createdAt() > lifetime;
    if (idleTooLong || tooOld || !c.looksAlive()) {
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
  syncIdle();
  // Top the data source up to its minimum (over all workers), but not while it keeps failing.
  if (keepWarm_ && !gate_.down() && now - lastConnectFailure_ > std::chrono::seconds(5) &&
      gate_.tryTakeForWarmUp()) {
    asio::co_spawn(
        executor_,
        [this]() -> awaitable<void> {
          auto r = co_await openWithSlot();
          if (r) release(std::move(r.value()));
        },
        asio::detached);
  }
}

void Pool::closeAll() {
  closed_ = true;
  idle_.clear();
  syncIdle();
  gate_.failWaiters(this, makeError(er::kServerShutdown, "Server shutdown in progress"));
}

Pool& PoolSet::pool(const std::string& database, const config::DataSource& ds, ConnectFlags flags) {
  const std::string identity = ds.identity.empty() ? config::identityOf(ds) : std::string();
  std::string_view id = ds.identity.empty() ? std::string_view(identity) : ds.identity;
  auto it = pools_.find(
      std::make_tuple(std::string_view(database), std::string_view(ds.name), id, flags));
  if (it != pools_.end()) return *it->second;
  auto key = std::make_tuple(database, ds.name, std::string(id), flags);
  // The minimum is kept warm with the common connect flags only.
  bool keepWarm = !flags.foundRows && !flags.noDatabase;
  auto pool = std::make_unique<Pool>(executor_, ds, flags, gates_.get(database, ds), keepWarm);
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
