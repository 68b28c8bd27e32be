#include "txn/coordinator.h"

#include <filesystem>

#include "common/log.h"
#include "txn/recovery.h"

namespace shardproxy::txn {

namespace {

// Synced coordinator log writes at once (RocksDB joins concurrent ones into one fsync).
constexpr int kBlockingThreads = 8;

}  // namespace

Result<std::unique_ptr<Coordinator>> Coordinator::open(const std::string& dataDir) {
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  auto log = CoordinatorLog::open(dataDir + "/xa");
  if (!log) return log.status();
  return std::unique_ptr<Coordinator>(new Coordinator(std::move(log.value())));
}

Coordinator::Coordinator(std::unique_ptr<CoordinatorLog> durable)
    : durable_(std::move(durable)),
      log_(*durable_),
      xids_(durable_->instanceId(), durable_->boot()),
      blocking_(kBlockingThreads) {}

Coordinator::Coordinator(CommitLog& log, std::string instance, uint64_t boot)
    : log_(log), xids_(std::move(instance), boot), blocking_(1) {}

Coordinator::~Coordinator() { blocking_.join(); }

std::string Coordinator::begin() {
  std::string gtrid = xids_.next();
  active_.add(gtrid);
  return gtrid;
}

awaitable<Status> Coordinator::decideCommit(const std::string& gtrid,
                                            std::vector<std::string> dataSources) {
  // (By reference: this frame outlives the write. GCC 12 mishandles a coroutine lambda that
  // owns moved-in captures.)
  co_return co_await asio::co_spawn(
      blocking_.get_executor(),
      [&]() -> awaitable<Status> { co_return log_.logCommit(gtrid, dataSources); }, use_awaitable);
}

void Coordinator::committed(const std::string& gtrid) {
  Status f = log_.finish(gtrid);
  if (!f) spdlog::warn("XA: could not clear the decision of {}: {}", gtrid, f.message());
}

awaitable<void> Coordinator::recoveryLoop(const config::Topology& topology,
                                          const std::atomic<bool>& stopping) {
  if (!durable_) co_return;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  auto lastRun = std::chrono::steady_clock::now();
  bool again = true;  // the first pass runs at start-up
  for (;;) {
    if (stopping) co_return;
    RecoveryCounters& c = counters_;
    if (again || wanted_.exchange(false) ||
        std::chrono::steady_clock::now() - lastRun >= kRecoveryInterval) {
      lastRun = std::chrono::steady_clock::now();
      RecoveryReport r =
          co_await recover(co_await asio::this_coro::executor, topology, *durable_, xids_, active_);
      c.runs += 1;
      c.inDoubt += r.inDoubt;
      c.committed += r.committed;
      c.rolledBack += r.rolledBack;
      c.unreachable = r.unreachable;
      if (r.inDoubt > 0 || c.runs == 1) {
        spdlog::info(
            "XA recovery: {} in-doubt branch(es): {} committed, {} rolled back; {} "
            "server(s) unreachable",
            r.inDoubt, r.committed, r.rolledBack, r.unreachable);
      }
      again = r.unreachable > 0 || r.inDoubt > r.committed + r.rolledBack;
    }
    timer.expires_after(kRecoveryCheck);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

}  // namespace shardproxy::txn
