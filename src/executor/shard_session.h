// The backend side of one client session: the connections it holds between statements (its
// transaction's, or state the proxy cannot replay elsewhere), its session variables replayed on
// each connection it uses, its transaction over every logical database and data source it
// touches, and what runs where now (for KILL). Every connection the engine uses is acquired and
// finished here, which is where a connection joins the session's transaction.
//
// One held connection per participant key (participantKey()): data sources of different logical
// databases that are the same endpoint (server, account, actual database, URL parameters) share
// one connection, and so one transaction participant, as one MySQL session would. Any other
// difference (another account or actual database on the same server) is another connection and
// another participant: a connection has one account and one default database.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/asio.h"
#include "common/memory_budget.h"
#include "common/status.h"
#include "config/topology.h"
#include "executor/deadlock_detector.h"
#include "executor/session_variables.h"
#include "executor/shard_connection.h"
#include "executor/statement_facts.h"
#include "metadata/table_catalog.h"
#include "metadata/table_schema.h"
#include "router/sharding_rule.h"
#include "txn/transaction.h"

namespace shardproxy::txn {
class Coordinator;
}

namespace shardproxy::executor {

// What every session of the process shares, read-only after start-up (the catalog changes
// through its own snapshots, the coordinator is thread-safe).
// One configuration and what was built from it (rules, metadata), with the process's shared
// parts. A reload makes a new Services that shares those parts; each session moves to it
// between statements (ShardSession::adopt).
struct Services {
  std::shared_ptr<const config::Topology> topology;
  uint64_t generation = 0;                        // 0 at start, one more per reload
  router::RuleSet rules;                          // by logical database
  metadata::TableCatalog tables;                  // where unruled tables live
  metadata::SchemaStore schemas;                  // logical tables' columns and keys
  std::shared_ptr<txn::Coordinator> coordinator;  // null: no XA
  // What every statement holds, within proxy-memory-limit (the one mutable part: atomic); null:
  // not counted.
  std::shared_ptr<ProcessMemory> memory;
  std::shared_ptr<DeadlockDetector> deadlocks;  // null: no detection across servers
  // What VERSION() and @@version answer: the greeting's version without MariaDB's "5.5.5-"
  // prefix, as MariaDB answers them; empty: the backend's.
  std::string serverVersion;
};

// A connection the session uses for one statement or keeps between statements.
struct HeldConnection {
  std::unique_ptr<ShardConnection> conn;
  bool sticky = false;  // holds state that cannot be replayed: kept for the session's life
  bool pinned = false;  // was kept from an earlier statement (transaction or sticky state)
  // Holds table locks (LOCK TABLES, FLUSH TABLES ... WITH READ LOCK) of the session: kept until
  // UNLOCK TABLES (unlockTables()).
  bool locked = false;
};

class ShardSession {
 public:
  ShardSession(ConnectionSource& source, std::shared_ptr<Services> services, uint32_t connectionId);
  ~ShardSession();
  ShardSession(const ShardSession&) = delete;
  ShardSession& operator=(const ShardSession&) = delete;

  // ---- what the front end sets ----
  const config::User* user = nullptr;
  std::string clientHost;  // the client's address, as USER() shows it
  std::string database;    // logical database in use; empty if none
  bool foundRows = false;  // CLIENT_FOUND_ROWS: backends report matched rows
  bool multiStatements = false;
  // The client connection's TLS protocol and cipher (SHOW STATUS answers them); empty: plain.
  std::string tlsVersion;
  std::string tlsCipher;
  SessionVariables variables;

  uint32_t connectionId() const { return connectionId_; }
  // The proxy user logged in from `clientHost` (null before authentication).
  void setUser(const config::User* u, const std::string& clientHost);
  // What DATABASE(), CONNECTION_ID(), USER() and CURRENT_USER() answer for this session.
  SessionIdentity identity() const {
    SessionIdentity id{database, connectionId_, userAtClient_, account_};
    id.proxyVariables = &variables.proxyValues;
    id.props = &services_->topology->props;
    id.serverVersion = services_->serverVersion;
    return id;
  }
  const config::Topology& topology() const { return *services_->topology; }
  Services& services() const { return *services_; }
  // Whether the session may move to another configuration now: it holds no backend connection
  // (so no transaction, table locks or state kept on one).
  bool mayAdopt() const { return held_.empty() && !transaction_.open(); }
  // Moves to `next` (a reloaded configuration), as `user` (the session's account there).
  void adopt(std::shared_ptr<Services> next, const config::User* user);
  bool sqlShow() const { return services_->topology->props.sqlShow; }
  // Logs a statement sent to a data source when sql-show is on.
  void logSql(const std::string& dataSource, std::string_view sql) const;

  // The rules of the database in use when they shard or broadcast anything; null otherwise.
  const router::ShardingRule* activeRules() const;
  const router::ShardingRule* rulesOf(const std::string& database) const;
  // Where statements that are not routed by rules go: the database in use's data source (or,
  // with none in use, the first database the user may use, without a default database).
  Result<Target> route() const;
  Result<Target> targetFor(const config::LogicalDatabase& db, const std::string& dataSource) const;

