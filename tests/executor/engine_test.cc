// The engine and the session's connections against fake shards: what each data source is sent,
// how lanes and the merge behave, errors half-way, KILL, and transaction joins, without a server.
#include "executor/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "config/config_dir.h"
#include "executor/load_data.h"
#include "parser/ast.h"
#include "protocol/constants.h"
#include "txn/coordinator.h"

namespace shardproxy::executor {
namespace {

namespace pstatus = protocol::status;
using Values = std::vector<std::optional<std::string>>;

// What a fake shard answers to one statement.
struct Response {
  std::vector<std::string> columns;  // a result set when not empty (BIGINT columns)
  std::vector<Values> rows;
  uint64_t affected = 0;
  Status error = Status::ok();
  // Rows sent before the connection breaks (a backend killed mid-stream); -1: never.
  int breakAfter = -1;
  bool breaks = false;  // `error` is the connection's loss (the library's 2013)
};

class FakeShards;

class FakeConnection : public ShardConnection {
 public:
  FakeConnection(FakeShards& shards, std::string dataSource, int id)
      : shards_(shards), dataSource_(std::move(dataSource)), id_(id) {}
  const std::string& dataSource() const override { return dataSource_; }
  awaitable<Status> execute(std::string sql) override;
  awaitable<Status> query(std::string_view sql) override;
  unsigned fieldCount() const override { return static_cast<unsigned>(current_.columns.size()); }
  protocol::ColumnDefinitionRef column(unsigned i) const override {
    protocol::ColumnDefinitionRef c;
    c.schema = "actual_db";
    c.name = current_.columns[i];
    c.orgName = current_.columns[i];
    c.table = c.orgTable = table_;
    c.type = protocol::ColumnType::kLongLong;
    c.collation = 63;
    c.length = 20;
    return c;
  }
  RowView row() const override { return row_; }
  awaitable<Status> fetchRow() override {
    row_ = RowView{};
    if (current_.breakAfter >= 0 && next_ >= static_cast<size_t>(current_.breakAfter)) {
      broken_ = true;
      pending_ = false;
      co_return Status(2013, "HY000", "Lost connection to server during query");
    }
    if (next_ >= current_.rows.size()) {
      pending_ = false;
      co_return Status::ok();
    }
    const Values& values = current_.rows[next_++];
    pointers_.clear();
    lengths_.clear();
    for (const auto& v : values) {
      pointers_.push_back(v ? v->c_str() : nullptr);
      lengths_.push_back(v ? v->size() : 0);
    }
    row_.values = pointers_.data();
    row_.lengths = lengths_.data();
    co_return Status::ok();
  }
  OkInfo okInfo() const override {
    OkInfo ok;
    ok.affectedRows = current_.affected;
    ok.statusFlags = serverStatus();
    return ok;
  }
  uint16_t serverStatus() const override {
    uint16_t s = autocommit_ ? pstatus::kAutocommit : 0;
    if (inTransaction_) s |= pstatus::kInTrans;
    return s;
  }
  bool moreResults() const override { return false; }
  awaitable<Status> nextResult() override { co_return Status::ok(); }
  awaitable<Status> drain() override {
    pending_ = false;
    co_return Status::ok();
  }
  bool idleClean() const override { return !pending_; }
  bool broken() const override { return broken_; }
  uint64_t threadId() const override { return 1000 + id_; }
  const void* identity() const override { return this; }
  awaitable<Status> listFields(const std::string&, const std::string&) override {
    co_return Status::ok();
  }
  unsigned listedFieldCount() const override { return 0; }
  protocol::ColumnDefinitionRef listedField(unsigned) const override { return {}; }
  awaitable<Result<backend::Connection::Description>> describe(std::string_view) override {
    co_return backend::Connection::Description{};
  }
  awaitable<Status> setMultiStatements(bool) override { co_return Status::ok(); }
  std::map<std::string, std::string> takeChangedVariables() override { return {}; }
  std::map<std::string, std::string>& appliedVariables() override { return applied_; }

 private:
  // As InnoDB: BEGIN, XA START and (with autocommit off) any other statement but SET begin a
  // transaction; COMMIT, ROLLBACK and DDL end it.
  void track(const std::string& sql) {
    if (sql.find("autocommit = 'OFF'") != std::string::npos) autocommit_ = false;
    if (sql.find("autocommit = 'ON'") != std::string::npos ||
        sql.find("autocommit = ON") != std::string::npos) {
      autocommit_ = true;
    }
    if (sql == "BEGIN" || sql.rfind("START TRANSACTION", 0) == 0 || sql.rfind("XA START", 0) == 0 ||
        (!autocommit_ && sql.rfind("SET ", 0) != 0)) {
      inTransaction_ = true;
    }
    if (sql == "COMMIT" || sql == "ROLLBACK" || sql.rfind("XA COMMIT", 0) == 0 ||
        sql.rfind("XA ROLLBACK", 0) == 0 || sql.rfind("CREATE TABLE", 0) == 0) {
      inTransaction_ = false;
    }
  }

  FakeShards& shards_;
  std::string dataSource_;
  int id_;
  Response current_;
  std::string table_;
  size_t next_ = 0;
  RowView row_;
  bool pending_ = false;
  bool broken_ = false;
  bool inTransaction_ = false;
  bool autocommit_ = true;
  std::vector<const char*> pointers_;
  std::vector<unsigned long> lengths_;
  std::map<std::string, std::string> applied_;
};

// The data sources: scripted answers by statement text, and a log of what each one was sent.
class FakeShards : public ConnectionSource {
 public:
  awaitable<Result<std::unique_ptr<ShardConnection>>> acquire(const Target& target, bool,
                                                              const void*) override {
    ++acquired;
    if (unreachable.count(target.dataSource->name)) {
      co_return Status(2003, "HY000", "Can't connect to server");
    }
    co_return std::make_unique<FakeConnection>(*this, target.dataSource->name, nextId++);
  }
  void release(std::unique_ptr<ShardConnection> conn) override { ++released; }
  void discard(std::unique_ptr<ShardConnection> conn) override { ++discarded; }
  void killQuery(const Target& target, uint64_t threadId) override {
    killed.push_back(target.dataSource->name + ":" + std::to_string(threadId));
  }
  bool answering(const Target& target) override { return !down.count(target.dataSource->name); }
  std::set<std::string> down;  // data sources the fake says are marked down

