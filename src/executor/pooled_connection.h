// The real ShardConnection and ConnectionSource: libmysqlclient connections from the worker's
// pools (backend/pool.h).
#pragma once

#include <memory>

#include "backend/pool.h"
#include "executor/shard_connection.h"

namespace shardproxy::executor {

class PooledConnection final : public ShardConnection {
 public:
  PooledConnection(backend::Pool& pool, std::unique_ptr<backend::Connection> conn, bool sqlShow)
      : pool_(pool), conn_(std::move(conn)), sqlShow_(sqlShow) {}

  backend::Pool& pool() const { return pool_; }
  std::unique_ptr<backend::Connection> take() { return std::move(conn_); }

  const std::string& dataSource() const override { return conn_->dataSourceName(); }
  awaitable<Status> execute(std::string sql) override;
  awaitable<Status> query(std::string_view sql) override { return conn_->query(sql); }
  unsigned fieldCount() const override { return conn_->fieldCount(); }
  protocol::ColumnDefinitionRef column(unsigned i) const override;
  awaitable<Status> fetchRow() override { return conn_->fetchRow(row_); }
  RowView row() const override { return {row_, row_ ? conn_->rowLengths() : nullptr}; }
  OkInfo okInfo() const override { return conn_->okInfo(); }
  uint16_t serverStatus() const override { return conn_->serverStatus(); }
  bool moreResults() const override { return conn_->moreResults(); }
  awaitable<Status> nextResult() override { return conn_->nextResult(); }
  awaitable<Status> drain() override { return conn_->drain(); }
  bool idleClean() const override { return conn_->idleClean(); }
  bool broken() const override { return conn_->broken(); }
  bool looksAlive() const override { return conn_->looksAlive(); }
  uint64_t threadId() const override { return conn_->threadId(); }
  const void* identity() const override { return conn_.get(); }
  awaitable<Status> listFields(const std::string& table, const std::string& wildcard) override {
    return conn_->listFields(table, wildcard);
  }
  unsigned listedFieldCount() const override { return conn_->listedFieldCount(); }
  protocol::ColumnDefinitionRef listedField(unsigned i) const override;
  awaitable<Result<backend::Connection::Description>> describe(std::string_view sql) override {
    return conn_->describe(sql);
  }
  awaitable<Status> setMultiStatements(bool on) override { return conn_->setMultiStatements(on); }
  std::map<std::string, std::string> takeChangedVariables() override {
    return conn_->takeChangedVariables();
  }
  std::map<std::string, std::string>& appliedVariables() override {
    return conn_->appliedVariables();
  }

 private:
  backend::Pool& pool_;
  std::unique_ptr<backend::Connection> conn_;
  MYSQL_ROW row_ = nullptr;
  bool sqlShow_;
};

// What the workers' pools share: per data source the maxPoolSize cap over the whole process,
// the queue of waiters and the health check's verdict (backend/gate_set.h).
using SharedPools = backend::GateSet;
using HealthCheckSettings = backend::HealthCheckSettings;

// The worker's pools (one per data source and connect flags), as the sessions on that worker
// take connections from them. Lives on the worker's thread; takes no locks on the hot path.
class PoolSource final : public ConnectionSource {
 public:
  PoolSource(asio::any_io_executor executor, SharedPools& shared, bool sqlShow)
      : executor_(executor), pools_(executor, shared), sqlShow_(sqlShow) {}
  awaitable<Result<std::unique_ptr<ShardConnection>>> acquire(const Target& target, bool foundRows,
                                                              const void* preferred) override;
  void release(std::unique_ptr<ShardConnection> conn) override;
  void discard(std::unique_ptr<ShardConnection> conn) override;
  void killQuery(const Target& target, uint64_t threadId) override;
  bool answering(const Target& target) override;

  // Closes idle connections past their idle timeout or lifetime and tops pools up to their
  // minimum; called periodically by the worker.
  void maintain() { pools_.maintain(); }
  void closeAll() { pools_.closeAll(); }

 private:
  asio::any_io_executor executor_;
  backend::PoolSet pools_;
  bool sqlShow_;
};

// The column as the server described it (libmysqlclient's NUM_FLAG dropped).
protocol::ColumnDefinitionRef columnOf(const MYSQL_FIELD& f);

}  // namespace shardproxy::executor
