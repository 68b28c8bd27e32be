#include "executor/pooled_connection.h"

#include "common/log.h"

namespace shardproxy::executor {

protocol::ColumnDefinitionRef columnOf(const MYSQL_FIELD& f) {
  protocol::ColumnDefinitionRef c;
  c.catalog = f.catalog ? std::string_view(f.catalog, f.catalog_length) : "def";
  c.schema = std::string_view(f.db ? f.db : "", f.db_length);
  c.table = std::string_view(f.table ? f.table : "", f.table_length);
  c.orgTable = std::string_view(f.org_table ? f.org_table : "", f.org_table_length);
  c.name = std::string_view(f.name ? f.name : "", f.name_length);
  c.orgName = std::string_view(f.org_name ? f.org_name : "", f.org_name_length);
  c.collation = static_cast<uint16_t>(f.charsetnr);
  c.length = static_cast<uint32_t>(f.length);
  c.type = static_cast<protocol::ColumnType>(f.type);
  c.flags = backend::serverFlags(f);
  c.decimals = static_cast<uint8_t>(f.decimals);
  return c;
}

awaitable<Status> PooledConnection::execute(std::string sql) {
  if (sqlShow_) spdlog::info("Actual SQL: {} ::: {}", conn_->dataSourceName(), sql);
  co_return co_await conn_->execute(sql);
}

protocol::ColumnDefinitionRef PooledConnection::column(unsigned i) const {
  return columnOf(conn_->fields()[i]);
}

protocol::ColumnDefinitionRef PooledConnection::listedField(unsigned i) const {
  const MYSQL_FIELD& f = conn_->listedFields()[i];
  protocol::ColumnDefinitionRef c = columnOf(f);
  if (f.def) {
    c.defaultValue = std::string_view(f.def, f.def_length);
  } else {
    c.nullDefault = true;
  }
  return c;
}

awaitable<Result<std::unique_ptr<ShardConnection>>> PoolSource::acquire(const Target& target,
                                                                        bool foundRows,
                                                                        const void* preferred) {
  backend::ConnectFlags flags{foundRows, target.noDatabase};
  backend::Pool& pool = pools_.pool(target.database->name, *target.dataSource, flags);
  auto conn = co_await pool.acquire(static_cast<const backend::Connection*>(preferred));
  if (!conn) co_return conn.status();
  co_return std::make_unique<PooledConnection>(pool, std::move(conn.value()), sqlShow_);
}

void PoolSource::release(std::unique_ptr<ShardConnection> conn) {
  auto& pooled = static_cast<PooledConnection&>(*conn);
  pooled.pool().release(pooled.take());
}

void PoolSource::discard(std::unique_ptr<ShardConnection> conn) {
  auto& pooled = static_cast<PooledConnection&>(*conn);
  pooled.pool().discard(pooled.take());
}

bool PoolSource::answering(const Target& target) {
  backend::ConnectFlags flags{false, target.noDatabase};
  return !pools_.pool(target.database->name, *target.dataSource, flags).sourceDown();
}

void PoolSource::killQuery(const Target& target, uint64_t threadId) {
  // The server stops the statement when asked on another connection to it. That connection is
  // a short-lived one outside the pool: with maxPoolSize reached (the statement to stop may
  // hold the last slot) a pooled one could come too late.
  backend::Pool& pool = pools_.pool(target.database->name, *target.dataSource, {});
  asio::co_spawn(
      executor_,
      [ex = executor_, ds = pool.dataSource(), threadId]() -> awaitable<void> {
        backend::Connection conn(ex, ds.name);
        Status s = co_await conn.connect(ds, {false, true});
        if (s) s = co_await conn.execute("KILL QUERY " + std::to_string(threadId));
        if (!s) spdlog::warn("KILL QUERY on the backend failed: {}", s.toString());
      },
      asio::detached);
}

}  // namespace shardproxy::executor
