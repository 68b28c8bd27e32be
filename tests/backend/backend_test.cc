// Backend connections and pools against a real MariaDB server: the one scripts/test.sh starts
// (SHARDPROXY_CLUSTER_ENV). Without it the tests report themselves skipped.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "backend/connection.h"
#include "backend/pool.h"

namespace shardproxy::backend {
namespace {

using namespace std::chrono_literals;

std::optional<uint16_t> clusterPort() {
  const char* env = std::getenv("SHARDPROXY_CLUSTER_ENV");
  if (!env) return std::nullopt;
  std::ifstream in(env);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  size_t at = text.find("MARIADB_PORTS=");
  if (at == std::string::npos) return std::nullopt;
  at += std::string("MARIADB_PORTS=").size();
  if (at < text.size() && text[at] == '"') ++at;
  int port = std::atoi(text.c_str() + at);
  if (port <= 0 || port > 65535) return std::nullopt;
  return static_cast<uint16_t>(port);
}

config::DataSource dataSource(uint16_t port) {
  config::DataSource ds;
  ds.name = "ds_test";
  ds.host = "127.0.0.1";
  ds.port = port;
  ds.database = "";
  ds.username = "root";
  ds.password = "root";
  ds.connectionTimeoutMs = 2000;
  return ds;
}

// Runs a coroutine to completion on a fresh io_context.
template <typename F>
void run(F f) {
  asio::io_context io;
  std::exception_ptr error;
  asio::co_spawn(io, f(io.get_executor()), [&](std::exception_ptr e) { error = e; });
  io.run();
  if (error) std::rethrow_exception(error);
}

class BackendTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = clusterPort();
    if (!port) GTEST_SKIP() << "SHARDPROXY_CLUSTER_ENV not set: no MariaDB to test against";
    ds_ = dataSource(*port);
  }
  config::DataSource ds_;
};

TEST_F(BackendTest, QueryStreamsRowsAndReportsOk) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, "ds_test");
    // Without a connection the rest would only crash.
    if (!(co_await c.connect(ds_, {})).isOk()) {
      ADD_FAILURE() << "cannot connect to " << ds_.host << ":" << ds_.port;
      co_return;
    }
    EXPECT_TRUE((co_await c.query("SELECT 1 AS a, NULL AS b UNION ALL SELECT 2, 'x'")).isOk());
    EXPECT_EQ(c.fieldCount(), 2u);
    EXPECT_STREQ(c.fields()[0].name, "a");
    MYSQL_ROW row;
    EXPECT_TRUE((co_await c.fetchRow(row)).isOk());
    EXPECT_STREQ(row[0], "1");
    EXPECT_EQ(row[1], nullptr);
    EXPECT_TRUE((co_await c.fetchRow(row)).isOk());
    EXPECT_STREQ(row[1], "x");
    EXPECT_TRUE((co_await c.fetchRow(row)).isOk());
    EXPECT_EQ(row, nullptr);
    EXPECT_TRUE(c.idleClean());

    EXPECT_TRUE((co_await c.execute("CREATE DATABASE IF NOT EXISTS backend_test")).isOk());
    EXPECT_TRUE((co_await c.execute("CREATE OR REPLACE TABLE backend_test.t (a INT "
                                    "AUTO_INCREMENT PRIMARY KEY, b INT)")).isOk());
    EXPECT_TRUE((co_await c.query("INSERT INTO backend_test.t (b) VALUES (1), (2)")).isOk());
    OkInfo ok = c.okInfo();
    EXPECT_EQ(ok.affectedRows, 2u);
    EXPECT_EQ(ok.lastInsertId, 1u);
    EXPECT_EQ(ok.info, "Records: 2  Duplicates: 0  Warnings: 0");
    EXPECT_TRUE((co_await c.execute("DROP DATABASE backend_test")).isOk());
  });
}

TEST_F(BackendTest, MultiResultsAndErrors) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, "ds_test");
    // Without a connection the rest would only crash.
    if (!(co_await c.connect(ds_, {})).isOk()) {
      ADD_FAILURE() << "cannot connect to " << ds_.host << ":" << ds_.port;
      co_return;
    }
    EXPECT_TRUE((co_await c.query("SELECT 1; DO 1; SELECT 2")).isOk());
    EXPECT_TRUE(c.moreResults());
    EXPECT_TRUE((co_await c.drain()).isOk());
    EXPECT_TRUE(c.idleClean());

    Status s = co_await c.query("SELEC 1");
    EXPECT_EQ(s.code(), 1064);
    EXPECT_EQ(s.sqlState(), "42000");
    EXPECT_FALSE(c.broken());
    EXPECT_TRUE((co_await c.execute("SELECT 1")).isOk());

    EXPECT_TRUE((co_await c.setMultiStatements(false)).isOk());
    s = co_await c.query("SELECT 1; SELECT 2");
    EXPECT_EQ(s.code(), 1064);
    EXPECT_TRUE((co_await c.setMultiStatements(true)).isOk());
    EXPECT_TRUE((co_await c.execute("SELECT 1; SELECT 2")).isOk());
  });
}

