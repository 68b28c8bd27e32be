// One client session's transaction over the data sources of a logical database.
//
// LOCAL (ShardingSphere's type): each data source the transaction touches begins its own
// transaction with the client's BEGIN; COMMIT and ROLLBACK go to each in turn.
// XA: the transaction has a gtrid of this proxy instance; each data source it touches starts a
// branch (XA START gtrid, data source). COMMIT of one branch is XA COMMIT ... ONE PHASE. Of
// several: XA END and XA PREPARE on all at once; the commit decision goes to the coordinator log
// (a synced write) before any XA COMMIT; then XA COMMIT on each, and the decision is dropped. A
// failed PREPARE rolls every branch back. A crash anywhere in between is settled by recovery
// (txn/recovery.h): logged decisions commit, everything else rolls back.
// Savepoints are set on every participant; one that joins later gets those set so far.
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
  // The logical database the transaction belongs to (kept after it ends, for AND CHAIN).
  const std::string& database() const { return database_; }
  // The statement that began it ("BEGIN" for an implicit one); empty when not open.
  std::string beginStatement() const { return begin_.value_or(std::string()); }

  // BEGIN / START TRANSACTION as written (each data source that joins a LOCAL transaction
  // begins with it); in XA mode a new gtrid whose branches start read-only with `readOnly`
  // (XA START takes no options; WITH CONSISTENT SNAPSHOT has no XA form).
  void begin(std::string statement, std::string database, bool readOnly);

  // Brings `p` into the transaction when it first serves `database` (empty: no database): a
  // branch of the XA transaction, or the LOCAL transaction's BEGIN unless the connection is in
  // one already (`nativeOpen`). `implicitStart`: the connection is new to a session with
  // autocommit off; its first statement begins the transaction it joins. Whoever joins also
  // gets SET TRANSACTION for the next transaction and the savepoints set so far.
  awaitable<Status> join(Participant& p, const std::string& database, bool nativeOpen,
                         bool implicitStart);
  // Whether join() would send `dataSource`'s connection anything (most statements: no, and
  // then the caller need not await it).
  bool joins(const std::string& database, const std::string& dataSource, bool nativeOpen,
             bool implicitStart) const;
  // The data sources with an XA branch, in the order they joined.
  const std::vector<std::string>& branches() const;

  struct EndResult {
    Status status = Status::ok();
    // Per participant: its connection must be closed (a branch that could not be rolled back or
    // committed by statement is, by closing its connection; recovery finishes a committed one).
    std::vector<bool> discard;
  };
  // COMMIT (`commit`) or ROLLBACK. LOCAL: `participants` are the connections in a transaction,
  // each sent the statement in turn. XA: `participants` are the branches, in branches() order.
  // The transaction is closed afterwards, whatever happened.
  awaitable<EndResult> end(bool commit, std::vector<Participant*> participants);

  // SAVEPOINT / ROLLBACK TO / RELEASE on every participant (1305 when it does not exist).
  awaitable<Status> savepoint(SavepointOp op, const std::string& name,
                              std::vector<Participant*> participants);

  // SET TRANSACTION for the next transaction only: each data source gets it as it joins. Refused
  // (1568) while a transaction is open.
  Status setNext(std::string statement);

  // COM_RESET_CONNECTION or the session's end: everything forgotten (branches end with their
  // connections, which the caller closes).
  void reset();

 private:
  struct Xa {
    std::string gtrid;
    bool readOnly = false;
    std::vector<std::string> branches;
  };
  awaitable<EndResult> endXa(bool commit, std::vector<Participant*> participants);
  bool joinsXa(const std::string& database, const std::string& dataSource) const;
  bool joinsLocal(const std::string& database, bool nativeOpen) const;

  Coordinator* coordinator_;
  TransactionType type_;
  std::optional<std::string> begin_;
  std::string database_;
  std::optional<Xa> xa_;
  std::vector<std::string> savepoints_;  // oldest first
  std::optional<std::string> next_;
};

// Runs sql[i] on participants[i], all at once on the caller's executor; the statuses in order.
awaitable<std::vector<Status>> onEach(std::vector<Participant*> participants,
                                      std::vector<std::string> sql);

}  // namespace shardproxy::txn
