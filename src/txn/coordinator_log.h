// The XA coordinator log: the durable commit decisions that let recovery finish a transaction
// whose branches were prepared when the proxy stopped (DESIGN.md, Decisions 9).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

// Kept out of this header so that the session code does not compile RocksDB's headers.
namespace rocksdb {
class DB;
}

namespace shardproxy::txn {

// Where commit decisions are kept durably; what the commit path needs of the coordinator log.
class CommitLog {
 public:
  virtual ~CommitLog() = default;
  virtual Status logCommit(const std::string& gtrid,
                           const std::vector<std::string>& dataSources) = 0;
  virtual Status finish(const std::string& gtrid) = 0;
};

// The XA coordinator log: commit decisions, in RocksDB under the proxy's --data-dir. A decision
// is written with a synced write before any branch commits (so a crash after it commits the
// transaction on recovery), and removed once every branch has committed.
//
// Thread-safe: every method may be called from any worker concurrently. Writes are not
// serialized here on purpose: RocksDB groups concurrent synced writers into one fsync.
// Calls block the calling thread for the write (a synced write is an fsync).
class CoordinatorLog : public CommitLog {
 public:
  // gtrid -> data sources of its branches.
  using Decisions = std::map<std::string, std::vector<std::string>>;
  struct Decision {
    std::vector<std::string> dataSources;
    int64_t decidedAtMillis = 0;  // Unix ms; 0 when unknown (made before format 2)
  };

  // The layout this code writes. A log of an older format is upgraded on open (crash-safely: an
  // upgrade cut short is finished by the next open); a newer one is refused.
  static constexpr int kFormatVersion = 2;

  // Opens (creating if needed) the log in `dir`; on first creation generates this instance's id
  // (16 random hex digits, kept in the log); on every open increments the boot counter (synced).
  // An older format is upgraded first; a newer one is an error that says so.
  // One process at a time: a second open of the same directory fails (RocksDB's LOCK file).
  static Result<std::unique_ptr<CoordinatorLog>> open(const std::string& dir);
  ~CoordinatorLog() override;
  CoordinatorLog(const CoordinatorLog&) = delete;
  CoordinatorLog& operator=(const CoordinatorLog&) = delete;

  const std::string& instanceId() const { return instanceId_; }
  uint64_t boot() const { return boot_; }
  const std::string& dir() const { return dir_; }

  // Durable commit decision for `gtrid` whose branches are on `dataSources`. Synced. On an error
  // nothing may be committed: the caller rolls the branches back. After a write error (disk full)
  // RocksDB refuses every later write too, so the proxy stops committing XA transactions.
  // Data source names must be non-empty and without '\n' (they are stored joined by '\n').
  Status logCommit(const std::string& gtrid, const std::vector<std::string>& dataSources) override;
  // Every branch committed: the decision is no longer needed. Not synced: the delete still goes
  // to the WAL, so only an OS crash or power loss can undo it, and then recovery finds the
  // decision again, sees no prepared branch with its xid and finishes it again.
  Status finish(const std::string& gtrid) override;

  // Decisions not finished yet: gtrid -> data sources. For recovery. On a read error (corrupt or
  // unreadable files) logs it and returns what it read: use readPending() where a missing
  // decision would lead to rolling back, as recovery does.
  Decisions pending() const;
  // Whether `gtrid` has a decision not finished yet. On a read error logs it and returns true:
  // wrongly committing an undecided branch is less harmful than rolling back part of a commit
  // the client may have been told succeeded. Recovery should use readDecision().
  bool hasDecision(const std::string& gtrid) const;

  // The same two with read errors reported (errno 1105, naming the directory).
  Result<Decisions> readPending() const;
  // The data sources of `gtrid`'s decision, nullopt when it has none.
  Result<std::optional<std::vector<std::string>>> readDecision(const std::string& gtrid) const;
  // The same with the time the decision was made (how long a transaction has been in doubt).
  Result<std::optional<Decision>> readDecisionRecord(const std::string& gtrid) const;

 private:
  CoordinatorLog(std::string dir, std::unique_ptr<rocksdb::DB> db, std::string instanceId,
                 uint64_t boot);

  const std::string dir_;
  const std::unique_ptr<rocksdb::DB> db_;
  const std::string instanceId_;
  const uint64_t boot_;
};

}  // namespace shardproxy::txn
