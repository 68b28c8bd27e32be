// Lookups on the Topology snapshot (users, databases, data sources) and its --check-config summary.
#include "config/topology.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "common/like.h"

namespace shardproxy::config {
namespace {

std::string toLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; users are written with the IPv4
// form, so compare that.
std::string normalizeClientHost(const std::string& host) {
  std::string h = toLower(host);
  constexpr std::string_view kMapped = "::ffff:";
  if (h.size() > kMapped.size() && h.compare(0, kMapped.size(), kMapped) == 0 &&
      h.find('.') != std::string::npos) {
    h.erase(0, kMapped.size());
  }
  return h;
}

bool isLoopback(const std::string& lowerHost) {
  return lowerHost == "localhost" || lowerHost == "127.0.0.1" || lowerHost == "::1";
}

bool hasWildcard(std::string_view pattern) {
  return pattern.find_first_of("%_") != std::string_view::npos;
}

// Lower is better: an exact host beats a loopback alias, which beats any pattern; among patterns
// the one with the longest literal prefix is the most specific (MySQL sorts its ACLs alike), so
// a bare '%' comes last.
constexpr int kNoMatch = -1;
int hostRank(const std::string& userHost, const std::string& client) {
  std::string host = toLower(userHost);
  if (host == client) return 0;
  if (isLoopback(host) && isLoopback(client)) return 1;
  if (!hasWildcard(host) || !likeMatch(client, host, true)) return kNoMatch;
  size_t literalPrefix = host.find_first_of("%_");
  return 2 + static_cast<int>(1000 - std::min<size_t>(literalPrefix, 999));
}

std::string privilegeName(PrivilegeType type) {
  return type == PrivilegeType::kAllPermitted ? "ALL_PERMITTED" : "DATABASE_PERMITTED";
}

std::string hostPort(const DataSource& ds) {
  std::string host = ds.host.find(':') != std::string::npos ? "[" + ds.host + "]" : ds.host;
  return host + ":" + std::to_string(ds.port);
}

}  // namespace

const DataSource* LogicalDatabase::findDataSource(const std::string& dsName) const {
  for (const DataSource& ds : dataSources) {
    if (ds.name == dsName) return &ds;
  }
  return nullptr;
}

const DataSource* LogicalDatabase::defaultDataSource() const {
  if (!singleDefaultDataSource.empty()) {
    if (const DataSource* ds = findDataSource(singleDefaultDataSource)) return ds;
    // A readwrite-splitting group: unsharded statements may write, so they go to its writer.
    auto group = logicalDataSources.find(singleDefaultDataSource);
    if (group != logicalDataSources.end() && !group->second.empty()) {
      if (const DataSource* ds = findDataSource(group->second)) return ds;
    }
  }
  return dataSources.empty() ? nullptr : &dataSources.front();
}

const User* Authority::findUser(const std::string& userName, const std::string& clientHost) const {
  std::string client = normalizeClientHost(clientHost);
  const User* best = nullptr;
  int bestRank = kNoMatch;
  for (const User& user : users) {
    if (user.name != userName) continue;  // MySQL user names are case-sensitive
    int rank = hostRank(user.host, client);
    if (rank == kNoMatch) continue;
    if (best == nullptr || rank < bestRank) {
      best = &user;
      bestRank = rank;
    }
  }
  return best;
}

bool Authority::mayAccess(const User& user, const std::string& database) const {
  if (user.admin || privilege == PrivilegeType::kAllPermitted) return true;
  auto it = userDatabases.find(user.name + "@" + user.host);
  if (it == userDatabases.end()) return false;
  // Case-sensitive, as MySQL on Linux compares database names (lower_case_table_names=0).
  return it->second.count(database) > 0 || it->second.count("*") > 0;
}

const LogicalDatabase* Topology::findDatabase(const std::string& dbName) const {
  auto it = databases.find(dbName);
  return it == databases.end() ? nullptr : &it->second;
}

std::string describe(const Topology& t) {
  std::ostringstream out;
  out << "users (" << t.authority.users.size() << "):\n";
  for (const User& u : t.authority.users) {
    out << "  " << u.name << "@" << u.host;
    if (u.admin) out << " admin";
    if (u.password.empty()) out << " (no password)";
    if (!u.authenticationMethodName.empty()) {
      out << " authenticator=" << u.authenticationMethodName;
    }
    out << "\n";
  }
  out << "privilege: " << privilegeName(t.authority.privilege) << "\n";
  if (t.authority.privilege == PrivilegeType::kDatabasePermitted) {
    for (const auto& [grantee, dbs] : t.authority.userDatabases) {
      out << "  " << grantee << " ->";
      for (const std::string& db : dbs) out << " " << db;
      out << "\n";
    }
  }
  out << "transaction: " << t.transactionDefaultType;
  if (!t.transactionProviderType.empty()) out << " (provider " << t.transactionProviderType << ")";
  out << "\n";
  if (t.modeType != "Standalone") out << "mode: " << t.modeType << " (not acted on)\n";
  out << "statement cache: " << t.statementCacheSize << " entries per worker\n";

  const Props& p = t.props;
  out << "props:\n"
      << "  proxy-default-port: " << p.proxyDefaultPort << "\n"
      << "  sql-show: " << (p.sqlShow ? "true" : "false") << "\n"
      << "  sql-simple: " << (p.sqlSimple ? "true" : "false") << "\n"
      << "  proxy-normalize-sharding-strings: "
      << (p.proxyNormalizeShardingStrings ? "true" : "false") << "\n"
      << "  proxy-local-infile: " << (p.proxyLocalInfile ? "true" : "false") << "\n"
      << "  max-connections-size-per-query: " << p.maxConnectionsSizePerQuery << "\n"
      << "  kernel-executor-size: " << p.kernelExecutorSize << "\n"
      << "  proxy-frontend-flush-threshold: " << p.proxyFrontendFlushThreshold << "\n"
      << "  proxy-frontend-max-connections: " << p.proxyFrontendMaxConnections
      << (p.proxyFrontendMaxConnections == 0 ? " (unlimited)" : "") << "\n"
      << "  proxy-frontend-executor-size: " << p.proxyFrontendExecutorSize
      << (p.proxyFrontendExecutorSize == 0 ? " (one worker per core)" : "") << "\n"
      << "  proxy-merge-max-memory-rows: " << p.proxyMergeMaxMemoryRows << "\n"
      << "  proxy-merge-max-memory-bytes: " << p.proxyMergeMaxMemoryBytes << "\n"
      << "  proxy-memory-limit: " << p.proxyMemoryLimit << "\n"
      << "  proxy-deadlock-detection-milliseconds: " << p.proxyDeadlockDetectionMilliseconds
      << (p.proxyDeadlockDetectionMilliseconds == 0 ? " (off)" : "") << "\n"
      << "  proxy-metrics-port: " << p.proxyMetricsPort
      << (p.proxyMetricsPort == 0 ? " (no HTTP listener)" : "") << "\n"
      << "  proxy-metrics-host: " << p.proxyMetricsHost << "\n"
      << "  proxy-shutdown-delay-seconds: " << p.proxyShutdownDelaySeconds << "\n"
      << "  proxy-shutdown-grace-seconds: " << p.proxyShutdownGraceSeconds << "\n"
      << "  proxy-frontend-max-prepared-statements: " << p.proxyFrontendMaxPreparedStatements
      << "\n"
      << "  proxy-frontend-max-handshake-packet-size: " << p.proxyFrontendMaxHandshakePacketSize
      << "\n"
      << "  proxy-frontend-wait-timeout-seconds: " << p.proxyFrontendWaitTimeoutSeconds << "\n"
      << "  proxy-frontend-interactive-timeout-seconds: "
      << p.proxyFrontendInteractiveTimeoutSeconds << "\n"
      << "  proxy-frontend-net-read-timeout-seconds: " << p.proxyFrontendNetReadTimeoutSeconds
      << "\n"
      << "  proxy-frontend-net-write-timeout-seconds: " << p.proxyFrontendNetWriteTimeoutSeconds
      << "\n"
      << "  proxy-frontend-login-failures-before-delay: " << p.proxyFrontendLoginFailuresBeforeDelay
      << (p.proxyFrontendLoginFailuresBeforeDelay == 0 ? " (no delay)" : "") << "\n"
      << "  proxy-frontend-login-min-delay-milliseconds: "
      << p.proxyFrontendLoginMinDelayMilliseconds << "\n"
      << "  proxy-frontend-login-max-delay-milliseconds: "
      << p.proxyFrontendLoginMaxDelayMilliseconds << "\n"
      << "  proxy-frontend-login-failures-before-block: " << p.proxyFrontendLoginFailuresBeforeBlock
      << (p.proxyFrontendLoginFailuresBeforeBlock == 0 ? " (never blocked)" : "") << "\n"
      << "  proxy-frontend-login-block-seconds: " << p.proxyFrontendLoginBlockSeconds << "\n"
      << "  proxy-frontend-login-tracked-accounts: " << p.proxyFrontendLoginTrackedAccounts << "\n"
      << "  proxy-meta-data-collector-enabled: "
      << (p.proxyMetaDataCollectorEnabled ? "true" : "false") << "\n"
      << "  proxy-meta-data-collector-cron: " << p.proxyMetaDataCollectorCron << " (every "
      << p.proxyMetaDataCollectorIntervalSeconds << " s)\n"
      << "  proxy-backend-health-check-interval-milliseconds: "
      << p.proxyBackendHealthCheckIntervalMilliseconds
      << (p.proxyBackendHealthCheckIntervalMilliseconds == 0 ? " (no checks)" : "") << "\n"
      << "  proxy-backend-health-check-timeout-milliseconds: "
      << p.proxyBackendHealthCheckTimeoutMilliseconds << "\n";
  auto joined = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
  };
  out << "  proxy-frontend-ssl-enabled: " << (p.proxyFrontendSslEnabled ? "true" : "false") << "\n";
  if (p.proxyFrontendSslEnabled) {
    out << "  proxy-frontend-ssl-version: " << joined(p.proxyFrontendSslVersions) << "\n"
        << "  proxy-frontend-ssl-cipher: "
        << (p.proxyFrontendSslCiphers.empty() ? std::string("(OpenSSL's defaults)")
                                              : joined(p.proxyFrontendSslCiphers))
        << "\n";
    if (p.proxyFrontendSslCert.empty()) {
      out << "  certificate: generated in the data directory";
      if (!p.proxyFrontendSslHostNames.empty()) {
        out << ", also for " << joined(p.proxyFrontendSslHostNames);
      }
      out << "\n";
    } else {
      out << "  proxy-frontend-ssl-cert: " << p.proxyFrontendSslCert << "\n"
          << "  proxy-frontend-ssl-key: " << p.proxyFrontendSslKey << "\n";
    }
  }
  out << "  proxy-frontend-ssl-required: " << (p.proxyFrontendSslRequired ? "true" : "false")
      << "\n";
  for (const auto& [key, value] : p.other)
    out << "  " << key << ": " << value << " (not acted on)\n";

