#include "executor/instance_claim.h"

#include <errmsg.h>
#include <mysql.h>

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "backend/connection.h"
#include "common/log.h"

namespace shardproxy::executor {

struct InstanceClaim::Server {
  std::string address;                     // host:port
  std::vector<config::DataSource> logins;  // every data source on it: accounts to try in turn
  MYSQL* mysql = nullptr;
  bool held = false;      // every name is held on `mysql`
  bool conflict = false;  // another connection held a name at the last attempt
  std::string error;      // why the last attempt failed

  ~Server() { close(); }
  void close() {
    if (mysql) mysql_close(mysql);
    mysql = nullptr;
    held = false;
  }
  std::string describe() const {
    return "data source " + logins.front().name + " (" + address + ")";
  }
};

namespace {

constexpr unsigned kReadTimeoutSeconds = 5;  // beyond any wait of the statement itself

// Opens a connection with the first account the server accepts; false with `server.error` set.
bool connect(InstanceClaim::Server& server, const ClaimSettings& settings) {
  server.close();
  for (const config::DataSource& ds : server.logins) {
    MYSQL* m = mysql_init(nullptr);
    if (!m) {
      server.error = "out of memory";
      return false;
    }
    unsigned connectTimeout =
        static_cast<unsigned>(std::max<int64_t>(1, (settings.connectTimeout.count() + 999) / 1000));
    // Longer than GET_LOCK's wait, which the server spends before it answers.
    unsigned readTimeout = kReadTimeoutSeconds + static_cast<unsigned>(settings.lockWait.count());
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &readTimeout);
    mysql_options(m, MYSQL_OPT_WRITE_TIMEOUT, &readTimeout);
    // A silent reconnect would lose the locks without anyone noticing: the check loop
    // reconnects itself and takes them again.
    my_bool reconnect = 0;
    mysql_options(m, MYSQL_OPT_RECONNECT, &reconnect);
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
    backend::setTlsOptions(m, ds);
    // No default database: the claim does not depend on the data source's database existing.
    if (mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(), nullptr,
                           ds.port, nullptr, 0)) {
      Status tls = backend::checkTls(m, ds);
      const std::string idle =
          "SET SESSION wait_timeout = " + std::to_string(settings.idleTimeout.count());
      if (!tls.isOk()) {
        server.error = tls.message();
      } else if (mysql_real_query(m, idle.data(), idle.size()) != 0) {
        server.error = mysql_error(m);
      } else {
        server.mysql = m;
        return true;
      }
    } else {
      server.error = mysql_error(m);
      // The server did not answer at all: another account will not do better.
      if (mysql_errno(m) >= CR_MIN_ERROR && mysql_errno(m) <= CR_MAX_ERROR) {
        mysql_close(m);
        return false;
      }
    }
    mysql_close(m);
  }
  return false;
}

std::string quoted(MYSQL* m, const std::string& s) {
  std::string out(s.size() * 2 + 1, '\0');
  out.resize(mysql_real_escape_string(m, out.data(), s.data(), s.size()));
  return "'" + out + "'";
}

// Takes every name on the server's connection. On a conflict `server.conflict` is set and
// `server.error` names the holder; the connection is closed either way on failure, which
// releases the names taken so far.
bool takeNames(InstanceClaim::Server& server, const std::vector<ClaimedName>& names,
               const ClaimSettings& settings) {
  server.conflict = false;
  for (const ClaimedName& name : names) {
    std::string lock = quoted(server.mysql, name.lock);
    // IS_USED_LOCK after GET_LOCK in one row: the holder's connection id when it is not us.
    std::string sql = "SELECT GET_LOCK(" + lock + ", " + std::to_string(settings.lockWait.count()) +
                      "), IS_USED_LOCK(" + lock + ")";
    std::optional<std::string> got, holder;
    bool ok = mysql_real_query(server.mysql, sql.data(), sql.size()) == 0;
    if (ok) {
      MYSQL_RES* result = mysql_store_result(server.mysql);
      MYSQL_ROW row = result ? mysql_fetch_row(result) : nullptr;
      if (row) {
        if (row[0]) got = row[0];
        if (row[1]) holder = row[1];
      }
      ok = row != nullptr;
      if (result) mysql_free_result(result);
    }
    if (!ok) {
      server.error = std::string("GET_LOCK failed: ") + mysql_error(server.mysql);
      server.close();
      return false;
    }
    if (got != "1") {
      server.conflict = got == "0";
      server.error = server.conflict
                         ? name.what + " is already claimed on " + server.describe() +
                               " by another connection (thread id " + holder.value_or("?") +
                               " there, lock '" + name.lock + "'): " + name.hint
                         : "GET_LOCK('" + name.lock + "') gave NULL";
      server.close();
      return false;
    }
  }
  server.held = true;
  server.error.clear();
  return true;
}

