// Transactions over several participants (whatever logical databases they serve) against fake
// participants and a fake decision log: what each participant is sent, in which order, and what
// happens when any step fails.
#include "txn/transaction.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "txn/coordinator.h"
#include "txn/xid.h"

namespace shardproxy::txn {
namespace {

// Records every statement; fails those that start with a prefix it was told to fail.
class FakeParticipant : public Participant {
 public:
  explicit FakeParticipant(std::string dataSource) : dataSource_(std::move(dataSource)) {}
  const std::string& dataSource() const override { return dataSource_; }
  awaitable<Status> execute(std::string sql) override {
    sent.push_back(sql);
    for (const auto& [prefix, status] : failures) {
      if (sql.rfind(prefix, 0) == 0) co_return status;
    }
    co_return Status::ok();
  }
  std::vector<std::string> sent;
  std::map<std::string, Status> failures;

 private:
  std::string dataSource_;
};

class FakeLog : public CommitLog {
 public:
  Status logCommit(const std::string& gtrid, const std::vector<std::string>& sources) override {
    if (!fail) return fail;
    decisions[gtrid] = sources;
    return Status::ok();
  }
  Status finish(const std::string& gtrid) override {
    decisions.erase(gtrid);
    ++finished;
    return Status::ok();
  }
  Status fail = Status::ok();
  std::map<std::string, std::vector<std::string>> decisions;
  int finished = 0;
};

Status kBroken() { return Status(2013, "HY000", "Lost connection to server during query"); }

// Runs `task` to its end on `io`. The work guard keeps `io` running while the task waits on
// another executor (the coordinator's synced log write).
template <typename T>
T run(asio::io_context& io, awaitable<T> task) {
  std::optional<T> out;
  auto guard = asio::make_work_guard(io);
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr e, T value) {
    guard.reset();
    if (e) std::rethrow_exception(e);
    out = std::move(value);
  });
  io.restart();
  io.run();
  return std::move(*out);
}

class TransactionTest : public ::testing::Test {
 protected:
  // Joins `p` as the participant `key` (default: its data source's name).
  Status join(Transaction& t, FakeParticipant& p, bool nativeOpen = false,
              bool implicitStart = false, std::string key = {}) {
    if (key.empty()) key = p.dataSource();
    return run(io, t.join(p, key, nativeOpen, implicitStart));
  }
  // Ends with `ps` as the branches of an XA transaction, else as LOCAL participants.
  Transaction::EndResult end(Transaction& t, bool commit, std::vector<Participant*> ps) {
    if (t.xa()) return run(io, t.end(commit, std::move(ps), {}));
    return run(io, t.end(commit, {}, std::move(ps)));
  }

  asio::io_context io;
  FakeLog log;
  Coordinator coordinator{log, "0123456789abcdef", 7};
  FakeParticipant a{"ds_0"};
  FakeParticipant b{"ds_1"};
};

TEST_F(TransactionTest, LocalParticipantsBeginWithTheClientsStatementWhenTheyJoin) {
  Transaction t(&coordinator, TransactionType::Local);
  t.begin("START TRANSACTION WITH CONSISTENT SNAPSHOT", false);
  EXPECT_TRUE(t.open());
  ASSERT_TRUE(join(t, a));
  ASSERT_TRUE(join(t, b, /*nativeOpen=*/true));  // already in one: nothing to begin
  EXPECT_EQ(a.sent, std::vector<std::string>{"START TRANSACTION WITH CONSISTENT SNAPSHOT"});
  EXPECT_TRUE(b.sent.empty());
  // Whatever logical database a connection serves, it is the transaction's: the caller's key
  // says which connection it is, nothing else.
  FakeParticipant other("ds_9");
  ASSERT_TRUE(join(t, other, false, false, "another database's endpoint"));
  EXPECT_EQ(other.sent, std::vector<std::string>{"START TRANSACTION WITH CONSISTENT SNAPSHOT"});
}

