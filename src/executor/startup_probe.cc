#include "executor/startup_probe.h"

#include <errmsg.h>
#include <mysql.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "backend/connection.h"
#include "common/log.h"
#include "executor/backend_grants.h"

namespace shardproxy::executor {

namespace {

// Reads `n` more bytes into `out` before `deadline`; false on timeout, error or close.
bool readBytes(int fd, std::string& out, size_t n, std::chrono::steady_clock::time_point deadline) {
  while (n > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd p{fd, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
    char buf[512];
    ssize_t got = ::recv(fd, buf, std::min(n, sizeof buf), 0);
    if (got <= 0) return false;
    out.append(buf, static_cast<size_t>(got));
    n -= static_cast<size_t>(got);
  }
  return true;
}

}  // namespace

std::string greetingVersion(const std::string& host, uint16_t port,
                            std::chrono::milliseconds timeout) {
  // The client library drops MariaDB's "5.5.5-" prefix from the version it reports, so the
  // greeting is read as sent: the first packet, before any login.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found) != 0) return {};
  std::string version;
  for (addrinfo* a = found; a && version.empty(); a = a->ai_next) {
    int fd = ::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    bool connected = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0;
    if (!connected && errno == EINPROGRESS) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd p{fd, POLLOUT, 0};
      int err = 0;
      socklen_t len = sizeof err;
      connected = left.count() > 0 && ::poll(&p, 1, static_cast<int>(left.count())) == 1 &&
                  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
    }
    std::string packet;
    if (connected && readBytes(fd, packet, 4, deadline)) {
      size_t length = static_cast<uint8_t>(packet[0]) | static_cast<uint8_t>(packet[1]) << 8 |
                      static_cast<size_t>(static_cast<uint8_t>(packet[2])) << 16;
      packet.clear();
      // Protocol version 10, then the NUL-terminated version (an ERR packet starts with 0xff).
      if (length > 1 && readBytes(fd, packet, length, deadline) && packet[0] == 10) {
        size_t end = packet.find('\0', 1);
        if (end != std::string::npos) version = packet.substr(1, end - 1);
      }
    }
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return version;
}

namespace {

std::string serverOf(const config::DataSource& ds) {
  return ds.host + ":" + std::to_string(ds.port);
}

}  // namespace

namespace {

// The greeting of each of `servers` ("host:port" -> a data source there), probed in parallel.
std::map<std::string, std::string> greetings(
    const std::map<std::string, const config::DataSource*>& servers,
    std::chrono::milliseconds timeout) {
  // One thread per server, each with its own result: a name lookup that hangs past the deadline
  // is left to finish on its own (its thread owns everything it touches) rather than holding
  // start-up.
  struct Probe {
    std::mutex mutex;
    std::condition_variable done;
    size_t pending = 0;
    std::map<std::string, std::string> greetings;
  };
  auto shared = std::make_shared<Probe>();
  shared->pending = servers.size();
  for (const auto& [server, ds] : servers) {
    std::thread([shared, server = server, host = ds->host, port = ds->port, timeout] {
      std::string version = greetingVersion(host, port, timeout);
      std::lock_guard lock(shared->mutex);
      shared->greetings[server] = std::move(version);
      --shared->pending;
      shared->done.notify_all();
    }).detach();
  }
  std::unique_lock lock(shared->mutex);
  shared->done.wait_for(lock, timeout + std::chrono::milliseconds(500),
                        [&] { return shared->pending == 0; });
  std::map<std::string, std::string> out;
  for (const auto& [server, ds] : servers) {
    auto it = shared->greetings.find(server);
    out[server] = it == shared->greetings.end() ? std::string() : it->second;
  }
  return out;
}

}  // namespace

Reachability Reachability::probe(const config::Topology& topology,
                                 std::chrono::milliseconds timeout) {
  std::map<std::string, const config::DataSource*> servers;
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) servers.emplace(serverOf(ds), &ds);
  }
  Reachability out;
  out.probed_ = true;
  out.greetings_ = greetings(servers, timeout);
  return out;
}

void Reachability::probeSilent(const config::Topology& topology,
                               std::chrono::milliseconds timeout) {
  std::map<std::string, const config::DataSource*> servers;
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      if (!answers(ds)) servers.emplace(serverOf(ds), &ds);
    }
  }
  for (auto& [server, version] : greetings(servers, timeout)) greetings_[server] = version;
}

bool Reachability::answers(const config::DataSource& ds) const {
  if (!probed_) return true;
  auto it = greetings_.find(serverOf(ds));
  return it != greetings_.end() && !it->second.empty();
}

std::string Reachability::version(const config::DataSource& ds) const {
  auto it = greetings_.find(serverOf(ds));
  return it == greetings_.end() ? std::string() : it->second;
}

