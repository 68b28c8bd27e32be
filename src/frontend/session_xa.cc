// Transactions over several data sources: XA, savepoints on every participant, and the DistSQL
// variables that choose the transaction type.
//
// A transaction begins (BEGIN, or the first statement with autocommit off) with a gtrid of this
// proxy instance; each data source it touches starts a branch (XA START gtrid, data source) on
// the connection held for it. COMMIT of one branch is XA COMMIT ... ONE PHASE. Of several: XA END
// and XA PREPARE on all at once; the commit decision goes to the coordinator log (a synced
// RocksDB write) before any XA COMMIT; then XA COMMIT on each, and the decision is dropped. A
// failed PREPARE rolls every branch back. A crash anywhere in between is settled by recovery
// (txn/recovery.h): logged decisions commit, everything else rolls back.
#include <strings.h>

#include <algorithm>

#include "common/log.h"
#include "common/run_all.h"
#include "frontend/session.h"
#include "txn/failpoint.h"

namespace shardproxy::frontend {

namespace pstatus = protocol::status;

namespace {

inline constexpr uint16_t kErUnknownSystemVariable = 1193;
inline constexpr uint16_t kErWrongValueForVar = 1231;
inline constexpr uint16_t kErCantChangeTxCharacteristics = 1568;

std::string upperAscii(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

Status firstError(const std::vector<Status>& statuses) {
  for (const Status& s : statuses) {
    if (!s) return s;
  }
  return Status::ok();
}

}  // namespace

void Session::handleDistVariable(const DistVariableStatement& s) {
  if (s.set) {
    if (s.name != "transaction_type") {
      writeError(
          Status(kErUnknownSystemVariable, "HY000", "Unknown system variable '" + s.name + "'"));
      return;
    }
    std::string value = upperAscii(s.value);
    if (value == "BASE") {
      writeError(Status(er::kNotSupportedYet, "42000",
                        "unsupported: transaction type BASE (LOCAL and XA are available)"));
      return;
    }
    if (value != "LOCAL" && value != "XA") {
      writeError(
          Status(kErWrongValueForVar, "42000",
                 "Variable 'transaction_type' can't be set to the value of '" + s.value + "'"));
      return;
    }
    if (localBegin_ || xa_ || (statusFlags() & pstatus::kInTrans)) {
      writeError(Status(kErCantChangeTxCharacteristics, "25001",
                        "Transaction characteristics can't be changed while a transaction is in "
                        "progress"));
      return;
    }
    transactionType_ = value == "XA" ? TransactionType::Xa : TransactionType::Local;
    writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
    return;
  }
  const XaRecoveryCounters& r = context_.xaRecovery;
  std::vector<std::pair<std::string, std::string>> all = {
      {"transaction_type", transactionType_ == TransactionType::Xa ? "XA" : "LOCAL"},
      {"xa_recovery_runs", std::to_string(r.runs.load())},
      {"xa_recovery_in_doubt", std::to_string(r.inDoubt.load())},
      {"xa_recovery_committed", std::to_string(r.committed.load())},
      {"xa_recovery_rolled_back", std::to_string(r.rolledBack.load())},
      {"xa_recovery_unreachable", std::to_string(r.unreachable.load())},
  };
  std::vector<std::vector<std::string>> rows;
  for (const auto& [name, value] : all) {
    if (!s.name.empty() && s.name != name) continue;
    rows.push_back(s.dist ? std::vector<std::string>{name, value}
                          : std::vector<std::string>{value});
  }
  if (rows.empty()) {
    writeError(
        Status(kErUnknownSystemVariable, "HY000", "Unknown system variable '" + s.name + "'"));
    return;
  }
  if (s.dist) {
    writeTextResult({"variable_name", "variable_value"}, rows);
  } else {
    writeTextResult({s.name}, rows);
  }
}

void Session::beginXa(bool readOnly) {
  xa_.emplace();
  xa_->gtrid = context_.xids->next();
  xa_->readOnly = readOnly;
  // Registered before any branch exists, so recovery never takes one of them for abandoned.
  context_.xaActive.add(xa_->gtrid);
  if (!localBegin_) {
    localBegin_ = "BEGIN";
    localDatabase_ = database_;
  }
}

awaitable<std::vector<Status>> Session::onEach(std::vector<backend::Connection*> conns,
                                               std::vector<std::string> sql) {
  std::vector<Status> out(conns.size(), Status::ok());
  if (topology_->props.sqlShow) {
    for (size_t i = 0; i < conns.size(); ++i) {
      spdlog::info("Actual SQL: {} ::: {}", conns[i]->dataSourceName(), sql[i]);
    }
  }
  if (conns.size() == 1) {
    out[0] = co_await conns[0]->execute(sql[0]);
    co_return out;
  }
  co_await runAll(worker_.io().get_executor(), conns.size(), [&](size_t i) -> awaitable<void> {
    out[i] = co_await conns[i]->execute(sql[i]);
  });
  co_return out;
}

awaitable<bool> Session::endXaTransaction(bool commit, bool report) {
  XaTransaction xa = std::move(*xa_);
  xa_.reset();
  localBegin_.reset();
  std::vector<std::pair<std::string, std::string>> keys;
  std::vector<backend::Connection*> conns;
  std::vector<std::string> xids;
  std::vector<std::string> dataSources;
  for (const auto& key : xa.branches) {
    auto it = held_.find(key);
    if (it == held_.end() || !it->second.conn) continue;
    keys.push_back(key);
    conns.push_back(it->second.conn.get());
    xids.push_back(txn::xidSql(txn::Xid{xa.gtrid, key.second}));
    dataSources.push_back(key.second);
  }
  auto onAll = [&](const std::string& verb, const std::string& suffix) {
    std::vector<std::string> sql;
    for (const std::string& x : xids) sql.push_back(verb + " " + x + suffix);
    return onEach(conns, sql);
  };

  Status failure = Status::ok();
  std::vector<bool> discard(conns.size(), false);
  if (!conns.empty()) {
    Status ended = firstError(co_await onAll("XA END", ""));
    bool rollback = !commit || !ended;
    // (A ROLLBACK succeeds whatever END said: a branch that cannot be rolled back by statement
    // is by closing its connection, below.)
    if (!ended && commit) failure = ended;
    if (!rollback && conns.size() == 1) {
      failure = firstError(co_await onAll("XA COMMIT", " ONE PHASE"));
    } else if (!rollback) {
      Status prepared = firstError(co_await onAll("XA PREPARE", ""));
      if (prepared) {
        txn::failpoint("xa-after-prepare");
        // The synced write runs off the worker, which serves its other sessions meanwhile.
        prepared = co_await asio::co_spawn(
            context_.blocking->get_executor(),
            [&]() -> awaitable<Status> {
              co_return context_.xaLog->logCommit(xa.gtrid, dataSources);
            },
            use_awaitable);
      }
      if (!prepared) {
        failure = prepared;
        rollback = true;
      } else {
        // Decided: from here the transaction is committed, whatever fails below (recovery
        // finishes what a branch could not).
        txn::failpoint("xa-after-log");
        bool allCommitted = true;
        for (size_t i = 0; i < conns.size(); ++i) {
          std::vector<backend::Connection*> one = {conns[i]};
          std::vector<std::string> sql = {"XA COMMIT " + xids[i]};
          Status c = (co_await onEach(one, sql)).front();
          if (!c) {
            allCommitted = false;
            discard[i] = true;
            spdlog::warn("XA COMMIT of {} on {} failed ({}); recovery will commit it", xa.gtrid,
                         dataSources[i], c.message());
          }
          if (i == 0) txn::failpoint("xa-after-first-commit");
        }
        if (allCommitted) {
          Status f = context_.xaLog->finish(xa.gtrid);
          if (!f) spdlog::warn("XA: could not clear the decision of {}: {}", xa.gtrid, f.message());
        } else {
          context_.xaRecovery.wanted = true;
        }
      }
    }
    if (rollback) {
      std::vector<Status> rolled = co_await onAll("XA ROLLBACK", "");
      // A branch that could not be rolled back (still active after a failed END, or a lost
      // connection) is rolled back by closing its connection.
      for (size_t i = 0; i < rolled.size(); ++i) {
        if (!rolled[i]) discard[i] = true;
      }
    }
  }
  context_.xaActive.remove(xa.gtrid);

  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = held_.find(keys[i]);
    if (it == held_.end()) continue;
    HeldConnection& held = it->second;
    if (discard[i] || held.conn->broken()) {
      // The state this connection carried is gone with it (as in finish()).
      if (held.sticky) stopRequested_ = true;
      held.pool->discard(std::move(held.conn));
      held_.erase(it);
      continue;
    }
    uint16_t status = held.conn->serverStatus();
    bool inTransaction = (status & pstatus::kInTrans) || !(status & pstatus::kAutocommit);
    if (held.sticky || inTransaction) continue;
    held.pool->release(std::move(held.conn));
    held_.erase(it);
  }
  if (!failure) {
    if (report) writeError(failure);
    co_return false;
  }
  co_return true;
}

std::vector<backend::Connection*> Session::participants() {
  std::vector<backend::Connection*> out;
  for (auto& [key, held] : held_) {
    if (key.first != database_ || !held.conn) continue;
    uint16_t st = held.conn->serverStatus();
    if ((st & pstatus::kInTrans) || !(st & pstatus::kAutocommit) || (xa_ && xa_->has(key))) {
      out.push_back(held.conn.get());
    }
  }
  return out;
}

awaitable<void> Session::savepoint(const parser::ast::Statement& s) {
  using Tcl = parser::ast::TclKind;
  const std::string& name = s.transaction.savepoint.value;
  auto same = [&](const std::string& other) {
    return strcasecmp(other.c_str(), name.c_str()) == 0;
  };
  auto it = std::find_if(savepoints_.begin(), savepoints_.end(), same);
  if (s.tclKind != Tcl::Savepoint && it == savepoints_.end()) {
    writeError(Status(1305, "42000", "SAVEPOINT " + name + " does not exist"));
    co_return;
  }
  std::string verb = s.tclKind == Tcl::Savepoint             ? "SAVEPOINT "
                     : s.tclKind == Tcl::RollbackToSavepoint ? "ROLLBACK TO SAVEPOINT "
                                                             : "RELEASE SAVEPOINT ";
  std::vector<backend::Connection*> conns = participants();
  std::vector<std::string> sql(conns.size(), verb + quoteIdentifier(name));
  Status failed = firstError(co_await onEach(conns, sql));
  if (!failed) {
    writeError(failed);
    co_return;
  }
  switch (s.tclKind) {
    case Tcl::Savepoint:
      if (it != savepoints_.end()) savepoints_.erase(it);
      savepoints_.push_back(name);
      break;
    case Tcl::RollbackToSavepoint:
      savepoints_.erase(it + 1, savepoints_.end());
      break;
    default:
      savepoints_.erase(it, savepoints_.end());
      break;
  }
  writeOk(protocol::OkPacket{0, 0, statusFlags(), 0, {}});
}

}  // namespace shardproxy::frontend
