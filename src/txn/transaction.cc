#include "txn/transaction.h"

#include <strings.h>

#include <algorithm>

#include "common/log.h"
#include "common/run_all.h"
#include "common/sql_text.h"
#include "txn/coordinator.h"
#include "txn/failpoint.h"
#include "txn/xid.h"

namespace shardproxy::txn {

namespace {

Status firstError(const std::vector<Status>& statuses) {
  for (const Status& s : statuses) {
    if (!s) return s;
  }
  return Status::ok();
}

Status cantChangeCharacteristics() {
  return Status(er::kCantChangeTxCharacteristics, "25001",
                "Transaction characteristics can't be changed while a transaction is in progress");
}

}  // namespace

awaitable<std::vector<Status>> onEach(std::vector<Participant*> participants,
                                      std::vector<std::string> sql) {
  std::vector<Status> out(participants.size(), Status::ok());
  if (participants.size() == 1) {
    out[0] = co_await participants[0]->execute(sql[0]);
    co_return out;
  }
  co_await runAll(
      co_await asio::this_coro::executor, participants.size(),
      [&](size_t i) -> awaitable<void> { out[i] = co_await participants[i]->execute(sql[i]); });
  co_return out;
}

Status Transaction::setType(TransactionType type, bool nativeOpen) {
  if (open() || xa() || nativeOpen) return cantChangeCharacteristics();
  type_ = type;
  return Status::ok();
}

void Transaction::begin(std::string statement, std::string database, bool readOnly) {
  begin_ = std::move(statement);
  database_ = std::move(database);
  if (type_ == TransactionType::Xa && coordinator_) {
    if (xa_) coordinator_->ended(xa_->gtrid);
    xa_.emplace();
    xa_->gtrid = coordinator_->begin();
    xa_->readOnly = readOnly;
  }
}

const std::vector<std::string>& Transaction::branches() const {
  static const std::vector<std::string> kNone;
  return xa_ ? xa_->branches : kNone;
}

bool Transaction::joinsXa(const std::string& database, const std::string& dataSource) const {
  return xa_ && !database.empty() && database == database_ &&
         std::find(xa_->branches.begin(), xa_->branches.end(), dataSource) == xa_->branches.end();
}

bool Transaction::joinsLocal(const std::string& database, bool nativeOpen) const {
  return !xa_ && begin_ && !database.empty() && database == database_ && !nativeOpen;
}

bool Transaction::joins(const std::string& database, const std::string& dataSource,
                        bool nativeOpen, bool implicitStart) const {
  return implicitStart || joinsXa(database, dataSource) || joinsLocal(database, nativeOpen);
}

awaitable<Status> Transaction::join(Participant& p, const std::string& database, bool nativeOpen,
                                    bool implicitStart) {
  const std::string& ds = p.dataSource();
  bool joinsXa = this->joinsXa(database, ds);
  bool joinsLocal = this->joinsLocal(database, nativeOpen);
  if (!joinsXa && !joinsLocal && !implicitStart) co_return Status::ok();
  Status s = Status::ok();
  if (next_) s = co_await p.execute(*next_);
  if (s && joinsXa) {
    Xid xid{xa_->gtrid, ds};
    if (!xidFits(xid)) {
      s = Status(er::kNotSupportedYet, "42000",
                 "unsupported: XA with a data source name longer than 64 bytes");
    } else {
      if (xa_->readOnly) s = co_await p.execute("SET TRANSACTION READ ONLY");
      if (s) s = co_await p.execute("XA START " + xidSql(xid));
      if (s) xa_->branches.push_back(ds);
    }
  } else if (s && joinsLocal) {
    s = co_await p.execute(*begin_);
  }
  // The savepoints set before it joined exist on it too, at the point it joined.
  for (size_t i = 0; s && i < savepoints_.size(); ++i) {
    s = co_await p.execute("SAVEPOINT " + quoteIdentifier(savepoints_[i]));
  }
  co_return s;
}

awaitable<Transaction::EndResult> Transaction::end(bool commit,
                                                   std::vector<Participant*> participants) {
  savepoints_.clear();
  // SET TRANSACTION applies to the next transaction: it is used up when one ends (not by the
  // implicit commit of a BEGIN that has nothing to commit).
  if (begin_ || xa_ || !participants.empty()) next_.reset();
  if (xa_) co_return co_await endXa(commit, std::move(participants));
  begin_.reset();
  EndResult result;
  result.discard.assign(participants.size(), false);
  const char* statement = commit ? "COMMIT" : "ROLLBACK";
  for (Participant* p : participants) {
    Status st = co_await p->execute(statement);
    if (!st && result.status) result.status = st;
  }
  co_return result;
}

awaitable<Transaction::EndResult> Transaction::endXa(bool commit,
                                                     std::vector<Participant*> participants) {
  Xa xa = std::move(*xa_);
  xa_.reset();
  begin_.reset();
  std::vector<std::string> xids;
  std::vector<std::string> dataSources;
  for (Participant* p : participants) {
    xids.push_back(xidSql(Xid{xa.gtrid, p->dataSource()}));
    dataSources.push_back(p->dataSource());
  }
  auto onAll = [&](const std::string& verb, const std::string& suffix) {
    std::vector<std::string> sql;
    for (const std::string& x : xids) sql.push_back(verb + " " + x + suffix);
    return onEach(participants, std::move(sql));
  };

  EndResult result;
  result.discard.assign(participants.size(), false);
  if (!participants.empty()) {
    Status ended = firstError(co_await onAll("XA END", ""));
    bool rollback = !commit || !ended;
    // (A ROLLBACK succeeds whatever END said: a branch that cannot be rolled back by statement
    // is by closing its connection.)
    if (!ended && commit) result.status = ended;
    if (!rollback && participants.size() == 1) {
      result.status = firstError(co_await onAll("XA COMMIT", " ONE PHASE"));
    } else if (!rollback) {
      Status prepared = firstError(co_await onAll("XA PREPARE", ""));
      if (prepared) {
        failpoint("xa-after-prepare");
        prepared = co_await coordinator_->decideCommit(xa.gtrid, dataSources);
      }
      if (!prepared) {
        result.status = prepared;
        rollback = true;
      } else {
        // Decided: from here the transaction is committed, whatever fails below (recovery
        // finishes what a branch could not).
        failpoint("xa-after-log");
        bool allCommitted = true;
        for (size_t i = 0; i < participants.size(); ++i) {
          Status c = co_await participants[i]->execute("XA COMMIT " + xids[i]);
          if (!c) {
            allCommitted = false;
            result.discard[i] = true;
            spdlog::warn("XA COMMIT of {} on {} failed ({}); recovery will commit it", xa.gtrid,
                         dataSources[i], c.message());
          }
          if (i == 0) failpoint("xa-after-first-commit");
        }
        if (allCommitted) {
          coordinator_->committed(xa.gtrid);
        } else {
          coordinator_->recoverSoon();
        }
      }
    }
    if (rollback) {
      std::vector<Status> rolled = co_await onAll("XA ROLLBACK", "");
      // A branch that could not be rolled back (still active after a failed END, or a lost
      // connection) is rolled back by closing its connection.
      for (size_t i = 0; i < rolled.size(); ++i) {
        if (!rolled[i]) result.discard[i] = true;
      }
    }
  }
  coordinator_->ended(xa.gtrid);
  co_return result;
}

awaitable<Status> Transaction::savepoint(SavepointOp op, const std::string& name,
                                         std::vector<Participant*> participants) {
  auto same = [&](const std::string& other) {
    return strcasecmp(other.c_str(), name.c_str()) == 0;
  };
  auto it = std::find_if(savepoints_.begin(), savepoints_.end(), same);
  if (op != SavepointOp::Set && it == savepoints_.end()) {
    co_return Status(er::kSpDoesNotExist, "42000", "SAVEPOINT " + name + " does not exist");
  }
  const char* verb = op == SavepointOp::Set          ? "SAVEPOINT "
                     : op == SavepointOp::RollbackTo ? "ROLLBACK TO SAVEPOINT "
                                                     : "RELEASE SAVEPOINT ";
  std::vector<std::string> sql(participants.size(), verb + quoteIdentifier(name));
  Status failed = firstError(co_await onEach(std::move(participants), std::move(sql)));
  if (!failed) co_return failed;
  switch (op) {
    case SavepointOp::Set:
      if (it != savepoints_.end()) savepoints_.erase(it);
      savepoints_.push_back(name);
      break;
    case SavepointOp::RollbackTo:
      savepoints_.erase(it + 1, savepoints_.end());
      break;
    case SavepointOp::Release:
      savepoints_.erase(it, savepoints_.end());
      break;
  }
  co_return Status::ok();
}

Status Transaction::setNext(std::string statement) {
  if (open()) return cantChangeCharacteristics();
  next_ = std::move(statement);
  return Status::ok();
}

void Transaction::reset() {
  if (xa_ && coordinator_) coordinator_->ended(xa_->gtrid);
  xa_.reset();
  begin_.reset();
  savepoints_.clear();
  next_.reset();
}

}  // namespace shardproxy::txn
