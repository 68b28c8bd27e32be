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

// ER_XA_RBROLLBACK: what MySQL answers a COMMIT whose branch was rolled back.
constexpr uint16_t kXaRbRollback = 1402;

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

void Transaction::begin(std::string statement, bool readOnly) {
  begin_ = std::move(statement);
  readOnly_ = readOnly;
  if (type_ == TransactionType::Xa && coordinator_) {
    if (xa_) coordinator_->ended(xa_->gtrid);
    xa_.emplace();
    xa_->gtrid = coordinator_->begin();
    xa_->readOnly = readOnly;
  }
}

const std::vector<Transaction::Branch>& Transaction::branches() const {
  static const std::vector<Branch> kNone;
  return xa_ ? xa_->branches : kNone;
}

bool Transaction::isBranch(const std::string& participant) const {
  if (!xa_) return false;
  return std::any_of(xa_->branches.begin(), xa_->branches.end(),
                     [&](const Branch& b) { return b.participant == participant; });
}

bool Transaction::joinsXa(const std::string& participant) const {
  return xa_ && !isBranch(participant);
}

bool Transaction::joinsLocal(bool nativeOpen) const { return !xa_ && begin_ && !nativeOpen; }

bool Transaction::joins(const std::string& participant, bool nativeOpen,
                        bool implicitStart) const {
  return implicitStart || joinsXa(participant) || joinsLocal(nativeOpen);
}

std::string Transaction::uniqueBqual(const std::string& dataSource) const {
  auto taken = [&](const std::string& bqual) {
    return std::any_of(xa_->branches.begin(), xa_->branches.end(),
                       [&](const Branch& b) { return b.bqual == bqual; });
  };
  // Data source names are per logical database: two databases may both have a `ds_0`, even on
  // one server, where a repeated xid would be refused (XAER_DUPID).
  if (dataSource.size() <= kMaxBqualLength && !taken(dataSource)) return dataSource;
  for (size_t n = 2;; ++n) {
    std::string suffix = "#" + std::to_string(n);
    std::string bqual = dataSource.substr(0, kMaxBqualLength - suffix.size()) + suffix;
    if (!taken(bqual)) return bqual;
  }
}

awaitable<Status> Transaction::join(Participant& p, const std::string& participant,
                                    bool nativeOpen, bool implicitStart) {
  bool joinsXa = this->joinsXa(participant);
  bool joinsLocal = this->joinsLocal(nativeOpen);
  if (!joinsXa && !joinsLocal && !implicitStart) co_return Status::ok();
  Status s = Status::ok();
  if (next_) s = co_await p.execute(*next_);
  if (s && joinsXa) {
    Xid xid{xa_->gtrid, uniqueBqual(p.dataSource())};
    if (xa_->readOnly) s = co_await p.execute("SET TRANSACTION READ ONLY");
    if (s) s = co_await p.execute("XA START " + xidSql(xid));
    if (s) xa_->branches.push_back(Branch{participant, xid.bqual});
  } else if (s && joinsLocal) {
    s = co_await p.execute(*begin_);
  }
  // The savepoints set before it joined exist on it too, at the point it joined.
  for (size_t i = 0; s && i < savepoints_.size(); ++i) {
    s = co_await p.execute("SAVEPOINT " + quoteIdentifier(savepoints_[i]));
  }
  co_return s;
}

awaitable<Transaction::EndResult> Transaction::end(bool commit, std::vector<Participant*> branches,
                                                   std::vector<Participant*> local) {
  savepoints_.clear();
  // SET TRANSACTION applies to the next transaction: it is used up when one ends (not by the
  // implicit commit of a BEGIN that has nothing to commit).
  if (begin_ || xa_ || !local.empty()) next_.reset();
  EndResult result;
  result.discard.assign(branches.size() + local.size(), false);
  if (xa_) {
    result.status = co_await endXa(commit, std::move(branches), result.discard);
  }
  begin_.reset();
  // (Under XA these are connections that never started a branch: they follow its outcome.)
  bool committing = commit && result.status;
  for (Participant* p : local) {
    Status st = co_await p->execute(committing ? "COMMIT" : "ROLLBACK");
    if (st && committing) ++result.committed;
    if (!st && result.status) result.status = st;
    if (!st) committing = false;
  }
  co_return result;
}

awaitable<Status> Transaction::endXa(bool commit, std::vector<Participant*> branches,
                                     std::vector<bool>& discard) {
  Xa xa = std::move(*xa_);
  xa_.reset();
  begin_.reset();
  // The branches whose connections are still here (one whose connection closed was rolled
  // back by its server), with their xids.
  std::vector<Participant*> participants;
  std::vector<size_t> index;  // into `branches` and `discard`
  std::vector<std::string> xids;
  std::vector<std::string> bquals;
  for (size_t i = 0; i < branches.size() && i < xa.branches.size(); ++i) {
    if (!branches[i]) continue;
    participants.push_back(branches[i]);
    index.push_back(i);
    xids.push_back(xidSql(Xid{xa.gtrid, xa.branches[i].bqual}));
    bquals.push_back(xa.branches[i].bqual);
  }
  auto onAll = [&](const std::string& verb, const std::string& suffix) {
    std::vector<std::string> sql;
    for (const std::string& x : xids) sql.push_back(verb + " " + x + suffix);
    return onEach(participants, std::move(sql));
  };

  Status status = Status::ok();
  // A branch whose connection is gone was rolled back by its server: the rest cannot commit.
  bool lost = participants.size() < xa.branches.size();
  if (lost && commit) {
    status = Status(kXaRbRollback, "XA100",
                    "XA_RBROLLBACK: Transaction branch was rolled back");
  }
  if (!participants.empty()) {
    Status ended = firstError(co_await onAll("XA END", ""));
    bool rollback = !commit || !ended || lost;
    // (A ROLLBACK succeeds whatever END said: a branch that cannot be rolled back by statement
    // is by closing its connection.)
    if (!ended && commit && status) status = ended;
    if (!rollback && participants.size() == 1) {
      status = firstError(co_await onAll("XA COMMIT", " ONE PHASE"));
    } else if (!rollback) {
      Status prepared = firstError(co_await onAll("XA PREPARE", ""));
      if (prepared) {
        failpoint("xa-after-prepare");
        prepared = co_await coordinator_->decideCommit(xa.gtrid, bquals);
      }
      if (!prepared) {
        status = prepared;
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
            discard[index[i]] = true;
            spdlog::warn("XA COMMIT of {} branch {} on {} failed ({}); recovery will commit it",
                         xa.gtrid, bquals[i], participants[i]->dataSource(), c.message());
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
        if (!rolled[i]) discard[index[i]] = true;
      }
    }
  }
  coordinator_->ended(xa.gtrid);
  co_return status;
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

Status Transaction::setNext(std::string statement, bool nativeOpen) {
  if (open() || nativeOpen) return cantChangeCharacteristics();
  next_ = std::move(statement);
  return Status::ok();
}

void Transaction::reset() {
  if (xa_ && coordinator_) coordinator_->ended(xa_->gtrid);
  xa_.reset();
  begin_.reset();
  readOnly_ = false;
  savepoints_.clear();
  next_.reset();
}

}  // namespace shardproxy::txn