std::vector<std::string> Reachability::silent() const {
  std::vector<std::string> out;
  for (const auto& [server, version] : greetings_) {
    if (version.empty()) out.push_back(server);
  }
  return out;
}

std::string probeBackendVersion(const config::Topology& topology, const Reachability& reachable,
                                const std::string& fallback) {
  for (const auto& [name, db] : topology.databases) {
    for (const auto& ds : db.dataSources) {
      if (!reachable.answers(ds)) continue;
      std::string greeted = reachable.version(ds);
      if (greeted.empty()) greeted = greetingVersion(ds.host, ds.port, std::chrono::seconds(2));
      // The login also clears the server's count of this host's interrupted handshakes
      // (max_connect_errors), which each greeting read adds one to.
      MYSQL* m = mysql_init(nullptr);
      unsigned timeout = 2;
      mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
      mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
      unsigned protocol = MYSQL_PROTOCOL_TCP;
      mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
      backend::setTlsOptions(m, ds);
      std::string version;
      if (mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(), nullptr,
                             ds.port, nullptr, 0) &&
          backend::checkTls(m, ds).isOk()) {
        version = mysql_get_server_info(m);
      }
      mysql_close(m);
      if (version.empty()) continue;
      // The greeting's form (with "5.5.5-" where MariaDB sends it, which MySQL drivers read
      // as "not MySQL 8") when it names the same server version.
      if (greeted.size() >= version.size() &&
          greeted.compare(greeted.size() - version.size(), version.size(), version) == 0) {
        return greeted;
      }
      return version;
    }
  }
  return fallback;
}

namespace {

// The first column of every row of `sql`; nullopt, with `error` set, when the query fails.
std::optional<std::vector<std::string>> firstColumn(MYSQL* m, const std::string& sql,
                                                    std::string& error) {
  if (mysql_real_query(m, sql.data(), sql.size()) != 0) {
    error = mysql_error(m);
    return std::nullopt;
  }
  MYSQL_RES* result = mysql_store_result(m);
  if (!result) {
    error = mysql_error(m);
    return std::nullopt;
  }
  std::vector<std::string> out;
  while (MYSQL_ROW row = mysql_fetch_row(result)) {
    unsigned long* lengths = mysql_fetch_lengths(result);
    if (row[0]) out.emplace_back(row[0], lengths[0]);
  }
  mysql_free_result(result);
  return out;
}

struct AccountGrants {
  std::vector<std::string> lines;            // the account's and its roles' grant lines
  std::vector<std::string> unreadableRoles;  // "`r` (its grants cannot be read: ...)"
};

// What SHOW GRANTS says of the data source's account, with the grants of every role it may take
// on. nullopt when it cannot be asked: `error` says why, `unreachable` whether the server did
// not answer at all (a client-side error) rather than refuse.
std::optional<AccountGrants> readGrants(const config::DataSource& ds, std::string& error,
                                        bool& unreachable) {
  MYSQL* m = mysql_init(nullptr);
  unsigned connectTimeout = 2;
  unsigned readTimeout = 5;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connectTimeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &readTimeout);
  unsigned protocol = MYSQL_PROTOCOL_TCP;
  mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
  // No default database: the grants can be read even when the database is missing.
  if (!mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(), nullptr,
                          ds.port, nullptr, 0)) {
    error = mysql_error(m);
    unreachable = mysql_errno(m) >= CR_MIN_ERROR;
    mysql_close(m);
    return std::nullopt;
  }
  AccountGrants out;
  auto lines = firstColumn(m, "SHOW GRANTS", error);
  if (!lines) {
    mysql_close(m);
    return std::nullopt;
  }
  // Each round takes on, one at a time, the roles that the lines so far grant but do not
  // describe, and keeps the lines not seen yet; a role taken on (or refused) is not asked again,
  // so this ends.
  auto add = [&out](const std::vector<std::string>& more) {
    for (const std::string& line : more) {
      if (std::find(out.lines.begin(), out.lines.end(), line) == out.lines.end()) {
        out.lines.push_back(line);
      }
    }
  };
  add(*lines);
  std::vector<Grantee> asked;
  for (bool more = true; more;) {
    more = false;
    std::vector<GrantLine> parsed;
    for (const std::string& line : out.lines) {
      if (auto g = parseGrantLine(line)) parsed.push_back(std::move(*g));
    }
    for (const Grantee& role : rolesWithoutGrants(parsed)) {
      if (std::find(asked.begin(), asked.end(), role) != asked.end()) continue;
      asked.push_back(role);
      more = true;
      std::string sql = setRole(role);
      std::string roleError;
      std::optional<std::vector<std::string>> roleLines;
      if (mysql_real_query(m, sql.data(), sql.size()) == 0) {
        roleLines = firstColumn(m, "SHOW GRANTS", roleError);
      } else {
        roleError = mysql_error(m);
      }
      if (roleLines) {
        add(*roleLines);
      } else {
        out.unreadableRoles.push_back("role `" + role.name +
                                      "` (its grants cannot be read: " + roleError + ")");
      }
    }
  }
  mysql_close(m);
  return out;
}

}  // namespace