  // A connection for `target`, with the session's variables applied and joined to its
  // transaction when it takes part. On failure a connection that carried session state is lost
  // and the session must end (mustClose()).
  awaitable<Result<HeldConnection>> acquire(const Target& target);
  // Done with it for this statement: kept when it is in a transaction or holds state
  // (`sticky`: the statement left some), else back to its pool.
  void finish(const Target& target, HeldConnection held, bool sticky);
  void discard(HeldConnection held);
  // Whether the session holds a connection for `dataSource` of `database` (possibly one that
  // another logical database's identical data source left).
  bool holds(const std::string& database, const std::string& dataSource) const;
  // A data source of `database` this session holds, for reads any data source can answer.
  std::optional<std::string> heldDataSource(const std::string& database) const;
  // Which held connection serves `target`: its endpoint, and among the data sources of its
  // logical database with that endpoint, which one (so that the units of one statement on two
  // of them may run at once, each on its own connection).
  std::string participantKey(const Target& target) const;

  // ---- table locks (executor/table_commands.h takes them) ----
  // Whether a held connection holds table locks of the session.
  bool tablesLocked() const;
  // UNLOCK TABLES on every connection holding the session's table locks, which go back to their
  // pools unless something else keeps them; as MySQL, also before a new LOCK TABLES and at START
  // TRANSACTION. A connection that cannot unlock is closed (its locks go with it).
  awaitable<Status> unlockTables();

  // Server status flags for the client: autocommit and in-transaction as the held connections
  // and the session's transaction say.
  uint16_t statusFlags() const;
  // Whether every statement runs in a transaction now (BEGIN, or autocommit off).
  bool transactional() const;

  // ---- the session's transaction, over every logical database ----
  txn::Transaction& transaction() { return transaction_; }
  // BEGIN (the caller has ended what was open, as MySQL does).
  void beginTransaction(std::string statement, bool readOnly);
  // XA with autocommit off: the statement about to run begins the transaction.
  void beginImplicitTransaction();
  // COMMIT or ROLLBACK of everything open (XA branches, and every held connection in a
  // transaction of its own), whichever logical databases they serve; connections that hold
  // nothing else go back to their pools.
  awaitable<Status> endTransaction(bool commit);
  awaitable<Status> savepoint(txn::SavepointOp op, const std::string& name);

  // ---- KILL ----
  struct Running {
    Target target;
    uint64_t threadId = 0;
  };
  void running(const Target& target, const ShardConnection& conn);
  void notRunning() {
    running_.clear();
    if (locks_) locks_->statementEnded();
  }
  // Stops the statement running now on every backend it runs on; the rest of the statement
  // gets no more connections (ER_QUERY_INTERRUPTED), and the connections it used are closed
  // rather than pooled, where a late KILL could reach another statement. Until the next
  // statement starts (statementStarts()).
  void killRunning();
  bool interrupted() const { return interrupted_; }
  void statementStarts() { interrupted_ = false; }

  // The next OK relayed from a backend carries this insert id (keys the proxy generated).
  std::optional<uint64_t> insertIdOverride;

  // A connection that carried session state the proxy cannot replay (user variables, temporary
  // tables, locks: HeldConnection::sticky) is gone: as with a server that went away, the client
  // loses its connection rather than go on without that state. (A lost transaction alone is
  // rolled back and reported: clientError().)
  bool mustClose() const { return mustClose_; }
  // COMMIT ... RELEASE, KILL of the session's own connection: the session ends after this
  // statement.
  void requestClose() { mustClose_ = true; }

  // ---- a transaction that cannot go on ----
  // The error the client gets in place of `s`: when the statement's transaction lost a
  // participant (its backend connection died: server down or restarted, connection killed) or
  // was chosen as the victim of a deadlock across servers, the transaction is rolled back on
  // every participant (settle()) and the client gets one error saying so, 1927 or 1213, and
  // keeps its session.
  Status clientError(const Status& s);
  // After each command: rolls back the transaction clientError() gave up, or one that lost a
  // participant.
  awaitable<void> settle();

  // COM_RESET_CONNECTION: every held connection closed, the transaction forgotten, variables back
  // to `initial`.
  void reset(std::map<std::string, std::string> initial);

 private:
  using Key = std::string;  // participantKey()
  // The held connections in a transaction, or with an XA branch.
  std::vector<txn::Participant*> participants();

  ConnectionSource& source_;
  std::shared_ptr<Services> services_;
  const uint32_t connectionId_;
  std::string userAtClient_;  // USER(): user@client host
  std::string account_;       // CURRENT_USER(): user@host pattern
  std::map<Key, HeldConnection> held_;
  // participantKey() by data source, with or without a database (the topology is the session's
  // for its life, so the pointers stay valid).
  mutable std::map<std::pair<const config::DataSource*, bool>, Key> keys_;
  // The connection of the previous statement, preferred for the next one so that
  // LAST_INSERT_ID(), FOUND_ROWS(), SHOW WARNINGS ... usually see it (identity only).
  const void* lastConnection_ = nullptr;
  std::vector<Running> running_;
  bool interrupted_ = false;
  txn::Transaction transaction_;
  bool mustClose_ = false;
  // What connection the transaction lost (settle() rolls it back), and the error the client got
  // for the statement.
  std::optional<std::string> lost_;
  std::optional<Status> abort_;
  std::shared_ptr<SessionLocks> locks_;  // null: no deadlock detection
};

}  // namespace shardproxy::executor