  Response answer(const std::string& dataSource, const std::string& sql) {
    sent[dataSource].push_back(sql);
    auto it = script.find(dataSource + ":" + sql);
    if (it != script.end()) return it->second;
    return Response{};
  }

  std::map<std::string, Response> script;  // "ds:sql" -> response (default: OK)
  std::map<std::string, std::vector<std::string>> sent;
  std::set<std::string> unreachable;
  std::vector<std::string> killed;
  int acquired = 0;
  int released = 0;
  int discarded = 0;
  int nextId = 1;
};

awaitable<Status> FakeConnection::execute(std::string sql) {
  Response r = shards_.answer(dataSource_, sql);
  if (r.error) track(sql);
  co_return r.error;
}

awaitable<Status> FakeConnection::query(std::string_view sql) {
  current_ = shards_.answer(dataSource_, std::string(sql));
  next_ = 0;
  if (current_.breaks) broken_ = true;
  if (!current_.error) {
    Status e = current_.error;
    current_ = Response{};
    co_return e;
  }
  track(std::string(sql));
  pending_ = !current_.columns.empty();
  co_return Status::ok();
}

// Everything the engine wrote for the client, as readable lines.
class RecordingSink : public ResultSink {
 public:
  void columnCount(size_t count) override { lines.push_back("columns " + std::to_string(count)); }
  void column(const protocol::ColumnDefinitionRef& c) override {
    lines.push_back("column " + std::string(c.schema) + "." + std::string(c.table) + "." +
                    std::string(c.name));
  }
  void columnsEnd(uint16_t) override {}
  void beginRow() override { row.clear(); }
  bool value(std::string_view text) override {
    row += (row.empty() ? "" : ",") + std::string(text);
    return true;
  }
  void null() override { row += row.empty() ? "NULL" : ",NULL"; }
  void endRow(bool valid) override {
    if (valid) lines.push_back("row " + row);
  }
  void end(uint16_t, uint16_t) override { lines.push_back("end"); }
  void ok(const protocol::OkPacket& ok) override {
    lines.push_back("ok " + std::to_string(ok.affectedRows));
  }
  void error(const Status& given) override {
    // (The front end asks the session what the client gets.)
    Status s = session ? session->clientError(given) : given;
    lines.push_back("error " + std::to_string(s.code()));
    messages.push_back(s.message());
  }
  // Every row is flushed at once, so a client that goes away is noticed at the next row.
  bool rowWritten() override {
    ++rowsDone;
    return true;
  }
  awaitable<Status> flush() override {
    co_return clientGoneAfter >= 0 && rowsDone >= clientGoneAfter
        ? Status(2006, "HY000", "client gone")
        : Status::ok();
  }
  // A cursor's rows past its memory budget: the sink asks to stop after this many rows.
  Status stopped() const override {
    return stopAfter >= 0 && rowsDone >= stopAfter ? Status(1038, "HY001", "Out of merge memory")
                                                   : Status::ok();
  }
  ShardSession* session = nullptr;
  std::vector<std::string> lines;
  std::vector<std::string> messages;
  std::string row;
  int rowsDone = 0;
  int clientGoneAfter = -1;
  int stopAfter = -1;
};

class FakeLog : public txn::CommitLog {
 public:
  Status logCommit(const std::string&, const std::vector<std::string>&) override {
    ++decisions;
    return Status::ok();
  }
  Status finish(const std::string&) override { return Status::ok(); }
  int decisions = 0;
};

constexpr const char* kGlobal = R"(
authority:
  users:
    - user: root@%
      password: root
      admin: true
props:
  max-connections-size-per-query: 1
)";

constexpr const char* kDatabase = R"(
databaseName: sharded
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/db_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:2/db_1
    username: root
    password: root
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
    t_item:
      actualDataNodes: ds_${0..1}.t_item_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
      tableStrategy:
        standard:
          shardingColumn: id
          shardingAlgorithmName: item_by_id
  shardingAlgorithms:
    item_by_id:
      type: INLINE
      props:
        algorithm-expression: t_item_${id % 2}
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
)";

// Pass-through databases beside the sharded one: `shop_copy` is the very endpoint of `shop`
// (same server, account and actual database); `reports` is another actual database on that
// server, whose data source has the name of one of the sharded database's.
constexpr const char* kShop = R"(
databaseName: shop
dataSources:
  shop_ds:
    url: jdbc:mysql://127.0.0.1:3/shop_db
    username: root
    password: root
)";
constexpr const char* kShopCopy = R"(
databaseName: shop_copy
dataSources:
  copy_ds:
    url: jdbc:mysql://127.0.0.1:3/shop_db
    username: root
    password: root
)";
constexpr const char* kReports = R"(
databaseName: reports
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:3/reports_db
    username: root
    password: root
)";

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_.write("global.yaml", kGlobal);
    dir_.write("database-sharded.yaml", kDatabase);
    dir_.write("database-shop.yaml", kShop);
    dir_.write("database-shop-copy.yaml", kShopCopy);
    dir_.write("database-reports.yaml", kReports);
    services_->topology = config::loadTopology(dir_.path());
    auto rules = router::buildRules(*services_->topology, std::nullopt);
    ASSERT_TRUE(rules.isOk()) << rules.status().toString();
    services_->rules = std::move(*rules);
    services_->coordinator = std::make_unique<txn::Coordinator>(log_, "0123456789abcdef", 1);
    session_ = std::make_unique<ShardSession>(shards_, services_, 42);
    session_->user = &services_->topology->authority.users.front();
    session_->database = "sharded";
  }

  // Runs one statement as the front end would: the engine's when it takes it, else as written.
  void run(const std::string& sql) {
    auto parsed = parser::ast::parseAst(sql);
    ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
    statements_.push_back(std::make_unique<parser::ast::Statement>(std::move(*parsed)));
    const parser::ast::Statement& s = *statements_.back();
    Engine engine(*session_, sink_);
    auto task = [&]() -> awaitable<void> {
      if (!co_await engine.executeSharded(s)) co_await engine.passThrough(sql, &s);
    };
    runToEnd(task());
  }
  // The work guard keeps the loop running while a task waits on another executor (the XA
  // coordinator's synced log write).
  void runToEnd(awaitable<void> task) {
    auto guard = asio::make_work_guard(io_);
    asio::co_spawn(io_, std::move(task), [&](std::exception_ptr e) {
      guard.reset();
      if (e) std::rethrow_exception(e);
    });
    io_.restart();
    io_.run();
  }
  void script(const std::string& ds, const std::string& sql, Response r) {
    shards_.script[ds + ":" + sql] = std::move(r);
  }
  const std::vector<std::string>& sent(const std::string& ds) { return shards_.sent[ds]; }

  config::testing::ConfigDir dir_;
  FakeLog log_;
  std::shared_ptr<Services> services_ = std::make_shared<Services>();
  FakeShards shards_;
  RecordingSink sink_;
  std::unique_ptr<ShardSession> session_;
  asio::io_context io_;
  std::vector<std::unique_ptr<parser::ast::Statement>> statements_;
};