TEST_F(BackendTest, ReportsChangedSessionVariables) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, "ds_test");
    // Without a connection the rest would only crash.
    if (!(co_await c.connect(ds_, {})).isOk()) {
      ADD_FAILURE() << "cannot connect to " << ds_.host << ":" << ds_.port;
      co_return;
    }
    EXPECT_TRUE((co_await c.query("SET time_zone = '+02:00'")).isOk());
    EXPECT_TRUE(c.sessionStateChanged());
    auto vars = c.takeChangedVariables();
    EXPECT_EQ(vars["time_zone"], "+02:00");
  });
}

TEST_F(BackendTest, UnreachableServerFailsFast) {
  ds_.port = 1;  // nothing listens there
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, "ds_test");
    Status s = co_await c.connect(ds_, {});
    EXPECT_FALSE(s.isOk());
    EXPECT_NE(s.message().find("ds_test"), std::string::npos) << s.message();
  });
}

TEST_F(BackendTest, SilentServerTimesOut) {
  // A listener that accepts but never sends a greeting.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ds_.port = silent.local_endpoint().port();
  ds_.connectionTimeoutMs = 300;
  auto start = std::chrono::steady_clock::now();
  Status result;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        Connection c(io.get_executor(), "ds_test");
        result = co_await c.connect(ds_, {});
      },
      asio::detached);
  io.run();
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(result.code(), er::kCrConnHostError) << result.toString();
  EXPECT_LT(elapsed, 5s);  // bounded: the 300 ms deadline, not a hang
}

TEST_F(BackendTest, PoolReusesAndQueuesConnections) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    DataSourceGate gate("ds_test", 1, 0);
    Pool pool(ex, ds_, {}, gate, false);
    auto first = co_await pool.acquire();
    if (!first.isOk()) {
      ADD_FAILURE() << first.status().toString();
      co_return;
    }
    uint64_t id = first.value()->threadId();
    EXPECT_EQ(pool.openCount(), 1);

    // The pool is full: a second acquire waits until the first connection comes back.
    bool secondDone = false;
    uint64_t secondId = 0;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          auto second = co_await pool.acquire();
          if (!second.isOk()) {
            ADD_FAILURE() << second.status().toString();
            co_return;
          }
          secondId = second.value()->threadId();
          secondDone = true;
          pool.release(std::move(second.value()));
        },
        asio::detached);
    asio::steady_timer t(ex, 50ms);
    co_await t.async_wait(use_awaitable);
    EXPECT_FALSE(secondDone);
    pool.release(std::move(first.value()));
    t.expires_after(50ms);
    co_await t.async_wait(use_awaitable);
    EXPECT_TRUE(secondDone);
    EXPECT_EQ(secondId, id);  // the same connection, handed over
    EXPECT_EQ(pool.idleCount(), 1u);
  });
}

TEST_F(BackendTest, PoolWaitTimesOut) {
  ds_.connectionTimeoutMs = 200;
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    DataSourceGate gate("ds_test", 1, 0);
    Pool pool(ex, ds_, {}, gate, false);
    auto held = co_await pool.acquire();
    if (!held.isOk()) {
      ADD_FAILURE() << held.status().toString();
      co_return;
    }
    auto start = std::chrono::steady_clock::now();
    auto waited = co_await pool.acquire();
    EXPECT_FALSE(waited.isOk());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
    pool.release(std::move(held.value()));
  });
}

TEST_F(BackendTest, PoolDropsConnectionsTheServerClosed) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    DataSourceGate gate("ds_test", 2, 0);
    Pool pool(ex, ds_, {}, gate, false);
    auto victim = co_await pool.acquire();
    if (!victim.isOk()) {
      ADD_FAILURE() << victim.status().toString();
      co_return;
    }
    uint64_t victimId = victim.value()->threadId();
    pool.release(std::move(victim.value()));

    Connection killer(ex, "ds_test");
    // Without a connection the rest would only crash.
    if (!(co_await killer.connect(ds_, {})).isOk()) {
      ADD_FAILURE() << "cannot connect to " << ds_.host << ":" << ds_.port;
      co_return;
    }
    EXPECT_TRUE((co_await killer.execute("KILL " + std::to_string(victimId))).isOk());
    asio::steady_timer t(ex, 100ms);
    co_await t.async_wait(use_awaitable);

    auto next = co_await pool.acquire();
    if (!next.isOk()) {
      ADD_FAILURE() << next.status().toString();
      co_return;
    }
    EXPECT_NE(next.value()->threadId(), victimId);
    EXPECT_TRUE((co_await next.value()->execute("SELECT 1")).isOk());
    pool.release(std::move(next.value()));
  });
}