TEST_F(TransactionTest, LocalCommitRollsBackTheRestAfterAFailure) {
  Transaction t(&coordinator, TransactionType::Local);
  t.begin("BEGIN", false);
  a.failures["COMMIT"] = kBroken();
  auto r = end(t, true, {&a, &b});
  EXPECT_EQ(r.status.code(), 2013);
  EXPECT_EQ(r.committed, 0u);
  EXPECT_EQ(a.sent, std::vector<std::string>{"COMMIT"});
  // The first failed (its server rolled it back): the rest follow it, nothing commits.
  EXPECT_EQ(b.sent, std::vector<std::string>{"ROLLBACK"});
  EXPECT_FALSE(t.open());
  auto rollback = end(t, false, {&b});
  EXPECT_TRUE(rollback.status);
  EXPECT_EQ(b.sent.back(), "ROLLBACK");
}

TEST_F(TransactionTest, LocalCommitCountsWhatCommittedBeforeAFailure) {
  Transaction t(&coordinator, TransactionType::Local);
  t.begin("BEGIN", false);
  b.failures["COMMIT"] = kBroken();
  auto r = end(t, true, {&a, &b});
  EXPECT_EQ(r.status.code(), 2013);
  EXPECT_EQ(r.committed, 1u);
  EXPECT_EQ(a.sent, std::vector<std::string>{"COMMIT"});
  EXPECT_EQ(b.sent, std::vector<std::string>{"COMMIT"});
}

TEST_F(TransactionTest, SavepointsReachParticipantsThatJoinLater) {
  Transaction t(&coordinator, TransactionType::Local);
  t.begin("BEGIN", false);
  ASSERT_TRUE(join(t, a));
  ASSERT_TRUE(run(io, t.savepoint(SavepointOp::Set, "s1", {&a})));
  ASSERT_TRUE(run(io, t.savepoint(SavepointOp::Set, "s`2", {&a})));
  ASSERT_TRUE(join(t, b));
  EXPECT_EQ(b.sent, (std::vector<std::string>{"BEGIN", "SAVEPOINT `s1`", "SAVEPOINT `s``2`"}));
  // ROLLBACK TO s1 keeps s1 and forgets s`2; RELEASE s1 forgets it too.
  ASSERT_TRUE(run(io, t.savepoint(SavepointOp::RollbackTo, "S1", {&a, &b})));
  EXPECT_EQ(a.sent.back(), "ROLLBACK TO SAVEPOINT `S1`");
  Status gone = run(io, t.savepoint(SavepointOp::RollbackTo, "s`2", {&a, &b}));
  EXPECT_EQ(gone.code(), er::kSpDoesNotExist);
  ASSERT_TRUE(run(io, t.savepoint(SavepointOp::Release, "s1", {&a, &b})));
  EXPECT_EQ(run(io, t.savepoint(SavepointOp::Release, "s1", {&a})).code(), er::kSpDoesNotExist);
  // A failure on a participant fails the statement and sets nothing.
  b.failures["SAVEPOINT"] = kBroken();
  EXPECT_FALSE(run(io, t.savepoint(SavepointOp::Set, "s3", {&a, &b})));
  EXPECT_EQ(run(io, t.savepoint(SavepointOp::Release, "s3", {&a})).code(), er::kSpDoesNotExist);
}

TEST_F(TransactionTest, NextTransactionCharacteristicsApplyOnceWhereTheTransactionGoes) {
  Transaction t(&coordinator, TransactionType::Local);
  ASSERT_TRUE(t.setNext("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"));
  // Autocommit off: a new connection's first statement begins the transaction it joins.
  ASSERT_TRUE(join(t, a, false, /*implicitStart=*/true));
  EXPECT_EQ(a.sent, std::vector<std::string>{"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE"});
  auto r = end(t, true, {&a});
  ASSERT_TRUE(r.status);
  ASSERT_TRUE(join(t, b, false, true));
  EXPECT_TRUE(b.sent.empty());  // used up by the transaction that ended
  // Nor in a transaction autocommit=0 began on a connection.
  EXPECT_EQ(t.setNext("SET TRANSACTION READ ONLY", /*nativeOpen=*/true).code(),
            er::kCantChangeTxCharacteristics);
  t.begin("BEGIN", false);
  EXPECT_EQ(t.setNext("SET TRANSACTION READ ONLY").code(), er::kCantChangeTxCharacteristics);
}