TEST_F(EngineTest, OneShardStatementRunsThereWithTheLogicalNames) {
  script("ds_1", "SELECT id FROM t_order WHERE user_id = 1", {{"id"}, {{"7"}}});
  run("SELECT id FROM t_order WHERE user_id = 1");
  EXPECT_EQ(sent("ds_1"), std::vector<std::string>{"SELECT id FROM t_order WHERE user_id = 1"});
  EXPECT_TRUE(sent("ds_0").empty());
  // The actual database in column metadata is shown as the logical one.
  EXPECT_EQ(sink_.lines,
            (std::vector<std::string>{"columns 1", "column actual_db..id", "row 7", "end"}));
  EXPECT_EQ(shards_.released, 1);
}

TEST_F(EngineTest, MergedSelectRunsEveryShardAtOnceAndMergesInOrder) {
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}, {"4"}, {"9"}}});
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}, {"3"}}});
  run("SELECT id FROM t_order ORDER BY id");
  std::vector<std::string> rows;
  for (const auto& l : sink_.lines) {
    if (l.rfind("row ", 0) == 0) rows.push_back(l.substr(4));
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"1", "2", "3", "4", "9"}));
  EXPECT_EQ(sink_.lines.back(), "end");
  EXPECT_EQ(shards_.acquired, 2);
  EXPECT_EQ(shards_.released, 2);
}

TEST_F(EngineTest, UnitsSharingALaneAreReadAheadAndTheLastStreamed) {
  // max-connections-size-per-query is 1: each data source runs its two actual tables one after
  // another on one connection, the first read into memory before the second streams.
  script("ds_0", "SELECT id FROM t_item_0 ORDER BY id", {{"id"}, {{"2"}, {"8"}}});
  script("ds_0", "SELECT id FROM t_item_1 ORDER BY id", {{"id"}, {{"1"}, {"5"}}});
  script("ds_1", "SELECT id FROM t_item_0 ORDER BY id", {{"id"}, {{"4"}}});
  script("ds_1", "SELECT id FROM t_item_1 ORDER BY id", {{"id"}, {{"3"}, {"7"}}});
  run("SELECT id FROM t_item ORDER BY id");
  std::vector<std::string> rows;
  for (const auto& l : sink_.lines) {
    if (l.rfind("row ", 0) == 0) rows.push_back(l.substr(4));
  }
  EXPECT_EQ(rows, (std::vector<std::string>{"1", "2", "3", "4", "5", "7", "8"}));
  EXPECT_EQ(sent("ds_0").size(), 2u);
  EXPECT_EQ(sent("ds_1").size(), 2u);
  EXPECT_EQ(shards_.acquired, 2);  // one connection per data source
  EXPECT_EQ(shards_.released, 2);
}

TEST_F(EngineTest, AShardFailingHalfWayEndsTheResultWithItsError) {
  Response broken{{"id"}, {{"1"}, {"5"}, {"6"}}};
  broken.breakAfter = 1;
  script("ds_0", "SELECT id FROM t_order ORDER BY id", broken);
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}, {"3"}}});
  run("SELECT id FROM t_order ORDER BY id");
  ASSERT_FALSE(sink_.lines.empty());
  EXPECT_EQ(sink_.lines.back(), "error 2013");
  // The broken connection is not handed to anyone; the other goes back clean.
  EXPECT_EQ(shards_.released + shards_.discarded, 2);
}

TEST_F(EngineTest, AShardThatCannotBeReachedFailsTheMergeBeforeAnyRow) {
  shards_.unreachable.insert("ds_1");
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}}});
  run("SELECT id FROM t_order ORDER BY id");
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"error 2003"});
  EXPECT_EQ(shards_.released, 1);
}

TEST_F(EngineTest, AClientThatGoesAwayClosesConnectionsWithUnreadRows) {
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}, {"3"}, {"5"}}});
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}, {"4"}, {"6"}}});
  sink_.clientGoneAfter = 1;
  run("SELECT id FROM t_order ORDER BY id");
  EXPECT_EQ(shards_.discarded, 2);  // closing stops the statements on the servers
  EXPECT_EQ(shards_.released, 0);
}

TEST_F(EngineTest, AMergePastTheMemoryLimitClosesConnectionsWithUnreadRows) {
  // DISTINCT holds every value it returned: 20000 per shard pass a process limit of 1 MiB.
  services_->memory = std::make_unique<ProcessMemory>(MemoryTracker::kChunk);
  for (const char* ds : {"ds_0", "ds_1"}) {
    Response many{{"id"}, {}};
    for (int i = 0; i < 20000; ++i) many.rows.push_back({std::to_string(i * 2 + (ds[3] - '0'))});
    script(ds, "SELECT DISTINCT id FROM t_order", many);
  }
  run("SELECT DISTINCT id FROM t_order");
  ASSERT_FALSE(sink_.lines.empty());
  EXPECT_EQ(sink_.lines.back(), "error 1041");
  EXPECT_GT(sink_.lines.size(), 1000u);  // rows went out before the limit
  // The shards' unread rows are not read: closing stops the statements on the servers.
  EXPECT_EQ(shards_.discarded, 2);
  EXPECT_EQ(shards_.released, 0);
  // Everything the statement held went back to the process.
  EXPECT_EQ(services_->memory->used(), 0u);
  // The session goes on.
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}}});
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}}});
  sink_.lines.clear();
  run("SELECT id FROM t_order ORDER BY id");
  EXPECT_EQ(sink_.lines.back().substr(0, 3), "end");
  EXPECT_EQ(shards_.released, 2);
}