  out << "databases (" << t.databases.size() << "):\n";
  for (const auto& [name, db] : t.databases) {
    out << "  " << name << " (" << db.file << ")\n";
    if (db.dataSources.empty()) out << "    no data sources\n";
    for (const DataSource& ds : db.dataSources) {
      out << "    " << ds.name << ": " << hostPort(ds) << "/" << ds.database << " user "
          << ds.username << ", pool " << ds.minPoolSize << ".." << ds.maxPoolSize;
      if (ds.sslMode != SslMode::kDisabled) {
        out << ", TLS " << sslModeName(ds.sslMode);
        if (!ds.sslCa.empty()) out << " (CA " << ds.sslCa << ")";
      }
      out << "\n";
    }
    for (const auto& [group, writer] : db.logicalDataSources) {
      out << "    " << group << ": logical, writes to "
          << (writer.empty() ? std::string("the discovered primary") : writer) << "\n";
    }
    if (const DataSource* ds = db.defaultDataSource()) {
      out << "    default data source: " << ds->name << "\n";
    }
    std::map<std::string, int> counts;
    for (const RuleConfig& rule : db.rules) ++counts[rule.kind];
    out << "    rules:";
    if (counts.empty()) out << " none";
    bool first = true;
    for (const auto& [kind, count] : counts) {
      out << (first ? " " : ", ") << kind << " x" << count;
      first = false;
    }
    out << "\n";
  }
  if (!t.warnings.empty()) {
    out << "warnings (" << t.warnings.size() << "):\n";
    for (const std::string& w : t.warnings) out << "  " << w << "\n";
  }
  return out.str();
}