TEST_F(TransactionTest, TypeChangesOnlyOutsideATransaction) {
  Transaction t(&coordinator, TransactionType::Local);
  EXPECT_EQ(t.setType(TransactionType::Xa, /*nativeOpen=*/true).code(),
            er::kCantChangeTxCharacteristics);
  ASSERT_TRUE(t.setType(TransactionType::Xa, false));
  EXPECT_EQ(t.type(), TransactionType::Xa);
  t.begin("BEGIN", false);
  EXPECT_FALSE(t.setType(TransactionType::Local, false));
}

TEST_F(TransactionTest, XaBranchesStartAsParticipantsJoin) {
  Transaction t(&coordinator, TransactionType::Xa);
  t.begin("START TRANSACTION READ ONLY", /*readOnly=*/true);
  ASSERT_TRUE(t.xa());
  ASSERT_TRUE(join(t, a));
  ASSERT_TRUE(join(t, a));  // a branch starts once
  ASSERT_TRUE(join(t, b));
  ASSERT_EQ(a.sent.size(), 2u);
  EXPECT_EQ(a.sent[0], "SET TRANSACTION READ ONLY");
  EXPECT_EQ(a.sent[1].rfind("XA START X'", 0), 0u) << a.sent[1];
  ASSERT_EQ(t.branches().size(), 2u);
  EXPECT_EQ(t.branches()[0].participant, "ds_0");
  EXPECT_EQ(t.branches()[0].bqual, "ds_0");
  EXPECT_EQ(t.branches()[1].bqual, "ds_1");
  EXPECT_TRUE(t.isBranch("ds_1"));
  EXPECT_FALSE(t.isBranch("ds_2"));
  // Both branches of one gtrid, each qualified by its data source.
  std::string gtridHex = a.sent[1].substr(std::string("XA START X'").size());
  gtridHex = gtridHex.substr(0, gtridHex.find('\''));
  EXPECT_EQ(b.sent[1].rfind("XA START X'" + gtridHex + "'", 0), 0u) << b.sent[1];
  EXPECT_NE(a.sent[1], b.sent[1]);
}

TEST_F(TransactionTest, XaBranchQualifiersAreUniqueWithinTheTransaction) {
  // Two logical databases may both name a data source ds_0, even on one server (where a
  // repeated xid is refused); a name longer than a bqual may be is cut.
  Transaction t(&coordinator, TransactionType::Xa);
  t.begin("BEGIN", false);
  FakeParticipant shop("ds_0");
  FakeParticipant longName(std::string(70, 'd'));
  FakeParticipant longTwin(std::string(70, 'd'));
  ASSERT_TRUE(join(t, a, false, false, "endpoint a"));
  ASSERT_TRUE(join(t, shop, false, false, "endpoint shop"));
  ASSERT_TRUE(join(t, longName, false, false, "endpoint long"));
  ASSERT_TRUE(join(t, longTwin, false, false, "endpoint long twin"));
  ASSERT_EQ(t.branches().size(), 4u);
  EXPECT_EQ(t.branches()[0].bqual, "ds_0");
  EXPECT_EQ(t.branches()[1].bqual, "ds_0#2");
  EXPECT_EQ(t.branches()[2].bqual, std::string(62, 'd') + "#2");
  EXPECT_EQ(t.branches()[3].bqual, std::string(62, 'd') + "#3");
  for (const auto& branch : t.branches()) EXPECT_LE(branch.bqual.size(), kMaxBqualLength);
  std::string gtrid = "sp-0123456789abcdef-7-1";
  EXPECT_EQ(shop.sent, std::vector<std::string>{"XA START " + xidSql(Xid{gtrid, "ds_0#2"})});
  // The decision names every branch.
  auto r = run(io, t.end(true, {&a, &shop, &longName, &longTwin}, {}));
  ASSERT_TRUE(r.status) << r.status.toString();
  EXPECT_EQ(log.finished, 1);
  EXPECT_EQ(shop.sent.back(), "XA COMMIT " + xidSql(Xid{gtrid, "ds_0#2"}));
}

// The steps of a two-branch commit, for the participant of data source `ds`.
std::vector<std::string> twoPhase(const std::string& x) {
  return {"XA START " + x, "XA END " + x, "XA PREPARE " + x, "XA COMMIT " + x};
}