TEST_F(EngineTest, ASinkThatStopsTheResultEndsTheMergeAtOnce) {
  // A cursor whose rows passed the memory budget: the merge stops there, and the shards' unread
  // rows are not read.
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}, {"3"}, {"5"}, {"7"}}});
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}, {"4"}, {"6"}, {"8"}}});
  sink_.stopAfter = 2;
  run("SELECT id FROM t_order ORDER BY id");
  EXPECT_EQ(sink_.lines.back(), "error 1038");
  EXPECT_EQ(sink_.rowsDone, 2);
  EXPECT_EQ(shards_.discarded, 2);
}

TEST_F(EngineTest, RowsReadAheadCountTowardsTheMemoryLimit) {
  // Two tables per data source on one connection: the first's rows are read ahead into memory,
  // 20000 of them past a process limit of 1 MiB, before any row goes out.
  services_->memory = std::make_unique<ProcessMemory>(MemoryTracker::kChunk);
  for (const char* ds : {"ds_0", "ds_1"}) {
    Response many{{"id"}, {}};
    for (int i = 0; i < 20000; ++i) many.rows.push_back({std::to_string(i * 2)});
    script(ds, "SELECT id FROM t_item_0 ORDER BY id", many);
    script(ds, "SELECT id FROM t_item_1 ORDER BY id", {{"id"}, {{"1"}}});
  }
  run("SELECT id FROM t_item ORDER BY id");
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"error 1041"});
  EXPECT_EQ(services_->memory->used(), 0u);
  EXPECT_EQ(shards_.released + shards_.discarded, 2);
  // Within the limit, the same statement works.
  services_->memory = std::make_unique<ProcessMemory>(64 * MemoryTracker::kChunk);
  sink_.lines.clear();
  run("SELECT id FROM t_item ORDER BY id");
  EXPECT_EQ(sink_.lines.back(), "end");
  EXPECT_EQ(sink_.lines.size(), 40002u + 3);  // columns, the column, the rows, end
}

TEST_F(EngineTest, AWriteOnEveryShardIsOneOkWithTheSum) {
  Response two;
  two.affected = 2;
  Response three;
  three.affected = 3;
  script("ds_0", "UPDATE t_order SET x = 1", two);
  script("ds_1", "UPDATE t_order SET x = 1", three);
  run("UPDATE t_order SET x = 1");
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"ok 5"});
}

TEST_F(EngineTest, AFailedWriteStopsAtTheShardThatFailed) {
  Response refused;
  refused.error = Status(1062, "23000", "Duplicate entry");
  script("ds_0", "UPDATE t_order SET x = 1", refused);
  run("UPDATE t_order SET x = 1");
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"error 1062"});
  EXPECT_TRUE(sent("ds_1").empty());
}

TEST_F(EngineTest, LocalTransactionJoinsEachShardAsItIsTouched) {
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  run("INSERT INTO t_order (user_id, id) VALUES (3, 30)");
  EXPECT_EQ(sent("ds_1"),
            (std::vector<std::string>{"BEGIN", "INSERT INTO t_order (user_id, id) VALUES (1, 10)",
                                      "INSERT INTO t_order (user_id, id) VALUES (3, 30)"}));
  EXPECT_EQ(sent("ds_0").front(), "BEGIN");
  EXPECT_EQ(shards_.acquired, 2);  // one connection per data source for the whole transaction
  EXPECT_TRUE(session_->statusFlags() & pstatus::kInTrans);
  run("COMMIT");
  EXPECT_EQ(sent("ds_0").back(), "COMMIT");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_EQ(shards_.released, 2);
}

TEST_F(EngineTest, ALostParticipantRollsTheTransactionBackAndTheSessionGoesOn) {
  sink_.session = session_.get();
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  Response lost;
  lost.error = Status(2013, "HY000", "data source ds_1: Lost connection to server during query");
  lost.breaks = true;
  script("ds_1", "INSERT INTO t_order (user_id, id) VALUES (3, 30)", lost);
  run("INSERT INTO t_order (user_id, id) VALUES (3, 30)");
  runToEnd(session_->settle());
  // One error saying what happened to the transaction; the other participant rolled back.
  EXPECT_EQ(sink_.lines.back(), "error 1927");
  EXPECT_EQ(sink_.messages.back(),
            "Connection was killed: data source ds_1: Lost connection to server during query; the "
            "transaction was rolled back");
  EXPECT_EQ(sent("ds_0").back(), "ROLLBACK");
  EXPECT_FALSE(session_->mustClose());
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
  // The next transaction runs, on a new connection to the data source that was lost.
  shards_.script.clear();
  int acquired = shards_.acquired;
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (3, 30)");
  run("COMMIT");
  EXPECT_EQ(sink_.lines.back(), "ok 0");
  EXPECT_EQ(shards_.acquired, acquired + 1);
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
}

TEST_F(EngineTest, AConnectionLostOutsideATransactionIsTheStatementsError) {
  sink_.session = session_.get();
  Response lost;
  lost.error = Status(2013, "HY000", "Lost connection to server during query");
  lost.breaks = true;
  script("ds_1", "INSERT INTO t_order (user_id, id) VALUES (1, 10)", lost);
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  runToEnd(session_->settle());
  EXPECT_EQ(sink_.lines.back(), "error 2013");
  EXPECT_FALSE(session_->mustClose());
}