namespace {
// Maps an authenticator name or type to a plugin: accepts the plugin names themselves and
// ShardingSphere-style type names (NATIVE, MySQLNativePassword, CACHING_SHA2_PASSWORD ...).
std::string pluginForType(const std::string& type) {
  std::string t;
  for (char c : type) {
    if (c != '_' && c != '-')
      t.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (t == "MYSQLNATIVEPASSWORD" || t == "NATIVE" || t == "NATIVEPASSWORD") {
    return "mysql_native_password";
  }
  if (t == "CACHINGSHA2PASSWORD" || t == "MYSQLCACHINGSHA2PASSWORD" || t == "CACHINGSHA2") {
    return "caching_sha2_password";
  }
  return {};
}
}  // namespace

std::string Authority::authPluginFor(const User& user) const {
  const std::string& name =
      user.authenticationMethodName.empty() ? defaultAuthenticator : user.authenticationMethodName;
  if (name.empty()) return {};
  auto it = authenticators.find(name);
  if (it != authenticators.end()) return pluginForType(it->second);
  return pluginForType(name);
}

bool isCertificateHostName(const std::string& name) {
  if (name.empty() || name.size() > 253) return false;
  unsigned char address[16];
  if (inet_pton(AF_INET, name.c_str(), address) == 1 ||
      inet_pton(AF_INET6, name.c_str(), address) == 1) {
    return true;
  }
  size_t labelStart = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i < name.size() && name[i] != '.') continue;
    std::string_view label(name.data() + labelStart, i - labelStart);
    if (label.empty() || label.size() > 63) return false;
    if (label == "*") {
      if (labelStart != 0 || i == name.size()) return false;  // "*.example.com" only
    } else {
      bool ok = std::all_of(label.begin(), label.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
      });
      if (!ok || label.front() == '-' || label.back() == '-') return false;
    }
    labelStart = i + 1;
  }
  return true;
}

