// One client session's transaction over every backend connection it touches, whatever logical
// databases those serve: as with one MySQL server, a transaction spans databases freely.
//
// Participants are identified by the caller (one key per backend connection: the session's
// shard_session.h says which data sources share one).
// LOCAL (ShardingSphere's type): each participant begins its own transaction with the client's
// BEGIN as it joins; COMMIT and ROLLBACK go to each in turn.
// XA: the transaction has a gtrid of this proxy instance; each participant starts a branch
// (XA START gtrid, bqual: its data source's name, made unique within the transaction).
// COMMIT of one branch is XA COMMIT ... ONE PHASE. Of
// several: XA END and XA PREPARE on all at once; the commit decision goes to the coordinator log
// (a synced write) before any XA COMMIT; then XA COMMIT on each, and the decision is dropped. A
// failed PREPARE rolls every branch back. A crash anywhere in between is settled by recovery
// (txn/recovery.h): logged decisions commit, everything else rolls back.
// Savepoints are set on every participant; one that joins later gets those set so far, at the
// point it joins, so that rolling back to one of them undoes everything it did.
//
// The transaction talks to its participants only through the Participant interface: it never
// owns a connection (a participant may hold session state beyond the transaction).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/asio.h"
#include "common/status.h"

namespace shardproxy::txn {

class Coordinator;

// A backend connection taking part in a transaction.
class Participant {
 public:
  virtual ~Participant() = default;
  virtual const std::string& dataSource() const = 0;
  // Runs one statement whose results are not wanted.
  virtual awaitable<Status> execute(std::string sql) = 0;
};

enum class TransactionType { Local, Xa };

enum class SavepointOp { Set, RollbackTo, Release };

class Transaction {
 public:
  // `coordinator` null: XA is not available (every transaction is LOCAL).
  Transaction(Coordinator* coordinator, TransactionType type)
      : coordinator_(coordinator), type_(type) {}
  ~Transaction() { reset(); }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  TransactionType type() const { return type_; }
  // SET DIST VARIABLE transaction_type; refused (1568) while a transaction is open, including
  // one a backend connection of the session is in (`nativeOpen`).
  Status setType(TransactionType type, bool nativeOpen);

  // Open: begun by BEGIN (or, in XA mode, by a statement with autocommit off) and not ended.
  bool open() const { return begin_.has_value(); }
  bool xa() const { return xa_.has_value(); }
  // The statement that began it ("BEGIN" for an implicit one); empty when not open.
  std::string beginStatement() const { return begin_.value_or(std::string()); }
  // Whether it was begun READ ONLY (kept after it ends, for AND CHAIN).
  bool readOnly() const { return readOnly_; }

  // BEGIN / START TRANSACTION as written (each participant that joins a LOCAL transaction
  // begins with it); in XA mode a new gtrid whose branches start read-only with `readOnly`
  // (XA START takes no options; WITH CONSISTENT SNAPSHOT has no XA form).
  void begin(std::string statement, bool readOnly);

  // Brings the connection `p`, known to the caller as `participant`, into the transaction: a
  // branch of the XA transaction, or the LOCAL transaction's BEGIN unless the connection is in
  // one already (`nativeOpen`). `implicitStart`: with autocommit off, the connection's next
  // statement begins the transaction it is in. Whoever joins also gets SET TRANSACTION for the
  // next transaction and the savepoints set so far.
  awaitable<Status> join(Participant& p, const std::string& participant, bool nativeOpen,
                         bool implicitStart);
  // Whether join() would send the connection anything (most statements: no, and then the
  // caller need not await it).
  bool joins(const std::string& participant, bool nativeOpen, bool implicitStart) const;

  struct Branch {
    std::string participant;  // the caller's key
    std::string bqual;        // unique within the transaction
  };
  // The XA branches, in the order they started.
  const std::vector<Branch>& branches() const;
  bool isBranch(const std::string& participant) const;

  struct EndResult {
    Status status = Status::ok();
    // Per participant: its connection must be closed (a branch that could not be rolled back or
    // committed by statement is, by closing its connection; recovery finishes a committed one).
    std::vector<bool> discard;
    // COMMIT: how many connections of their own (`local`) committed before one failed (the rest
    // are rolled back).
    size_t committed = 0;
  };
  // COMMIT (`commit`) or ROLLBACK. `branches`: the XA branches' connections in branches() order
  // (null where a connection is gone, and with it its branch); `local`: connections in a
  // transaction of their own (every participant of a LOCAL transaction; under XA one that never
  // started a branch), each sent COMMIT / ROLLBACK in turn, after the branches; once a COMMIT
  // fails (a lost connection: its server rolled it back) the rest are rolled back, so that the
  // transaction is all or nothing when the first fails. `discard` is in
  // the order of `branches` then `local`. The transaction is closed afterwards, whatever
  // happened.
  awaitable<EndResult> end(bool commit, std::vector<Participant*> branches,
                           std::vector<Participant*> local);

  // SAVEPOINT / ROLLBACK TO / RELEASE on every participant (1305 when it does not exist).
  awaitable<Status> savepoint(SavepointOp op, const std::string& name,
                              std::vector<Participant*> participants);

  // SET TRANSACTION for the next transaction only: each participant gets it as it joins.
  // Refused (1568) while a transaction is open, including one a backend connection of the
  // session is in (`nativeOpen`: autocommit off).
  Status setNext(std::string statement, bool nativeOpen = false);

  // COM_RESET_CONNECTION or the session's end: everything forgotten (branches end with their
  // connections, which the caller closes).
  void reset();

 private:
  struct Xa {
    std::string gtrid;
    bool readOnly = false;
    std::vector<Branch> branches;
  };
  awaitable<Status> endXa(bool commit, std::vector<Participant*> branches,
                          std::vector<bool>& discard);
  bool joinsXa(const std::string& participant) const;
  bool joinsLocal(bool nativeOpen) const;
  // `dataSource` as a bqual no earlier branch of this transaction has, at most kMaxBqualLength
  // bytes: the name itself when it can be, else cut and suffixed with "#<n>".
  std::string uniqueBqual(const std::string& dataSource) const;

  Coordinator* coordinator_;
  TransactionType type_;
  std::optional<std::string> begin_;
  bool readOnly_ = false;
  std::optional<Xa> xa_;
  std::vector<std::string> savepoints_;  // oldest first
  std::optional<std::string> next_;
};

// Runs sql[i] on participants[i], all at once on the caller's executor; the statuses in order.
awaitable<std::vector<Status>> onEach(std::vector<Participant*> participants,
                                      std::vector<std::string> sql);

}  // namespace shardproxy::txn