TEST_F(EngineTest, XaTransactionCommitsInTwoPhasesOverTwoShards) {
  session_->transaction().setType(txn::TransactionType::Xa, false).ignoreError();
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  run("COMMIT");
  for (const std::string ds : {"ds_0", "ds_1"}) {
    const auto& s = sent(ds);
    ASSERT_EQ(s.size(), 5u) << ds;
    EXPECT_EQ(s[0].rfind("XA START ", 0), 0u);
    EXPECT_EQ(s[1].rfind("INSERT", 0), 0u);
    EXPECT_EQ(s[2].rfind("XA END ", 0), 0u);
    EXPECT_EQ(s[3].rfind("XA PREPARE ", 0), 0u);
    EXPECT_EQ(s[4].rfind("XA COMMIT ", 0), 0u);
  }
  EXPECT_EQ(log_.decisions, 1);
  EXPECT_EQ(sink_.lines.back(), "ok 0");
}

TEST_F(EngineTest, SavepointsReachAShardThatJoinsAfterThem) {
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  run("SAVEPOINT a");
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  EXPECT_EQ(sent("ds_0"),
            (std::vector<std::string>{"BEGIN", "SAVEPOINT `a`",
                                      "INSERT INTO t_order (user_id, id) VALUES (2, 20)"}));
  run("ROLLBACK TO SAVEPOINT a");
  EXPECT_EQ(sent("ds_0").back(), "ROLLBACK TO SAVEPOINT `a`");
  EXPECT_EQ(sent("ds_1").back(), "ROLLBACK TO SAVEPOINT `a`");
}

// ---- one transaction over several logical databases ----

bool hasError(const RecordingSink& sink) {
  return std::any_of(sink.lines.begin(), sink.lines.end(),
                     [](const std::string& l) { return l.rfind("error", 0) == 0; });
}

TEST_F(EngineTest, ALocalTransactionSpansPassThroughAndShardedDatabases) {
  session_->database = "shop";
  run("BEGIN");
  EXPECT_TRUE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_TRUE(sent("shop_ds").empty());  // each participant begins when first touched
  run("INSERT INTO t_product (id) VALUES (1)");
  session_->database = "sharded";  // USE sharded
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  run("SELECT * FROM t_order WHERE user_id = 1");
  ASSERT_FALSE(hasError(sink_)) << sink_.lines.back();
  EXPECT_EQ(sent("shop_ds"),
            (std::vector<std::string>{"BEGIN", "INSERT INTO t_product (id) VALUES (1)"}));
  EXPECT_EQ(sent("ds_1").front(), "BEGIN");
  EXPECT_TRUE(session_->statusFlags() & pstatus::kInTrans);
  run("COMMIT");
  EXPECT_EQ(sent("shop_ds").back(), "COMMIT");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_TRUE(session_->statusFlags() & pstatus::kAutocommit);
  EXPECT_EQ(shards_.released, 2);
  // ROLLBACK written in another database ends every participant too.
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  session_->database = "shop";
  run("INSERT INTO t_product (id) VALUES (2)");
  run("ROLLBACK");
  EXPECT_EQ(sent("ds_0").back(), "ROLLBACK");
  EXPECT_EQ(sent("shop_ds").back(), "ROLLBACK");
  EXPECT_FALSE(hasError(sink_));
}

TEST_F(EngineTest, IdenticalDataSourcesOfTwoDatabasesAreOneParticipant) {
  session_->database = "shop";
  run("BEGIN");
  run("INSERT INTO t_product (id) VALUES (1)");
  session_->database = "shop_copy";
  run("SELECT id FROM t_product");
  // The write is seen: the same connection, in the same transaction.
  EXPECT_EQ(shards_.acquired, 1);
  EXPECT_TRUE(sent("copy_ds").empty());
  EXPECT_EQ(sent("shop_ds"),
            (std::vector<std::string>{"BEGIN", "INSERT INTO t_product (id) VALUES (1)",
                                      "SELECT id FROM t_product"}));
  EXPECT_TRUE(session_->holds("shop_copy", "copy_ds"));
  EXPECT_EQ(session_->heldDataSource("shop_copy"), "copy_ds");
  run("COMMIT");
  EXPECT_EQ(sent("shop_ds").back(), "COMMIT");
  EXPECT_EQ(std::count(sent("shop_ds").begin(), sent("shop_ds").end(), "COMMIT"), 1);
  // Another actual database on the same server is another connection.
  Target shop{services_->topology->findDatabase("shop"),
              &services_->topology->findDatabase("shop")->dataSources.front(), false};
  Target reports{services_->topology->findDatabase("reports"),
                 &services_->topology->findDatabase("reports")->dataSources.front(), false};
  Target copy{services_->topology->findDatabase("shop_copy"),
              &services_->topology->findDatabase("shop_copy")->dataSources.front(), false};
  EXPECT_EQ(session_->participantKey(shop), session_->participantKey(copy));
  EXPECT_NE(session_->participantKey(shop), session_->participantKey(reports));
  Target noDatabase = shop;
  noDatabase.noDatabase = true;
  EXPECT_NE(session_->participantKey(shop), session_->participantKey(noDatabase));
}

TEST_F(EngineTest, XaSpansDatabasesWithABranchEachAndOneDecision) {
  session_->transaction().setType(txn::TransactionType::Xa, false).ignoreError();
  session_->database = "shop";
  run("BEGIN");
  run("INSERT INTO t_product (id) VALUES (1)");
  session_->database = "reports";
  run("INSERT INTO t_report (id) VALUES (1)");
  session_->database = "sharded";
  run("INSERT INTO t_order (user_id, id) VALUES (2, 20)");
  run("COMMIT");
  ASSERT_FALSE(hasError(sink_)) << sink_.lines.back();
  EXPECT_EQ(log_.decisions, 1);
  // reports' ds_0 and sharded's ds_0 are two branches: two distinct xids.
  std::vector<std::string> starts;
  for (const std::string& sql : sent("ds_0")) {
    if (sql.rfind("XA START ", 0) == 0) starts.push_back(sql.substr(9));
  }
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_NE(starts[0], starts[1]);
  for (const std::string& x : starts) {
    for (const std::string verb : {"XA END ", "XA PREPARE ", "XA COMMIT "}) {
      EXPECT_EQ(std::count(sent("ds_0").begin(), sent("ds_0").end(), verb + x), 1) << verb + x;
    }
  }
  const auto& shop = sent("shop_ds");
  ASSERT_EQ(shop.size(), 5u);
  EXPECT_EQ(shop[0].rfind("XA START ", 0), 0u);
  EXPECT_EQ(shop[3].rfind("XA PREPARE ", 0), 0u);
  EXPECT_EQ(shop[4].rfind("XA COMMIT ", 0), 0u);
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
}