bool attempt(InstanceClaim::Server& server, const std::vector<ClaimedName>& names,
             const ClaimSettings& settings) {
  server.conflict = false;
  return connect(server, settings) && takeNames(server, names, settings);
}

}  // namespace

ClaimedName workerClaim(int workerId) {
  std::string id = std::to_string(workerId);
  return {"shardproxy.worker." + id, "worker id " + id,
          "another shardproxy runs with --worker-id " + id +
              " on these data sources, and its generated keys would collide with ours; give "
              "each instance its own worker id (such as its StatefulSet ordinal)"};
}

ClaimedName xaInstanceClaim(const std::string& instanceId) {
  return {"shardproxy.xa." + instanceId, "XA instance " + instanceId,
          "another shardproxy runs on a copy of this --data-dir, and both would settle the same "
          "in-doubt XA branches; give each instance its own data directory"};
}

InstanceClaim::InstanceClaim(std::vector<ClaimedName> names, ClaimSettings settings,
                             std::vector<std::unique_ptr<Server>> servers)
    : names_(std::move(names)), settings_(settings), servers_(std::move(servers)) {
  checker_ = std::thread([this] { checkLoop(); });
}

InstanceClaim::~InstanceClaim() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (checker_.joinable()) checker_.join();
}

Result<std::unique_ptr<InstanceClaim>> InstanceClaim::take(const config::Topology& topology,
                                                           std::vector<ClaimedName> names,
                                                           ClaimSettings settings) {
  std::vector<std::unique_ptr<Server>> servers;
  std::map<std::string, Server*> byAddress;
  for (const auto& [dbName, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      std::string address = ds.host + ":" + std::to_string(ds.port);
      auto [it, added] = byAddress.emplace(address, nullptr);
      if (added) {
        servers.push_back(std::make_unique<Server>());
        servers.back()->address = address;
        it->second = servers.back().get();
      }
      it->second->logins.push_back(ds);
    }
  }
  // In parallel: an unreachable server costs one connect timeout, not one per server. The
  // library is initialised first: mysql_init would do it, but not safely from several threads.
  if (mysql_library_init(0, nullptr, nullptr) != 0) {
    return makeError(er::kUnknownError, "cannot initialise the MySQL client library");
  }
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (auto& s : servers) {
    threads.emplace_back([&names, &settings, server = s.get()] {
      attempt(*server, names, settings);
      mysql_thread_end();
    });
  }
  for (auto& t : threads) t.join();
  for (auto& s : servers) {
    // Refused: every lock taken elsewhere is released as `servers` goes.
    if (s->conflict) return makeError(er::kUnknownError, s->error);
  }
  for (auto& s : servers) {
    if (!s->held) {
      spdlog::warn("instance claim: {} cannot be claimed now ({}); it is claimed when it answers",
                   s->describe(), s->error);
    }
  }
  auto claim = std::unique_ptr<InstanceClaim>(
      new InstanceClaim(std::move(names), settings, std::move(servers)));
  std::string what;
  for (const ClaimedName& n : claim->names_) what += (what.empty() ? "" : ", ") + n.what;
  spdlog::info("instance claim: {} held on {} of {} backend servers ({} ms)", what,
               claim->serversHeld(), claim->servers_.size(),
               std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - started)
                   .count());
  return claim;
}

size_t InstanceClaim::serversHeld() const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& s : servers_) n += s->held ? 1 : 0;
  return n;
}

void InstanceClaim::checkLoop() {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, settings_.checkInterval, [this] { return stopping_; })) {
    // The calls block for at most the connect and read timeouts; stopping waits for them.
    for (auto& s : servers_) {
      if (stopping_) break;
      Server& server = *s;
      if (server.held && mysql_ping(server.mysql) == 0) continue;
      const bool lost = server.held;
      if (lost) {
        spdlog::warn(
            "instance claim: the connection holding the claim on {} dropped ({}); "
            "taking it again",
            server.describe(), mysql_error(server.mysql));
        server.close();
      }
      const bool wasConflict = server.conflict;
      if (attempt(server, names_, settings_)) {
        spdlog::info("instance claim: claimed on {}", server.describe());
      } else if (server.conflict) {
        spdlog::error("instance claim: {}", server.error);
      } else if (lost || wasConflict) {
        spdlog::warn("instance claim: {} cannot be claimed now ({}); retrying", server.describe(),
                     server.error);
      }
    }
  }
  for (auto& s : servers_) s->close();
  mysql_thread_end();
}

}  // namespace shardproxy::executor