class XaCommitTest : public TransactionTest {
 protected:
  // Begins an XA transaction with branches on a and b.
  void beginTwo(Transaction& t) {
    t.begin("BEGIN", false);
    EXPECT_TRUE(join(t, a));
    EXPECT_TRUE(join(t, b));
    EXPECT_EQ(a.sent.size(), 1u);
  }
  // The xid of `p`'s branch, as its XA START named it.
  std::string xa(const FakeParticipant& p) const {
    return p.sent.front().substr(std::string("XA START ").size());
  }
};

TEST_F(XaCommitTest, OneBranchCommitsInOnePhaseWithoutALoggedDecision) {
  Transaction t(&coordinator, TransactionType::Xa);
  t.begin("BEGIN", false);
  ASSERT_TRUE(join(t, a));
  std::string x = xa(a);
  auto r = end(t, true, {&a});
  ASSERT_TRUE(r.status) << r.status.toString();
  EXPECT_EQ(a.sent, (std::vector<std::string>{"XA START " + x, "XA END " + x,
                                              "XA COMMIT " + x + " ONE PHASE"}));
  EXPECT_TRUE(log.decisions.empty());
  EXPECT_EQ(log.finished, 0);
  EXPECT_FALSE(t.open());
  EXPECT_FALSE(t.xa());
}

TEST_F(XaCommitTest, TwoBranchesPrepareThenLogThenCommit) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xa0 = xa(a), xb = xa(b);
  auto r = end(t, true, {&a, &b});
  ASSERT_TRUE(r.status) << r.status.toString();
  EXPECT_EQ(a.sent, twoPhase(xa0));
  EXPECT_EQ(b.sent, twoPhase(xb));
  EXPECT_EQ(log.finished, 1);  // decided, then dropped once every branch committed
  EXPECT_TRUE(log.decisions.empty());
  EXPECT_EQ(r.discard, (std::vector<bool>{false, false}));
}

TEST_F(XaCommitTest, AFailedEndRollsEveryBranchBack) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xa0 = xa(a), xb = xa(b);
  b.failures["XA END"] = kBroken();
  auto r = end(t, true, {&a, &b});
  EXPECT_EQ(r.status.code(), 2013);
  EXPECT_EQ(a.sent,
            (std::vector<std::string>{"XA START " + xa0, "XA END " + xa0, "XA ROLLBACK " + xa0}));
  EXPECT_EQ(b.sent.back(), "XA ROLLBACK " + xb);
  EXPECT_TRUE(log.decisions.empty());
  EXPECT_EQ(log.finished, 0);
}

TEST_F(XaCommitTest, AFailedPrepareRollsEveryBranchBackAndLogsNothing) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xa0 = xa(a);
  a.failures["XA PREPARE"] = Status(1614, "XA100", "XA_RBDEADLOCK");
  auto r = end(t, true, {&a, &b});
  EXPECT_EQ(r.status.code(), 1614);
  EXPECT_EQ(a.sent.back(), "XA ROLLBACK " + xa0);
  for (const auto* p : {&a, &b}) {
    for (const std::string& s : p->sent) EXPECT_EQ(s.rfind("XA COMMIT", 0), std::string::npos);
  }
  EXPECT_TRUE(log.decisions.empty());
}

TEST_F(XaCommitTest, ALogThatCannotWriteTheDecisionRollsBack) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  log.fail = Status(1105, "HY000", "disk full");
  auto r = end(t, true, {&a, &b});
  EXPECT_EQ(r.status.message(), "disk full");
  EXPECT_EQ(a.sent.back().rfind("XA ROLLBACK ", 0), 0u);
  EXPECT_EQ(b.sent.back().rfind("XA ROLLBACK ", 0), 0u);
}