TEST_F(EngineTest, WithAutocommitOffCommitAnywhereEndsEveryDatabase) {
  session_->variables.values["autocommit"] = "OFF";
  session_->database = "sharded";
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  session_->database = "shop";
  run("INSERT INTO t_product (id) VALUES (1)");
  ASSERT_FALSE(hasError(sink_)) << sink_.lines.back();
  EXPECT_TRUE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_FALSE(session_->statusFlags() & pstatus::kAutocommit);
  run("COMMIT");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
  EXPECT_EQ(sent("shop_ds").back(), "COMMIT");
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_FALSE(session_->statusFlags() & pstatus::kAutocommit);
}

TEST_F(EngineTest, TurningAutocommitOnCommitsEveryDatabaseFirst) {
  session_->variables.values["autocommit"] = "OFF";
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  session_->database = "shop";
  run("INSERT INTO t_product (id) VALUES (1)");
  run("SET autocommit = ON");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
  const auto& shop = sent("shop_ds");
  ASSERT_GE(shop.size(), 2u);
  EXPECT_EQ(shop[shop.size() - 2], "COMMIT");
  EXPECT_EQ(shop.back(), "SET autocommit = ON");
  // Already on: nothing to commit.
  session_->variables.values["autocommit"] = "ON";
  run("BEGIN");
  run("INSERT INTO t_product (id) VALUES (2)");
  run("SET SESSION autocommit = 1");
  EXPECT_EQ(sent("shop_ds").back(), "SET SESSION autocommit = 1");
  EXPECT_TRUE(session_->transaction().open());
}

TEST_F(EngineTest, SavepointsSpanDatabasesAndReachParticipantsThatJoinLater) {
  session_->database = "shop";
  run("START TRANSACTION");
  run("SAVEPOINT a");  // before any participant
  run("INSERT INTO t_product (id) VALUES (1)");
  run("SAVEPOINT b");
  session_->database = "sharded";
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  ASSERT_FALSE(hasError(sink_)) << sink_.lines.back();
  EXPECT_EQ(sent("shop_ds"),
            (std::vector<std::string>{"START TRANSACTION", "SAVEPOINT `a`",
                                      "INSERT INTO t_product (id) VALUES (1)", "SAVEPOINT `b`"}));
  // Joined after both: its start is where either puts it back.
  EXPECT_EQ(sent("ds_1"),
            (std::vector<std::string>{"START TRANSACTION", "SAVEPOINT `a`", "SAVEPOINT `b`",
                                      "INSERT INTO t_order (user_id, id) VALUES (1, 10)"}));
  run("ROLLBACK TO SAVEPOINT b");
  EXPECT_EQ(sent("shop_ds").back(), "ROLLBACK TO SAVEPOINT `b`");
  EXPECT_EQ(sent("ds_1").back(), "ROLLBACK TO SAVEPOINT `b`");
  session_->database = "shop";
  run("RELEASE SAVEPOINT a");
  EXPECT_EQ(sent("ds_1").back(), "RELEASE SAVEPOINT `a`");
  run("ROLLBACK TO SAVEPOINT b");
  EXPECT_EQ(sink_.lines.back(), "error 1305");
  run("COMMIT");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
}

TEST_F(EngineTest, DdlInAPassThroughDatabaseCommitsEveryParticipantFirst) {
  run("BEGIN");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  session_->database = "shop";
  run("CREATE TABLE t_new (id INT)");
  EXPECT_EQ(sent("ds_1").back(), "COMMIT");
  EXPECT_EQ(sent("shop_ds"), std::vector<std::string>{"CREATE TABLE t_new (id INT)"});
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
  EXPECT_FALSE(session_->transaction().open());
}

TEST_F(EngineTest, ASavepointOutsideATransactionIsTheBackendsToAnswer) {
  session_->database = "shop";
  run("SAVEPOINT a");
  EXPECT_EQ(sent("shop_ds"), std::vector<std::string>{"SAVEPOINT a"});
}

TEST_F(EngineTest, KillStopsTheStatementOnEveryShardItRunsOn) {
  script("ds_0", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"1"}}});
  script("ds_1", "SELECT id FROM t_order ORDER BY id", {{"id"}, {{"2"}}});
  // While the merge streams, the session knows where it runs.
  struct KillingSink : RecordingSink {
    ShardSession* session = nullptr;
    awaitable<Status> flush() override {
      if (session) session->killRunning();
      session = nullptr;
      co_return Status::ok();
    }
  } killing;
  killing.session = session_.get();
  auto parsed = parser::ast::parseAst("SELECT id FROM t_order ORDER BY id");
  ASSERT_TRUE(parsed.isOk());
  Engine engine(*session_, killing);
  runToEnd(engine.executeRouted(*parsed, *session_->activeRules(), false));
  std::sort(shards_.killed.begin(), shards_.killed.end());
  ASSERT_EQ(shards_.killed.size(), 2u);
  EXPECT_EQ(shards_.killed[0].rfind("ds_0:", 0), 0u);
  EXPECT_EQ(shards_.killed[1].rfind("ds_1:", 0), 0u);
}