std::optional<int> cronPeriodSeconds(std::string_view cron) {
  std::vector<std::string> fields;
  std::string field;
  for (char c : cron) {
    if (c == ' ' || c == '\t') {
      if (!field.empty()) fields.push_back(std::move(field));
      field.clear();
    } else {
      field += c;
    }
  }
  if (!field.empty()) fields.push_back(std::move(field));
  if (fields.size() != 6 && fields.size() != 7) return std::nullopt;
  for (size_t i = 3; i < fields.size(); ++i) {
    if (fields[i] != "*" && fields[i] != "?") return std::nullopt;
  }
  // "*" is a step of 1; "0/N" and "*/N" a step of N (within `limit`); nullopt otherwise.
  auto step = [](const std::string& f, int limit) -> std::optional<int> {
    if (f == "*") return 1;
    size_t slash = f.find('/');
    if (slash == std::string::npos || (f.substr(0, slash) != "0" && f.substr(0, slash) != "*")) {
      return std::nullopt;
    }
    int n = 0;
    std::string_view digits = std::string_view(f).substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size() || n < 1 || n >= limit ||
        limit % n != 0) {
      return std::nullopt;
    }
    return n;
  };
  // One fixed value (the second or minute it fires at).
  auto fixed = [](const std::string& f, int limit) {
    int n = -1;
    auto [end, ec] = std::from_chars(f.data(), f.data() + f.size(), n);
    return ec == std::errc() && end == f.data() + f.size() && n >= 0 && n < limit;
  };
  const std::string& sec = fields[0];
  const std::string& min = fields[1];
  const std::string& hour = fields[2];
  if (auto n = step(sec, 60); n && min == "*" && hour == "*") return *n;
  if (!fixed(sec, 60)) return std::nullopt;
  if (auto n = step(min, 60); n && hour == "*") return *n * 60;
  if (!fixed(min, 60)) return std::nullopt;
  if (auto n = step(hour, 24)) return *n * 3600;
  return std::nullopt;
}

std::string identityOf(const DataSource& ds) {
  std::string out = ds.host + '\x1f' + std::to_string(ds.port) + '\x1f' + ds.database + '\x1f' +
                    ds.username + '\x1f' + ds.password + '\x1f' +
                    std::to_string(static_cast<int>(ds.sslMode)) + '\x1f' + ds.sslCa;
  for (const auto& [k, v] : ds.urlParams) out += '\x1f' + k + '=' + v;
  for (int n : {ds.maxPoolSize, ds.minPoolSize, ds.connectionTimeoutMs, ds.idleTimeoutMs,
                ds.maxLifetimeMs, ds.connectTimeoutMs, ds.socketTimeoutMs}) {
    out += '\x1f' + std::to_string(n);
  }
  return out;
}

}  // namespace shardproxy::config