TEST_F(BackendTest, UrlConnectTimeoutBoundsAConnectBelowTheConnectionTimeout) {
  // A listener that accepts but never sends a greeting, like a frozen server.
  asio::io_context io;
  asio::ip::tcp::acceptor silent(io,
                                 asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  ds_.port = silent.local_endpoint().port();
  ds_.connectionTimeoutMs = 30000;
  ds_.connectTimeoutMs = 300;
  auto start = std::chrono::steady_clock::now();
  Status result;
  asio::co_spawn(
      io,
      [&]() -> awaitable<void> {
        Connection c(io.get_executor(), "ds_test");
        result = co_await c.connect(ds_, {});
      },
      asio::detached);
  io.run();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count();
  std::printf("connect to a silent server with connectTimeout 300 ms: failed after %lld ms\n",
              static_cast<long long>(ms));
  EXPECT_EQ(result.code(), er::kCrConnHostError) << result.toString();
  EXPECT_NE(result.message().find("within 300 ms"), std::string::npos) << result.message();
  EXPECT_LT(ms, 5000);  // the URL's 300 ms, not connectionTimeoutMs' 30 s
}

TEST_F(BackendTest, SocketTimeoutEndsAStatementThatRunsPastIt) {
  ds_.socketTimeoutMs = 300;
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    Connection c(ex, "ds_test");
    if (!(co_await c.connect(ds_, {})).isOk()) {
      ADD_FAILURE() << "cannot connect to " << ds_.host << ":" << ds_.port;
      co_return;
    }
    EXPECT_TRUE((co_await c.execute("SELECT SLEEP(0.05)")).isOk());  // within it: fine
    Status s = co_await c.execute("SELECT SLEEP(5)");
    EXPECT_EQ(s.code(), er::kCrServerLost) << s.toString();
    EXPECT_NE(s.message().find("no answer within socketTimeout 300 ms"), std::string::npos)
        << s.message();
    EXPECT_TRUE(c.broken());
  });
}

TEST_F(BackendTest, PoolFailsFastAndAbortsItsConnectionsWhileTheDataSourceIsDown) {
  run([&](asio::any_io_executor ex) -> awaitable<void> {
    DataSourceGate gate("ds_test", 2, 0);
    Pool pool(ex, ds_, {}, gate, false);
    auto conn = co_await pool.acquire();
    if (!conn.isOk()) {
      ADD_FAILURE() << conn.status().toString();
      co_return;
    }
    EXPECT_EQ(gate.open(), 1);
    // A statement running when the data source goes down ends with the gate's reason.
    Status running;
    bool finished = false;
    asio::co_spawn(
        ex,
        [&]() -> awaitable<void> {
          running = co_await conn.value()->execute("SELECT SLEEP(10)");
          finished = true;
        },
        asio::detached);
    asio::steady_timer t(ex, 100ms);
    co_await t.async_wait(use_awaitable);
    auto start = std::chrono::steady_clock::now();
    gate.markDown(makeError(er::kCrConnHostError, "data source ds_test is not answering"));
    while (!finished && std::chrono::steady_clock::now() - start < 5s) {
      t.expires_after(10ms);
      co_await t.async_wait(use_awaitable);
    }
    EXPECT_TRUE(finished);
    EXPECT_EQ(running.message(), "data source ds_test is not answering");
    EXPECT_TRUE(conn.value()->broken());
    pool.release(std::move(conn.value()));
    EXPECT_EQ(gate.open(), 0);  // the broken connection was closed and its slot given back

    // New work fails at once while down, and works again once it is up.
    auto refused = co_await pool.acquire();
    EXPECT_EQ(refused.status().message(), "data source ds_test is not answering");
    gate.markUp();
    auto again = co_await pool.acquire();
    EXPECT_TRUE(again.isOk()) << again.status().toString();
    if (again.isOk()) pool.release(std::move(again.value()));
  });
}

}  // namespace
}  // namespace shardproxy::backend