TEST_F(EngineTest, LockTablesHoldsEveryDataSourceUntilUnlock) {
  run("LOCK TABLES t_item AS i READ, t_order WRITE");
  // One alias cannot name the two actual tables of t_item on a data source: refused.
  EXPECT_EQ(sink_.lines.back(), "error 1235");
  EXPECT_TRUE(sent("ds_0").empty());
  run("LOCK TABLES t_item READ, t_order LOW_PRIORITY WRITE");
  EXPECT_EQ(sink_.lines.back(), "ok 0");
  EXPECT_EQ(sent("ds_0"), std::vector<std::string>{"LOCK TABLES `t_item_0` READ, `t_item_1` READ, "
                                                   "`t_order` LOW_PRIORITY WRITE"});
  EXPECT_EQ(sent("ds_1").size(), 1u);
  EXPECT_TRUE(session_->tablesLocked());
  // Statements run on the connections that hold the locks.
  int acquired = shards_.acquired;
  run("SELECT id FROM t_order");
  run("INSERT INTO t_order (user_id, id) VALUES (1, 10)");
  EXPECT_EQ(shards_.acquired, acquired);
  EXPECT_EQ(shards_.released, 0);
  run("UNLOCK TABLES");
  EXPECT_EQ(sink_.lines.back(), "ok 0");
  EXPECT_EQ(sent("ds_0").back(), "UNLOCK TABLES");
  EXPECT_EQ(sent("ds_1").back(), "UNLOCK TABLES");
  EXPECT_FALSE(session_->tablesLocked());
  EXPECT_EQ(shards_.released, 2);
  // Without locks, UNLOCK TABLES is the backend's as before.
  run("UNLOCK TABLES");
  EXPECT_EQ(sink_.lines.back(), "ok 0");
}

TEST_F(EngineTest, NewLocksAndBeginLetGoOfTheSessionsLocks) {
  run("LOCK TABLES t_order READ");
  run("LOCK TABLES t_item WRITE");
  EXPECT_EQ(sent("ds_0"),
            (std::vector<std::string>{"LOCK TABLES `t_order` READ", "UNLOCK TABLES",
                                      "LOCK TABLES `t_item_0` WRITE, `t_item_1` WRITE"}));
  run("BEGIN");
  EXPECT_EQ(sent("ds_0").back(), "UNLOCK TABLES");
  EXPECT_EQ(sent("ds_1").back(), "UNLOCK TABLES");
  EXPECT_FALSE(session_->tablesLocked());
}

TEST_F(EngineTest, UnderLockTablesADataSourceWithoutLocksIsNotReached) {
  // t_single is on the default data source only: ds_1 holds no lock of the session.
  run("LOCK TABLES t_single READ");
  EXPECT_EQ(sent("ds_0"), std::vector<std::string>{"LOCK TABLES `t_single` READ"});
  EXPECT_TRUE(sent("ds_1").empty());
  run("SELECT id FROM t_order WHERE user_id = 1");
  EXPECT_EQ(sink_.lines.back(), "error 1100");
  EXPECT_EQ(sink_.messages.back(), "Table 't_order' was not locked with LOCK TABLES");
  EXPECT_TRUE(sent("ds_1").empty());
  // A statement without tables has nothing to have locked.
  script("ds_0", "SELECT 1", {{"1"}, {{"1"}}});
  run("SELECT 1");
  EXPECT_EQ(sink_.lines.back(), "end");
  EXPECT_EQ(sent("ds_0").back(), "SELECT 1");
  // Where the locks are, the backend judges (it knows which tables are locked).
  run("SELECT id FROM t_order WHERE user_id = 2");
  EXPECT_EQ(sent("ds_0").back(), "SELECT id FROM t_order WHERE user_id = 2");
  run("UNLOCK TABLES");
  run("SELECT id FROM t_order WHERE user_id = 1");
  EXPECT_EQ(sent("ds_1").back(), "SELECT id FROM t_order WHERE user_id = 1");
}

TEST_F(EngineTest, ALockRefusedOnOneDataSourceLetsGoOfTheOthers) {
  Response refused;
  refused.error = Status(1146, "42S02", "Table 'db_1.t_order' doesn't exist");
  script("ds_1", "LOCK TABLES `t_order` READ", refused);
  run("LOCK TABLES t_order READ");
  EXPECT_EQ(sink_.lines.back(), "error 1146");
  EXPECT_EQ(sink_.messages.back(), "Table 'sharded.t_order' doesn't exist");
  EXPECT_EQ(sent("ds_0").back(), "UNLOCK TABLES");
  EXPECT_FALSE(session_->tablesLocked());
}

TEST_F(EngineTest, MaintenanceAnswersOnceFoldedPerLogicalTable) {
  script(
      "ds_0", "CHECK TABLE `t_item_0`, `t_item_1`",
      {{"Table", "Op", "Msg_type", "Msg_text"},
       {{"db_0.t_item_0", "check", "status", "OK"}, {"db_0.t_item_1", "check", "status", "OK"}}});
  script("ds_1", "CHECK TABLE `t_item_0`, `t_item_1`",
         {{"Table", "Op", "Msg_type", "Msg_text"},
          {{"db_1.t_item_0", "check", "Error", "Table 'db_1.t_item_0' doesn't exist"},
           {"db_1.t_item_0", "check", "status", "Operation failed"},
           {"db_1.t_item_1", "check", "status", "OK"}}});
  run("CHECK TABLE t_item");
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{
                             "columns 4", "column ..Table", "column ..Op", "column ..Msg_type",
                             "column ..Msg_text",
                             "row sharded.t_item,check,Error,Table 'sharded.t_item' doesn't exist",
                             "row sharded.t_item,check,status,Operation failed", "end"}));
}

TEST_F(EngineTest, ExplainShowsEveryUnitsPlanInLogicalNames) {
  script("ds_0",
         "EXPLAIN SELECT id FROM t_item_0 WHERE user_id = 2 UNION ALL SELECT id FROM t_item_1 "
         "WHERE user_id = 2",
         {{"id", "table"}, {{"1", "t_item_0"}, {"2", "t_item_1"}}});
  run("EXPLAIN SELECT id FROM t_item WHERE user_id = 2");
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"columns 2", "column ..id", "column ..table",
                                                   "row 1,t_item", "row 2,t_item", "end"}));
  EXPECT_TRUE(sent("ds_1").empty());
}

TEST_F(EngineTest, PreviewShowsTheUnitsWithoutRunningThem) {
  auto parsed = parser::ast::parseAst("SELECT * FROM t_order WHERE user_id IN (1, 2)");
  ASSERT_TRUE(parsed.isOk());
  Engine engine(*session_, sink_);
  runToEnd(engine.executeRouted(*parsed, *session_->activeRules(), true));
  EXPECT_TRUE(sent("ds_0").empty());
  EXPECT_TRUE(sent("ds_1").empty());
  EXPECT_NE(std::find(sink_.lines.begin(), sink_.lines.end(),
                      "row ds_0,SELECT * FROM t_order WHERE user_id IN (1, 2)"),
            sink_.lines.end());
}

