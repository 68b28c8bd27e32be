#include "txn/recovery.h"

#include <charconv>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "backend/connection.h"
#include "common/log.h"
#include "common/run_all.h"

namespace shardproxy::txn {

namespace {

int64_t number(const char* text) {
  int64_t v = -1;
  std::from_chars(text, text + std::strlen(text), v);
  return v;
}

// Settles the branches of one server (see recover()); adds to `report` and `stillPrepared`.
// `accounts` are the server's data sources: the next is tried when the server refuses one (a
// wrong password, a database dropped), not when it does not answer.
awaitable<void> recoverServer(asio::any_io_executor executor,
                              const std::vector<const config::DataSource*>& accounts,
                              CoordinatorLog& log, const XidGenerator& xids,
                              const ActiveTransactions& active, RecoveryReport& report,
                              std::set<std::string>& stillPrepared) {
  const config::DataSource* ds = accounts.front();
  std::unique_ptr<backend::Connection> connection;
  Status s;
  for (const config::DataSource* account : accounts) {
    ds = account;
    connection = std::make_unique<backend::Connection>(executor, ds->name);
    s = co_await connection->connect(*ds, backend::ConnectFlags{});
    if (s || s.code() >= er::kCrConnectionError) break;
  }
  backend::Connection& conn = *connection;
  std::vector<Xid> found;
  if (s) s = co_await conn.query("XA RECOVER");
  if (s) {
    for (;;) {
      MYSQL_ROW row = nullptr;
      s = co_await conn.fetchRow(row);
      if (!s || !row) break;
      const unsigned long* len = conn.rowLengths();
      if (!row[0] || !row[1] || !row[2] || !row[3]) continue;
      auto xid = parseRecoverRow(number(row[0]), number(row[1]), number(row[2]),
                                 std::string_view(row[3], len[3]));
      if (xid && xid->formatId == kFormatId && xids.ours(xid->gtrid)) found.push_back(*xid);
    }
  }
  if (!s) {
    ++report.unreachable;
    spdlog::warn("XA recovery: data source {} ({}:{}) not reachable, tried again later: {}",
                 ds->name, ds->host, ds->port, s.message());
    co_return;
  }
  for (const Xid& xid : found) {
    if (active.contains(xid.gtrid)) {
      stillPrepared.insert(xid.gtrid);
      continue;  // its coordinator, this process, is deciding it right now
    }
    ++report.inDoubt;
    auto decision = log.readDecision(xid.gtrid);
    if (!decision) {
      // Neither commit nor roll back on a guess: the branch waits for the next run.
      stillPrepared.insert(xid.gtrid);
      spdlog::warn("XA recovery: reading the decision of {} failed: {}", xid.gtrid,
                   decision.status().message());
      continue;
    }
    bool commit = decision->has_value();
    std::string sql = (commit ? "XA COMMIT " : "XA ROLLBACK ") + xidSql(xid);
    Status r = co_await conn.execute(sql);
    if (r) {
      ++(commit ? report.committed : report.rolledBack);
      spdlog::info("XA recovery: {} branch {} of {} on {}", commit ? "committed" : "rolled back",
                   xid.bqual, xid.gtrid, ds->name);
    } else {
      stillPrepared.insert(xid.gtrid);
      spdlog::warn("XA recovery: {} failed on {}: {}", sql, ds->name, r.message());
    }
  }
}

}  // namespace

std::vector<std::vector<const config::DataSource*>> recoveryServers(
    const config::Topology& topology) {
  std::vector<std::vector<const config::DataSource*>> out;
  std::map<std::string, size_t> index;  // host:port -> position in `out`
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      auto [it, added] = index.emplace(ds.host + ":" + std::to_string(ds.port), out.size());
      if (added) out.emplace_back();
      out[it->second].push_back(&ds);
    }
  }
  return out;
}

awaitable<RecoveryReport> recover(asio::any_io_executor executor, const config::Topology& topology,
                                  CoordinatorLog& log, const XidGenerator& xids,
                                  const ActiveTransactions& active) {
  RecoveryReport report;
  std::set<std::string> stillPrepared;  // gtrids of this instance seen prepared anywhere
  // Every server at once, so that one that is down (waiting out its connect timeout) holds up
  // no other. They all run on `executor`'s thread: the shared results need no lock.
  std::vector<std::vector<const config::DataSource*>> all = recoveryServers(topology);
  co_await runAll(executor, all.size(), [&](size_t i) {
    return recoverServer(executor, all[i], log, xids, active, report, stillPrepared);
  });
  // A decision is done with once no server holds a branch of it prepared; with a server not
  // asked, it may still be needed.
  if (report.unreachable == 0) {
    for (const auto& [gtrid, sources] : log.pending()) {
      if (stillPrepared.count(gtrid) || active.contains(gtrid)) continue;
      Status f = log.finish(gtrid);
      if (!f)
        spdlog::warn("XA recovery: could not clear the decision of {}: {}", gtrid, f.message());
    }
  }
  co_return report;
}

}  // namespace shardproxy::txn