TEST_F(XaCommitTest, ABranchThatCannotCommitAfterTheDecisionIsLeftToRecovery) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xb = xa(b);
  a.failures["XA COMMIT"] = kBroken();
  auto r = end(t, true, {&a, &b});
  // Decided means committed: the client is told so, b commits, a's connection is closed and
  // the decision stays for recovery to finish a.
  EXPECT_TRUE(r.status) << r.status.toString();
  EXPECT_EQ(b.sent.back(), "XA COMMIT " + xb);
  EXPECT_EQ(r.discard, (std::vector<bool>{true, false}));
  ASSERT_EQ(log.decisions.size(), 1u);
  EXPECT_EQ(log.decisions.begin()->second, (std::vector<std::string>{"ds_0", "ds_1"}));
  EXPECT_EQ(log.finished, 0);
  // Recovery may settle it now: the transaction no longer runs here.
  EXPECT_FALSE(coordinator.running(log.decisions.begin()->first));
}

TEST_F(XaCommitTest, RollbackEndsThenRollsBackAndABranchThatRefusesIsClosed) {
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xa0 = xa(a), xb = xa(b);
  b.failures["XA ROLLBACK"] = kBroken();
  auto r = end(t, false, {&a, &b});
  EXPECT_TRUE(r.status);  // a ROLLBACK succeeds: the refusing branch goes with its connection
  EXPECT_EQ(a.sent,
            (std::vector<std::string>{"XA START " + xa0, "XA END " + xa0, "XA ROLLBACK " + xa0}));
  EXPECT_EQ(r.discard, (std::vector<bool>{false, true}));
  EXPECT_TRUE(log.decisions.empty());
}

TEST_F(XaCommitTest, TheTransactionRunsForRecoveryFromBeginToEnd) {
  Transaction t(&coordinator, TransactionType::Xa);
  t.begin("BEGIN", false);
  ASSERT_TRUE(join(t, a));
  std::string start = a.sent.front();
  // The gtrid is the coordinator's: find it by asking about every gtrid it could be.
  Xid probe{"", "ds_0"};
  bool found = false;
  for (int n = 1; n < 10 && !found; ++n) {
    std::string g = "sp-0123456789abcdef-7-" + std::to_string(n);
    probe.gtrid = g;
    if (start == "XA START " + xidSql(probe)) {
      found = true;
      EXPECT_TRUE(coordinator.running(g));
      auto r = end(t, false, {&a});
      EXPECT_TRUE(r.status);
      EXPECT_FALSE(coordinator.running(g));
    }
  }
  EXPECT_TRUE(found) << start;
}

TEST_F(XaCommitTest, ConnectionsInATransactionOfTheirOwnEndAfterTheBranches) {
  // Under XA, a connection that never started a branch (autocommit off before the XA
  // transaction began) is committed with a plain COMMIT once the branches are.
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  FakeParticipant native("ds_9");
  auto r = run(io, t.end(true, {&a, &b}, {&native}));
  ASSERT_TRUE(r.status) << r.status.toString();
  EXPECT_EQ(native.sent, std::vector<std::string>{"COMMIT"});
  EXPECT_EQ(a.sent.back().rfind("XA COMMIT ", 0), 0u);
  EXPECT_EQ(r.discard, (std::vector<bool>{false, false, false}));
}

TEST_F(XaCommitTest, ABranchWhoseConnectionIsGoneRollsTheOthersBack) {
  // Its server rolled it back when the connection closed: committing the rest would break
  // the all-or-nothing promise.
  Transaction t(&coordinator, TransactionType::Xa);
  beginTwo(t);
  std::string xb = xa(b);
  auto r = run(io, t.end(true, {nullptr, &b}, {}));
  EXPECT_EQ(r.status.code(), 1402);
  EXPECT_EQ(r.status.sqlState(), "XA100");
  EXPECT_EQ(b.sent, (std::vector<std::string>{"XA START " + xb, "XA END " + xb,
                                              "XA ROLLBACK " + xb}));
  EXPECT_TRUE(log.decisions.empty());
  EXPECT_FALSE(t.open());
}

TEST_F(XaCommitTest, ResetForgetsTheTransaction) {
  Transaction t(&coordinator, TransactionType::Xa);
  t.begin("BEGIN", false);
  ASSERT_TRUE(join(t, a));
  t.reset();
  EXPECT_FALSE(t.open());
  EXPECT_TRUE(t.branches().empty());
  // A LOCAL one ends with nothing sent to anyone when there are no participants.
  auto r = end(t, true, {});
  EXPECT_TRUE(r.status);
}

}  // namespace
}  // namespace shardproxy::txn