// ---- LOAD DATA LOCAL INFILE (executor/load_data.h) ----

// The client's file, sent in pieces of `chunk` bytes.
class FakeFile : public LocalFile {
 public:
  FakeFile(std::string data, size_t chunk) : data_(std::move(data)), chunk_(chunk) {}
  awaitable<Result<std::string_view>> read() override {
    ++reads;
    std::string_view piece = std::string_view(data_).substr(std::min(at_, data_.size()), chunk_);
    at_ += piece.size();
    co_return piece;
  }
  bool allRead() const { return at_ >= data_.size(); }
  int reads = 0;

 private:
  std::string data_;
  size_t chunk_;
  size_t at_ = 0;
};

class LoadDataEngineTest : public EngineTest {
 protected:
  void load(const std::string& sql, FakeFile& file) {
    auto parsed = parser::ast::parseAst(sql);
    ASSERT_TRUE(parsed.isOk()) << parsed.status().toString();
    LoadData loader(*session_, sink_);
    auto task = [&]() -> awaitable<void> {
      if (Status st = co_await loader.prepare(*parsed); !st) {
        sink_.error(st);
        co_return;
      }
      Status st = co_await loader.run(file);
      EXPECT_TRUE(st.isOk()) << st.toString();
    };
    runToEnd(task());
  }
  // The INSERTs a data source was sent.
  std::vector<std::string> inserts(const std::string& ds) {
    std::vector<std::string> out;
    for (const std::string& sql : sent(ds)) {
      if (sql.rfind("INSERT", 0) == 0 || sql.rfind("REPLACE", 0) == 0) out.push_back(sql);
    }
    return out;
  }
};

TEST_F(LoadDataEngineTest, RowsGoToTheirShardsInOneTransaction) {
  FakeFile file("1,10,a\n2,11,b\n3,13,c\n", 5);
  const std::string ds1 =
      "INSERT IGNORE INTO `t_item_0` (`user_id`, `id`, `name`) VALUES ('1', '10', 'a')";
  Response one;
  one.affected = 1;
  script("ds_1", ds1, one);
  load("LOAD DATA LOCAL INFILE 'f' INTO TABLE t_item FIELDS TERMINATED BY ',' (user_id, id, name)",
       file);
  EXPECT_EQ(sent("ds_1"),
            (std::vector<std::string>{
                "BEGIN", ds1,
                "INSERT IGNORE INTO `t_item_1` (`user_id`, `id`, `name`) VALUES ('3', '13', 'c')",
                "COMMIT"}));
  EXPECT_EQ(inserts("ds_0"),
            std::vector<std::string>{
                "INSERT IGNORE INTO `t_item_1` (`user_id`, `id`, `name`) VALUES ('2', '11', 'b')"});
  EXPECT_EQ(sent("ds_0").back(), "COMMIT");
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"ok 1"});
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
}

TEST_F(LoadDataEngineTest, BatchesAreBoundedWhateverTheFileSize) {
  // 200000 rows (about 5 MB of SQL) in 16 KiB packets: every INSERT stays near one batch, and every
  // row is sent once.
  std::string data;
  const int rows = 200000;
  for (int i = 0; i < rows; ++i) data += std::to_string(i) + "," + std::to_string(i) + ",row\n";
  FakeFile file(data, 16 * 1024);
  load(
      "LOAD DATA LOCAL INFILE 'f' REPLACE INTO TABLE t_item FIELDS TERMINATED BY ',' "
      "(user_id, id, name)",
      file);
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"ok 0"});
  size_t tuples = 0;
  size_t largest = 0;
  for (const std::string ds : {"ds_0", "ds_1"}) {
    for (const std::string& sql : inserts(ds)) {
      EXPECT_EQ(sql.rfind("REPLACE INTO `t_item_", 0), 0u);
      largest = std::max(largest, sql.size());
      tuples += static_cast<size_t>(std::count(sql.begin(), sql.end(), '('));
      tuples -= 1;  // the column list
    }
  }
  EXPECT_EQ(tuples, static_cast<size_t>(rows));
  EXPECT_LE(largest, LoadData::kBatchBytes + 64);
  EXPECT_GT(inserts("ds_0").size() + inserts("ds_1").size(), 4u);
}

TEST_F(LoadDataEngineTest, AFailedBatchRollsBackAndTheRestOfTheFileIsRead) {
  Response bad;
  bad.error = Status(1366, "22007", "Incorrect integer value");
  script("ds_0", "INSERT IGNORE INTO `t_item_0` (`user_id`, `id`, `name`) VALUES ('2', '10', 'x')",
         bad);
  FakeFile file("1,11,a\n2,10,x\n3,13,c\n5,15,d\n", 4);
  load("LOAD DATA LOCAL INFILE 'f' INTO TABLE t_item FIELDS TERMINATED BY ',' (user_id, id, name)",
       file);
  EXPECT_EQ(sink_.lines, std::vector<std::string>{"error 1366"});
  EXPECT_TRUE(file.allRead());
  EXPECT_EQ(sent("ds_0").back(), "ROLLBACK");
  EXPECT_EQ(sent("ds_1").back(), "ROLLBACK");
  EXPECT_FALSE(session_->statusFlags() & pstatus::kInTrans);
}

TEST_F(LoadDataEngineTest, RefusedBeforeTheFileIsAskedFor) {
  // A sharded table whose columns the proxy does not know needs a column list; a table nobody
  // knows does not exist.
  FakeFile file("1,a\n", 100);
  load("LOAD DATA LOCAL INFILE 'f' INTO TABLE t_order", file);
  load("LOAD DATA LOCAL INFILE 'f' INTO TABLE t_nowhere", file);
  load("LOAD DATA LOCAL INFILE 'f' INTO TABLE t_order (user_id, @v)", file);
  EXPECT_EQ(sink_.lines, (std::vector<std::string>{"error 1235", "error 1146", "error 1235"}));
  EXPECT_EQ(file.reads, 0);
}

}  // namespace
}  // namespace shardproxy::executor