void checkBackendGrants(const config::Topology& topology, const Reachability& reachable) {
  std::set<std::string> checked;      // server/user/database: one account's need, checked once
  std::set<std::string> unreachable;  // servers that did not answer: not asked again
  for (const auto& [name, db] : topology.databases) {
    for (const config::DataSource& ds : db.dataSources) {
      std::string server = serverOf(ds);
      if (!reachable.answers(ds)) continue;  // said once, by the caller
      if (unreachable.count(server) ||
          !checked.insert(server + "/" + ds.username + "/" + ds.database).second) {
        continue;
      }
      std::string error;
      bool down = false;
      auto grants = readGrants(ds, error, down);
      if (!grants) {
        if (down) unreachable.insert(server);
        spdlog::warn("data source {}.{} ({}, user {}): cannot read the account's grants: {}", name,
                     ds.name, server, ds.username, error);
        continue;
      }
      std::vector<std::string> excess = excessGrants(grants->lines, ds.database, ds.username);
      excess.insert(excess.end(), grants->unreadableRoles.begin(), grants->unreadableRoles.end());
      if (excess.empty()) continue;
      std::string list;
      for (const std::string& e : excess) list += (list.empty() ? "" : "; ") + e;
      spdlog::warn(
          "data source {}.{} ({}, user {}): the account may do more than the proxy needs, which "
          "is every privilege on `{}` and nothing else (README: Backend accounts): {}",
          name, ds.name, server, ds.username, ds.database, list);
    }
  }
}

namespace {

// `!SINGLE` tables: `ds.table` patterns with `*` for any data source or table. No patterns: every
// unruled table is a single table (what earlier 5.x versions did without the setting).
bool singleTableListed(const config::SingleRuleConfig& single, const std::string& dataSource,
                       const std::string& table) {
  if (single.tables.empty()) return true;
  for (const std::string& pattern : single.tables) {
    size_t dot = pattern.find('.');
    std::string ds = pattern.substr(0, dot);
    std::string t = pattern.substr(dot + 1);
    if ((ds == "*" || ds == dataSource) &&
        (t == "*" || router::lowerAscii(t) == router::lowerAscii(table))) {
      return true;
    }
  }
  return false;
}

}  // namespace

metadata::TableLocations loadTableLocations(const config::LogicalDatabase& db,
                                            const router::ShardingRule& rule,
                                            const Reachability& reachable) {
  metadata::TableLocations out;
  for (const config::DataSource& ds : db.dataSources) {
    if (!reachable.answers(ds)) continue;
    MYSQL* m = mysql_init(nullptr);
    unsigned timeout = 5;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
    unsigned protocol = MYSQL_PROTOCOL_TCP;
    mysql_optionsv(m, MYSQL_OPT_PROTOCOL, &protocol);
    backend::setTlsOptions(m, ds);
    bool connected =
        mysql_real_connect(m, ds.host.c_str(), ds.username.c_str(), ds.password.c_str(),
                           ds.database.c_str(), ds.port, nullptr, 0) != nullptr;
    Status tls = connected ? backend::checkTls(m, ds) : Status::ok();
    if (!connected || !tls || mysql_query(m, "SHOW TABLES") != 0) {
      spdlog::warn("database {}: cannot list the tables of data source {}: {}", db.name, ds.name,
                   tls ? std::string(mysql_error(m)) : tls.message());
      mysql_close(m);
      continue;
    }
    MYSQL_RES* result = mysql_store_result(m);
    while (MYSQL_ROW row = result ? mysql_fetch_row(result) : nullptr) {
      unsigned long* lengths = mysql_fetch_lengths(result);
      std::string table(row[0], lengths[0]);
      bool ruled = rule.isBroadcast(table);
      for (const router::TableRule& t : rule.tableRules()) {
        const auto& actual = t.tablesOn(ds.name);
        ruled = ruled || std::any_of(actual.begin(), actual.end(), [&](const std::string& a) {
                  return router::lowerAscii(a) == router::lowerAscii(table);
                });
      }
      if (!ruled && singleTableListed(rule.single(), ds.name, table)) {
        out[router::lowerAscii(table)].push_back(ds.name);
      }
    }
    if (result) mysql_free_result(result);
    mysql_close(m);
  }
  return out;
}

}  // namespace shardproxy::executor
