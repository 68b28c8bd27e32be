// Loads a ShardingSphere-Proxy 5.x configuration directory into one Topology, validating as it
// goes so that every mistake is reported as "file:line: key: what is wrong".
//
// Decisions, so existing ShardingSphere files load unchanged:
//  - global.yaml is required, as in ShardingSphere-Proxy (server.yaml is its legacy name; having
//    both is an error because the proxy could not tell which one the operator edits). An empty
//    global.yaml is fine and gives the defaults.
//  - Without an `authority` section ShardingSphere creates the admin user root@% / root; we do
//    the same, with a warning, so a bare config behaves as it did under the Java proxy.
//  - Keys we do not act on (Java pool settings, sections such as sqlParser or logging) and keys
//    we do not know are warnings, never failures: the Java proxy would accept them, and ignoring
//    them changes nothing about the data.
//  - A database rule we do not act on is a failure, never silently ignored: running without
//    !ENCRYPT would store plain text where the operator expects cipher text. !READWRITE_SPLITTING
//    and !DB_DISCOVERY are the exceptions, with a warning: their groups are read so that other
//    rules may name them, and a readwrite group sends everything to its write data source.
//  - Duplicate keys in a mapping: the last one wins, as with SnakeYAML, with a warning.
//  - YAML merge keys (`<<: *defaults`), which SnakeYAML resolves and yaml-cpp 0.7 does not, are
//    resolved here.
//  - A database file without databaseName, dataSources and rules is skipped, as ShardingSphere
//    does; a database with no data sources is allowed (ShardingSphere lets DistSQL register
//    storage units into it later).
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "config/rules_loader.h"
#include "config/topology.h"
#include "config/yaml_reader.h"

namespace shardproxy::config {
namespace {

namespace fs = std::filesystem;

using namespace yaml;  // NOLINT: the reader helpers are this file's vocabulary

// ---------------------------------------------------------------------------------------------
// global.yaml / server.yaml

// Props ShardingSphere knows (across 5.x) that we keep for SHOW but do not act on.
const std::set<std::string>& otherKnownProps() {
  static const std::set<std::string> kProps = {
      "system-log-level",
      "check-table-metadata-enabled",
      "check-duplicate-table-enabled",
      "sql-federation-type",
      "sql-federation-enabled",
      "sql-comment-parse-enabled",
      "proxy-frontend-database-protocol-type",
      "proxy-hint-enabled",
      "proxy-backend-query-fetch-size",
      "proxy-backend-executor-suitable",
      "proxy-backend-driver-type",
      "proxy-mysql-default-version",
      "proxy-netty-backlog",
      "proxy-instance-type",
      "proxy-opentracing-enabled",
      "proxy-frontend-netty-executor-size",
      "system-schema-metadata-enabled",
      "show-process-list-enabled",
      "lock-wait-timeout-milliseconds",
      "query-with-cipher-column",
      "cdc-server-port",
      "acceptor-size",
      "executor-size",
  };
  return kProps;
}

// Global sections ShardingSphere has and we accept without acting on them.
const std::set<std::string>& ignoredGlobalSections() {
  static const std::set<std::string> kSections = {
      "sqlTranslator", "sqlFederation", "logging", "globalClock", "cdc", "traffic", "labels",
  };
  return kSections;
}

const std::set<std::string>& ignoredLegacyGlobalRules() {
  static const std::set<std::string> kRules = {
      "SQL_TRANSLATOR", "SQL_FEDERATION", "TRAFFIC", "LOGGING", "GLOBAL_CLOCK", "CDC",
  };
  return kRules;
}

// "!KIND" -> "KIND"; empty when the node carries no rule tag.
std::string ruleKind(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  if (tag.size() < 2 || tag[0] != '!') return "";
  std::string kind = tag.substr(1);
  bool ok = std::all_of(kind.begin(), kind.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
  return ok ? kind : "";
}

// "name@host" -> (name, host); host defaults to '%'. Hosts never contain '@', names might.
std::pair<std::string, std::string> splitGrantee(const std::string& s) {
  size_t at = s.rfind('@');
  if (at == std::string::npos) return {s, "%"};
  std::string host = s.substr(at + 1);
  return {s.substr(0, at), host.empty() ? "%" : host};
}

// The items of a list separated by any of `separators`, trimmed, empty ones dropped.
std::vector<std::string> splitList(const std::string& text, std::string_view separators) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find_first_of(separators, start);
    if (end == std::string::npos) end = text.size();
    std::string item = trim(text.substr(start, end - start));
    if (!item.empty()) items.push_back(std::move(item));
    start = end + 1;
  }
  return items;
}

// A size in bytes: a plain number, or one with a K, M or G suffix (powers of 1024, as MySQL
// reads sizes in option files), e.g. 256M.
uint64_t byteSize(const FileReader& f, const YAML::Node& value, const YAML::Node& at,
                  const std::string& key) {
  std::string s = trim(f.text(value, at, key));
  if (s.empty()) f.fail(at, key, "expected a size in bytes, got nothing");
  unsigned shift = 0;
  switch (std::toupper(static_cast<unsigned char>(s.back()))) {
    case 'K':
      shift = 10;
      break;
    case 'M':
      shift = 20;
      break;
    case 'G':
      shift = 30;
      break;
    default:
      break;
  }
  std::string digits = shift ? s.substr(0, s.size() - 1) : s;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size()) {
    f.fail(at, key,
           "expected a size in bytes (a number, optionally with K, M or G), got '" + s + "'");
  }
  if (v > (std::numeric_limits<uint64_t>::max() >> 1 >> shift)) {
    f.fail(at, key, "'" + s + "' is out of range");
  }
  return v << shift;
}

class GlobalParser {
 public:
  GlobalParser(const FileReader& f, Topology& t) : f_(f), t_(t) {}

  void parse(const YAML::Node& root) {
    if (root.IsDefined() && !root.IsNull() && !root.IsMap()) {
      f_.fail(root, "document", "expected a mapping at the top level");
    }
    for (const auto& [k, v] : f_.entries(root, root, "")) {
      const std::string& key = k.Scalar();
      if (key == "authority") {
        parseAuthority(k, v, key);
      } else if (key == "transaction") {
        parseTransaction(k, v, key);
      } else if (key == "props") {
        parseProps(k, v, key);
      } else if (key == "rules") {
        parseLegacyRules(k, v, key);
      } else if (key == "mode") {
        parseMode(k, v, key);
      } else if (key == "sqlParser") {
        parseSqlParser(k, v, key);
      } else if (ignoredGlobalSections().count(key) > 0) {
        f_.warn(k, key, "not acted on by shardproxy, ignored");
      } else {
        f_.warn(k, key, "unknown key, ignored");
      }
    }
    if (authorityLine_ == 0) {
      User defaultUser;
      defaultUser.name = "root";
      defaultUser.host = "%";
      defaultUser.password = "root";
      defaultUser.admin = true;
      t_.authority.users.push_back(defaultUser);
      f_.warn(YAML::Node(), "authority",
              "not configured; using ShardingSphere's default admin user root@% with password "
              "root");
    }
  }

 private:
  void once(int& seenLine, const YAML::Node& at, const std::string& key) {
    if (seenLine != 0) {
      f_.fail(at, key, "configured twice (first at line " + std::to_string(seenLine) + ")");
    }
    seenLine = FileReader::line(at);
  }

  void parseAuthority(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    once(authorityLine_, at, "authority");
    Authority& a = t_.authority;
    YAML::Node mappingsAt;
    YAML::Node mappings;
    std::string mappingsKey;
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "users") {
        parseUsers(k, v, keyPath);
      } else if (key == "privilege" || key == "provider") {  // provider: 5.0 - 5.2
        for (const auto& [pk, pv] : f_.entries(v, k, keyPath)) {
          std::string pkPath = join(keyPath, pk.Scalar());
          if (pk.Scalar() == "type") {
            std::string type = upper(f_.requiredText(pv, pk, pkPath));
            if (type == "ALL_PERMITTED" || type == "ALL_PRIVILEGES_PERMITTED") {
              a.privilege = PrivilegeType::kAllPermitted;
            } else if (type == "DATABASE_PERMITTED" || type == "SCHEMA_PRIVILEGES_PERMITTED") {
              a.privilege = PrivilegeType::kDatabasePermitted;
            } else {
              f_.fail(pk, pkPath,
                      "unknown privilege type '" + f_.text(pv, pk, pkPath) +
                          "' (expected ALL_PERMITTED or DATABASE_PERMITTED)");
            }
          } else if (pk.Scalar() == "props") {
            for (const auto& [mk, mv] : f_.entries(pv, pk, pkPath)) {
              std::string mkPath = join(pkPath, mk.Scalar());
              // user-schema-mappings is the 5.0 name.
              if (mk.Scalar() == "user-database-mappings" ||
                  mk.Scalar() == "user-schema-mappings") {
                mappingsAt = mk;
                mappings = mv;
                mappingsKey = mkPath;
              } else {
                f_.warn(mk, mkPath, "unknown key, ignored");
              }
            }
          } else {
            f_.warn(pk, pkPath, "unknown key, ignored");
          }
        }
      } else if (key == "authenticators") {
        for (const auto& [ak, av] : f_.entries(v, k, keyPath)) {
          std::string akPath = join(keyPath, ak.Scalar());
          std::string type;
          for (const auto& [tk, tv] : f_.entries(av, ak, akPath)) {
            if (tk.Scalar() == "type") {
              type = f_.requiredText(tv, tk, join(akPath, "type"));
            } else if (tk.Scalar() != "props") {
              f_.warn(tk, join(akPath, tk.Scalar()), "unknown key, ignored");
            }
          }
          if (type.empty()) f_.fail(ak, join(akPath, "type"), "missing");
          a.authenticators[ak.Scalar()] = type;
        }
      } else if (key == "defaultAuthenticator") {
        a.defaultAuthenticator = trim(f_.text(v, k, keyPath));
        defaultAuthenticatorAt_ = k;
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    // Like ShardingSphere, an authenticator name it cannot find falls back to the default one.
    auto known = [&a](const std::string& name) {
      return a.authenticators.count(name) > 0 || name == "mysql_native_password" ||
             name == "caching_sha2_password";
    };
    if (!a.defaultAuthenticator.empty() && !known(a.defaultAuthenticator)) {
      f_.warn(defaultAuthenticatorAt_, join(path, "defaultAuthenticator"),
              "no authenticator named '" + a.defaultAuthenticator + "'; the default is used");
    }
    for (size_t i = 0; i < a.users.size(); ++i) {
      const User& u = a.users[i];
      if (!u.authenticationMethodName.empty() && !known(u.authenticationMethodName)) {
        f_.warn(userAt_[i], indexed(join(path, "users"), i) + ".authenticationMethodName",
                "no authenticator named '" + u.authenticationMethodName + "'; the default is used");
      }
    }
    if (mappings.IsDefined() && !mappings.IsNull()) {
      if (a.privilege == PrivilegeType::kAllPermitted) {
        f_.warn(mappingsAt, mappingsKey, "ignored: the privilege type is ALL_PERMITTED");
      } else {
        parseMappings(mappingsAt, f_.text(mappings, mappingsAt, mappingsKey), mappingsKey);
      }
    }
  }

  void parseUsers(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) f_.fail(at, path, "expected a list of users");
    size_t i = 0;
    for (YAML::Node item : node) {
      std::string itemPath = indexed(path, i++);
      User u;
      if (item.IsScalar()) {
        // 5.0 - 5.2 wrote users as "name@host:password".
        std::string s = item.Scalar();
        size_t at2 = s.find('@');
        size_t colon = s.find(':', at2 == std::string::npos ? 0 : at2);
        std::string grantee = s.substr(0, colon);
        if (colon != std::string::npos) u.password = s.substr(colon + 1);
        std::tie(u.name, u.host) = splitGrantee(grantee);
      } else if (item.IsMap()) {
        bool hasUser = false;
        for (const auto& [k, v] : f_.entries(item, item, itemPath)) {
          const std::string& key = k.Scalar();
          std::string keyPath = join(itemPath, key);
          if (key == "user") {
            std::tie(u.name, u.host) = splitGrantee(trim(f_.text(v, k, keyPath)));
            hasUser = true;
          } else if (key == "password") {
            u.password = f_.text(v, k, keyPath);
          } else if (key == "admin") {
            u.admin = f_.boolean(v, k, keyPath);
          } else if (key == "filePrivilege") {
            u.filePrivilege = f_.boolean(v, k, keyPath);
          } else if (key == "authenticationMethodName") {
            u.authenticationMethodName = trim(f_.text(v, k, keyPath));
          } else {
            f_.warn(k, keyPath, "unknown key, ignored");
          }
        }
        if (!hasUser) f_.fail(item, join(itemPath, "user"), "missing");
      } else {
        f_.fail(item, itemPath, "expected {user, password} or \"name@host:password\"");
      }
      if (u.name.empty()) f_.fail(item, join(itemPath, "user"), "the user name is empty");
      for (const User& other : t_.authority.users) {
        if (other.name == u.name && lower(other.host) == lower(u.host)) {
          f_.fail(item, itemPath, "user '" + u.name + "@" + u.host + "' is defined twice");
        }
      }
      t_.authority.users.push_back(std::move(u));
      userAt_.push_back(item);
    }
  }

  // "root@%=sharding_db, root@%=test_db, sharding@127.0.0.1=sharding_db"
  void parseMappings(const YAML::Node& at, const std::string& text, const std::string& key) {
    Authority& a = t_.authority;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ',')) {
      item = trim(item);
      if (item.empty()) continue;
      size_t eq = item.find('=');
      if (eq == std::string::npos) {
        f_.fail(at, key, "'" + item + "' should be user@host=database");
      }
      auto [name, host] = splitGrantee(trim(item.substr(0, eq)));
      std::string database = trim(item.substr(eq + 1));
      if (database.empty()) f_.fail(at, key, "'" + item + "' names no database");
      const User* user = nullptr;
      for (const User& u : a.users) {
        if (u.name == name && lower(u.host) == lower(host)) user = &u;
      }
      if (user == nullptr) {
        f_.fail(at, key, "'" + name + "@" + host + "' is not a configured user");
      }
      a.userDatabases[user->name + "@" + user->host].insert(database);
    }
  }

  void parseTransaction(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    once(transactionLine_, at, "transaction");
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "defaultType") {
        std::string type = upper(f_.requiredText(v, k, keyPath));
        if (type != "LOCAL" && type != "XA" && type != "BASE") {
          f_.fail(k, keyPath,
                  "unknown transaction type '" + f_.text(v, k, keyPath) +
                      "' (expected LOCAL, XA or BASE)");
        }
        t_.transactionDefaultType = type;
      } else if (key == "providerType") {
        t_.transactionProviderType = trim(f_.text(v, k, keyPath));
      } else if (key == "props") {
        for (const auto& [pk, pv] : f_.entries(v, k, keyPath)) {
          t_.transactionProps[pk.Scalar()] = emit(pv);
        }
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
  }

  // sqlParser: sqlStatementCache.maximumSize sizes each worker's statement cache. The proxy
  // keeps no separate parse tree cache (a cached statement is its AST), so parseTreeCache and
  // the initial capacities are accepted and not acted on; comments are always parsed for hints.
  void parseSqlParser(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    once(sqlParserLine_, at, "sqlParser");
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "sqlStatementCache") {
        for (const auto& [ck, cv] : f_.entries(v, k, keyPath)) {
          std::string cachePath = join(keyPath, ck.Scalar());
          if (ck.Scalar() == "maximumSize") {
            t_.statementCacheSize = static_cast<size_t>(f_.integer(cv, ck, cachePath, 0, 1 << 24));
          } else if (ck.Scalar() == "initialCapacity") {
            f_.integer(cv, ck, cachePath, 0, 1 << 24);
          } else {
            f_.warn(ck, cachePath, "unknown key, ignored");
          }
        }
      } else if (key == "parseTreeCache" || key == "sqlCommentParseEnabled") {
        f_.warn(k, keyPath, "not acted on by shardproxy, ignored");
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
  }

  void parseProps(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    Props& p = t_.props;
    constexpr long long kIntMax = 2147483647;
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "proxy-default-port") {
        p.proxyDefaultPort = static_cast<uint16_t>(f_.integer(v, k, keyPath, 1, 65535));
      } else if (key == "sql-show") {
        p.sqlShow = f_.boolean(v, k, keyPath);
      } else if (key == "sql-simple") {
        p.sqlSimple = f_.boolean(v, k, keyPath);
      } else if (key == "proxy-normalize-sharding-strings") {
        p.proxyNormalizeShardingStrings = f_.boolean(v, k, keyPath);
      } else if (key == "proxy-local-infile") {
        p.proxyLocalInfile = f_.boolean(v, k, keyPath);
      } else if (key == "max-connections-size-per-query") {
        p.maxConnectionsSizePerQuery = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "kernel-executor-size") {
        p.kernelExecutorSize = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-frontend-flush-threshold") {
        p.proxyFrontendFlushThreshold = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "proxy-frontend-max-connections") {
        // ShardingSphere: "less than or equal to 0 means no limitation".
        p.proxyFrontendMaxConnections = std::max(0, f_.integer(v, k, keyPath, -kIntMax, kIntMax));
      } else if (key == "proxy-frontend-executor-size") {
        p.proxyFrontendExecutorSize = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-deadlock-detection-milliseconds") {
        p.proxyDeadlockDetectionMilliseconds = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-merge-max-memory-rows") {
        p.proxyMergeMaxMemoryRows = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "proxy-merge-max-memory-bytes") {
        p.proxyMergeMaxMemoryBytes = byteSize(f_, v, k, keyPath);
      } else if (key == "proxy-memory-limit") {
        p.proxyMemoryLimit = byteSize(f_, v, k, keyPath);
      } else if (key == "proxy-frontend-max-prepared-statements") {
        p.proxyFrontendMaxPreparedStatements = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-frontend-max-handshake-packet-size") {
        // MySQL's max_allowed_packet starts at 1024 too; below that no handshake fits.
        p.proxyFrontendMaxHandshakePacketSize = f_.integer(v, k, keyPath, 1024, 1 << 24);
      } else if (key == "proxy-frontend-wait-timeout-seconds") {
        // MySQL's range for these variables (a year at most).
        p.proxyFrontendWaitTimeoutSeconds = f_.integer(v, k, keyPath, 1, 31536000);
      } else if (key == "proxy-frontend-interactive-timeout-seconds") {
        p.proxyFrontendInteractiveTimeoutSeconds = f_.integer(v, k, keyPath, 1, 31536000);
      } else if (key == "proxy-frontend-net-read-timeout-seconds") {
        p.proxyFrontendNetReadTimeoutSeconds = f_.integer(v, k, keyPath, 1, 31536000);
      } else if (key == "proxy-frontend-net-write-timeout-seconds") {
        p.proxyFrontendNetWriteTimeoutSeconds = f_.integer(v, k, keyPath, 1, 31536000);
      } else if (key == "proxy-frontend-login-failures-before-delay") {
        p.proxyFrontendLoginFailuresBeforeDelay = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-frontend-login-min-delay-milliseconds") {
        p.proxyFrontendLoginMinDelayMilliseconds = f_.integer(v, k, keyPath, 1, kIntMax);
        minDelayAt_ = k;
      } else if (key == "proxy-frontend-login-max-delay-milliseconds") {
        p.proxyFrontendLoginMaxDelayMilliseconds = f_.integer(v, k, keyPath, 1, kIntMax);
        maxDelayAt_ = k;
      } else if (key == "proxy-frontend-login-failures-before-block") {
        p.proxyFrontendLoginFailuresBeforeBlock = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-frontend-login-block-seconds") {
        p.proxyFrontendLoginBlockSeconds = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "proxy-frontend-login-tracked-accounts") {
        p.proxyFrontendLoginTrackedAccounts = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "proxy-frontend-ssl-enabled") {
        p.proxyFrontendSslEnabled = f_.boolean(v, k, keyPath);
      } else if (key == "proxy-frontend-ssl-version") {
        p.proxyFrontendSslVersions = tlsVersions(v, k, keyPath);
      } else if (key == "proxy-frontend-ssl-cipher") {
        p.proxyFrontendSslCiphers = splitList(f_.text(v, k, keyPath), ",:");
      } else if (key == "proxy-frontend-ssl-cert") {
        p.proxyFrontendSslCert = pemFile(v, k, keyPath);
        sslCertAt_ = k;
      } else if (key == "proxy-frontend-ssl-key") {
        p.proxyFrontendSslKey = pemFile(v, k, keyPath);
        sslKeyAt_ = k;
      } else if (key == "proxy-frontend-ssl-host-names") {
        p.proxyFrontendSslHostNames = hostNames(v, k, keyPath);
      } else if (key == "proxy-frontend-ssl-required") {
        p.proxyFrontendSslRequired = f_.boolean(v, k, keyPath);
        sslRequiredAt_ = k;
      } else if (key == "proxy-meta-data-collector-enabled") {
        p.proxyMetaDataCollectorEnabled = f_.boolean(v, k, keyPath);
      } else if (key == "proxy-meta-data-collector-cron") {
        std::string cron = f_.text(v, k, keyPath);
        std::optional<int> seconds = cronPeriodSeconds(cron);
        if (!seconds) {
          f_.fail(k, keyPath,
                  "'" + cron +
                      "' is not a fixed period; the proxy takes '0 0/N * * * ?' (every N "
                      "minutes), '0/N * * * * ?' (every N seconds) and '0 0 0/N * * ?' (every N "
                      "hours)");
        }
        p.proxyMetaDataCollectorCron = cron;
        p.proxyMetaDataCollectorIntervalSeconds = *seconds;
      } else if (key == "proxy-backend-health-check-interval-milliseconds") {
        p.proxyBackendHealthCheckIntervalMilliseconds = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "proxy-backend-health-check-timeout-milliseconds") {
        p.proxyBackendHealthCheckTimeoutMilliseconds = f_.integer(v, k, keyPath, 1, kIntMax);
      } else if (key == "proxy-metrics-port") {
        p.proxyMetricsPort = f_.integer(v, k, keyPath, 0, 65535);
      } else if (key == "proxy-metrics-host") {
        p.proxyMetricsHost = f_.text(v, k, keyPath);
      } else if (key == "proxy-shutdown-delay-seconds") {
        p.proxyShutdownDelaySeconds = f_.integer(v, k, keyPath, 0, 3600);
      } else if (key == "proxy-shutdown-grace-seconds") {
        p.proxyShutdownGraceSeconds = f_.integer(v, k, keyPath, 0, 86400);
      } else if (otherKnownProps().count(key) > 0) {
        p.other[key] = emit(v);
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    if (p.proxyFrontendLoginMaxDelayMilliseconds < p.proxyFrontendLoginMinDelayMilliseconds) {
      bool maxGiven = maxDelayAt_.IsDefined() && !maxDelayAt_.IsNull();
      const YAML::Node& place = maxGiven ? maxDelayAt_ : minDelayAt_;
      f_.fail(place, join(path, "proxy-frontend-login-max-delay-milliseconds"),
              std::to_string(p.proxyFrontendLoginMaxDelayMilliseconds) +
                  " is less than proxy-frontend-login-min-delay-milliseconds " +
                  std::to_string(p.proxyFrontendLoginMinDelayMilliseconds));
    }
    // A certificate needs its key and the other way round.
    if (p.proxyFrontendSslCert.empty() != p.proxyFrontendSslKey.empty()) {
      bool certOnly = p.proxyFrontendSslKey.empty();
      f_.fail(certOnly ? sslCertAt_ : sslKeyAt_,
              join(path, certOnly ? "proxy-frontend-ssl-cert" : "proxy-frontend-ssl-key"),
              certOnly ? "needs proxy-frontend-ssl-key too" : "needs proxy-frontend-ssl-cert too");
    }
    if (p.proxyFrontendSslRequired && !p.proxyFrontendSslEnabled) {
      f_.warn(sslRequiredAt_, join(path, "proxy-frontend-ssl-required"),
              "without proxy-frontend-ssl-enabled only Unix socket clients can log in");
    }
  }

  // "TLSv1.2,TLSv1.3" (ShardingSphere's form).
  std::vector<std::string> tlsVersions(const YAML::Node& v, const YAML::Node& at,
                                       const std::string& key) const {
    static const std::set<std::string> kKnown = {"TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
    std::vector<std::string> versions = splitList(f_.text(v, at, key), ",");
    if (versions.empty()) f_.fail(at, key, "must name at least one TLS version");
    for (const std::string& version : versions) {
      if (kKnown.count(version) == 0) {
        f_.fail(
            at, key,
            "unknown TLS version '" + version + "' (expected TLSv1.2, TLSv1.3, TLSv1.1 or TLSv1)");
      }
    }
    return versions;
  }

  // A path as written, or resolved against the configuration directory when relative; the file
  // must exist.
  std::string pemFile(const YAML::Node& v, const YAML::Node& at, const std::string& key) const {
    fs::path path(f_.requiredText(v, at, key));
    if (path.is_relative()) path = fs::path(f_.file()).parent_path() / path;
    std::error_code ec;
    if (!fs::is_regular_file(path, ec)) f_.fail(at, key, "no such file: " + path.string());
    return path.string();
  }

  // A comma-separated list or a YAML sequence.
  std::vector<std::string> hostNames(const YAML::Node& v, const YAML::Node& at,
                                     const std::string& key) const {
    std::vector<std::string> names;
    if (v.IsSequence()) {
      for (const YAML::Node& item : v) names.push_back(trim(f_.text(item, at, key)));
    } else {
      names = splitList(f_.text(v, at, key), ",");
    }
    for (const std::string& name : names) {
      if (!isCertificateHostName(name)) {
        f_.fail(at, key, "'" + name + "' is neither a host name nor an IP address");
      }
    }
    return names;
  }

  void parseMode(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      if (k.Scalar() == "type") {
        t_.modeType = f_.requiredText(v, k, join(path, "type"));
        if (lower(t_.modeType) == "standalone") {
          t_.modeType = "Standalone";
        } else {
          f_.warn(k, join(path, "type"),
                  "mode '" + t_.modeType + "' is not supported yet; running standalone");
        }
      }
      // repository / overwrite only matter to a registry, which we do not use yet.
    }
  }

  // 5.0 - 5.3 server.yaml: `rules:` with !AUTHORITY, !TRANSACTION and other global rules.
  void parseLegacyRules(const YAML::Node& at, const YAML::Node& node, const std::string& path) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) f_.fail(at, path, "expected a list of rules such as !AUTHORITY");
    size_t i = 0;
    for (YAML::Node item : node) {
      std::string itemPath = indexed(path, i++);
      std::string kind = ruleKind(item);
      if (kind.empty()) f_.fail(item, itemPath, "expected a tagged rule such as !AUTHORITY");
      if (kind == "AUTHORITY") {
        parseAuthority(item, item, "!AUTHORITY");
      } else if (kind == "TRANSACTION") {
        parseTransaction(item, item, "!TRANSACTION");
      } else if (kind == "SQL_PARSER") {
        parseSqlParser(item, item, "!SQL_PARSER");
      } else if (ignoredLegacyGlobalRules().count(kind) > 0) {
        f_.warn(item, "!" + kind, "not acted on by shardproxy, ignored");
      } else {
        f_.warn(item, "!" + kind, "unknown global rule, ignored");
      }
    }
  }

  const FileReader& f_;
  Topology& t_;
  int authorityLine_ = 0;
  int transactionLine_ = 0;
  int sqlParserLine_ = 0;
  // Where the TLS props that are checked together were written.
  YAML::Node sslCertAt_;
  YAML::Node sslKeyAt_;
  YAML::Node sslRequiredAt_;
  std::vector<YAML::Node> userAt_;  // parallel to authority.users, for messages
  YAML::Node defaultAuthenticatorAt_;
  YAML::Node minDelayAt_;
  YAML::Node maxDelayAt_;
};

// ---------------------------------------------------------------------------------------------
// database-*.yaml / config-*.yaml

// Pool and driver settings that only mean something to a Java DataSource.
const std::set<std::string>& javaOnlyDataSourceKeys() {
  static const std::set<std::string> kKeys = {
      "dataSourceClassName",
      "driverClassName",
      "customPoolProps",
      "connectionTestQuery",
      "poolName",
      "readOnly",
      "autoCommit",
      "leakDetectionThreshold",
      "dataSourceProperties",
      "registerMbeans",
      "keepaliveTime",
      "validationTimeout",
      "initializationFailTimeout",
      "maintenanceIntervalMilliseconds",
      "transactionIsolation",
      "catalog",
      "schema",
      "connectionInitSql",
  };
  return kKeys;
}

// Why each rule the proxy does not act on yet would be dangerous to ignore: the proxy refuses to
// start with it rather than run as if it were not there.
std::string notImplementedRule(const std::string& kind) {
  if (kind == "ENCRYPT" || kind == "COMPATIBLE_ENCRYPT") {
    return "encryption is not implemented by shardproxy yet: the columns it names would be "
           "stored and returned in plain text; remove the rule to run without encryption";
  }
  if (kind == "MASK") {
    return "data masking is not implemented by shardproxy yet: queries would return the values "
           "unmasked; remove the rule to run without masking";
  }
  if (kind == "SHADOW") {
    return "shadow databases are not implemented by shardproxy yet: statements meant for the "
           "shadow data sources would run on the production ones; remove the rule to run "
           "without them";
  }
  return "unknown rule: shardproxy acts on !SHARDING, !BROADCAST and !SINGLE and reads the "
         "groups of !READWRITE_SPLITTING and !DB_DISCOVERY; it does not start with a rule it "
         "would ignore";
}

class DatabaseParser {
 public:
  DatabaseParser(const FileReader& f, LogicalDatabase& db) : f_(f), db_(db) {}

  // Returns false for a file ShardingSphere would skip (nothing in it).
  bool parse(const YAML::Node& root) {
    if (!root.IsDefined() || root.IsNull()) return false;
    if (!root.IsMap()) f_.fail(root, "document", "expected a mapping at the top level");
    YAML::Node nameAt;
    bool hasDataSources = false;
    bool hasRules = false;
    for (const auto& [k, v] : f_.entries(root, root, "")) {
      const std::string& key = k.Scalar();
      if (key == "databaseName" || key == "schemaName") {  // schemaName: 5.0
        if (nameAt.IsDefined() && !nameAt.IsNull()) {
          f_.fail(
              k, key,
              "the database is already named at line " + std::to_string(FileReader::line(nameAt)));
        }
        db_.name = f_.requiredText(v, k, key);
        nameAt = k;
      } else if (key == "dataSources") {
        parseDataSources(k, v);
        hasDataSources = !db_.dataSources.empty();
      } else if (key == "rules") {
        parseRules(k, v);
        hasRules = !db_.rules.empty();
      } else {
        f_.warn(k, key, "unknown key, ignored");
      }
    }
    if (db_.name.empty()) {
      if (!hasDataSources && !hasRules) return false;
      f_.fail(root, "databaseName", "missing");
    }
    nameAt_ = nameAt;
    checkSingleDefault();
    return true;
  }

  const YAML::Node& nameAt() const { return nameAt_; }

 private:
  void parseDataSources(const YAML::Node& at, const YAML::Node& node) {
    for (const auto& [k, v] : f_.entries(node, at, "dataSources")) {
      std::string path = join("dataSources", k.Scalar());
      if (trim(k.Scalar()).empty()) f_.fail(k, path, "data source name is empty");
      if (!v.IsMap()) f_.fail(k, path, "expected a mapping with url, username, password, ...");
      db_.dataSources.push_back(parseDataSource(k, v, path));
      db_.dataSources.back().identity = identityOf(db_.dataSources.back());
    }
  }

  DataSource parseDataSource(const YAML::Node& at, const YAML::Node& node,
                             const std::string& path) {
    DataSource ds;
    ds.name = at.Scalar();
    YAML::Node urlAt;
    std::string url;
    std::optional<std::string> username;
    std::optional<std::string> password;
    YAML::Node maxPoolAt;
    constexpr long long kIntMax = 2147483647;
    // ShardingSphere maps HikariCP's own names onto its standard ones (jdbcUrl -> url, ...), so
    // both spellings appear in the wild.
    for (const auto& [k, v] : f_.entries(node, at, path)) {
      const std::string& key = k.Scalar();
      std::string keyPath = join(path, key);
      if (key == "url" || key == "jdbcUrl") {
        if (urlAt.IsDefined() && !urlAt.IsNull()) {
          f_.fail(k, keyPath,
                  "the URL is already given at line " + std::to_string(FileReader::line(urlAt)));
        }
        url = f_.requiredText(v, k, keyPath);
        urlAt = k;
      } else if (key == "username" || key == "user") {
        username = f_.text(v, k, keyPath);
      } else if (key == "password") {
        password = f_.text(v, k, keyPath);
      } else if (key == "connectionTimeoutMilliseconds" || key == "connectionTimeout") {
        ds.connectionTimeoutMs = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "idleTimeoutMilliseconds" || key == "idleTimeout") {
        ds.idleTimeoutMs = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "maxLifetimeMilliseconds" || key == "maxLifetime") {
        ds.maxLifetimeMs = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (key == "maxPoolSize" || key == "maximumPoolSize") {
        ds.maxPoolSize = f_.integer(v, k, keyPath, 1, kIntMax);
        maxPoolAt = k;
      } else if (key == "minPoolSize" || key == "minimumIdle") {
        ds.minPoolSize = f_.integer(v, k, keyPath, 0, kIntMax);
      } else if (javaOnlyDataSourceKeys().count(key) > 0) {
        f_.warn(k, keyPath, "Java-only setting, ignored");
      } else {
        f_.warn(k, keyPath, "unknown key, ignored");
      }
    }
    if (!urlAt.IsDefined() || urlAt.IsNull()) f_.fail(at, join(path, "url"), "missing");
    try {
      parseJdbcUrl(url, ds);
    } catch (const ConfigError& e) {
      f_.fail(urlAt, join(path, urlAt.Scalar()), e.what());
    }
    // Connector/J also takes the credentials as URL parameters; explicit keys win.
    if (auto it = ds.urlParams.find("user"); it != ds.urlParams.end() && ds.username.empty()) {
      ds.username = it->second;
    }
    if (auto it = ds.urlParams.find("password"); it != ds.urlParams.end() && ds.password.empty()) {
      ds.password = it->second;
    }
    if (username) ds.username = *username;
    if (password) ds.password = *password;
    if (ds.maxPoolSize < ds.minPoolSize) {
      f_.fail(maxPoolAt.IsDefined() && !maxPoolAt.IsNull() ? maxPoolAt : at,
              join(path, "maxPoolSize"),
              std::to_string(ds.maxPoolSize) + " is less than minPoolSize " +
                  std::to_string(ds.minPoolSize));
    }
    return ds;
  }

  void parseRules(const YAML::Node& at, const YAML::Node& node) {
    if (node.IsNull()) return;
    if (!node.IsSequence()) f_.fail(at, "rules", "expected a list of rules such as !SHARDING");
    std::map<std::string, int> seen;  // kind -> line
    size_t i = 0;
    for (YAML::Node item : node) {
      std::string itemPath = indexed("rules", i++);
      std::string kind = ruleKind(item);
      if (kind.empty()) f_.fail(item, itemPath, "expected a tagged rule such as !SHARDING");
      int line = FileReader::line(item);
      // ShardingSphere rejects a repeated tag: the two rules could not both apply.
      if (auto it = seen.find(kind); it != seen.end()) {
        f_.fail(item, "!" + kind,
                "duplicate rule (first at line " + std::to_string(it->second) + ")");
      }
      seen[kind] = line;
      RuleConfig rule;
      rule.kind = kind;
      rule.file = f_.file();
      rule.line = line;
      if (!(item.IsScalar() && trim(item.Scalar()).empty())) {
        YAML::Node body = YAML::Clone(item);
        body.SetTag("");
        YAML::Emitter out;
        out << body;
        if (!out.good()) f_.fail(item, "!" + kind, "cannot re-emit: " + out.GetLastError());
        rule.yaml = out.c_str();
      }
      if (kind == "SINGLE") {
        readSingle(item);
        db_.ruleSet.single = parseSingleRule(f_, item);
      } else if (kind == "SHARDING") {
        db_.ruleSet.sharding = parseShardingRule(f_, item);
        const auto& legacy = db_.ruleSet.sharding->broadcastTables;
        db_.ruleSet.broadcastTables.insert(db_.ruleSet.broadcastTables.end(), legacy.begin(),
                                           legacy.end());
      } else if (kind == "BROADCAST") {
        auto tables = parseBroadcastRule(f_, item);
        db_.ruleSet.broadcastTables.insert(db_.ruleSet.broadcastTables.end(), tables.begin(),
                                           tables.end());
      } else if (kind == "READWRITE_SPLITTING") {
        // Until read/write splitting exists, a group is its write data source: nothing is lost,
        // reads only do not reach the replicas.
        readGroups(item, true);
        f_.warn(item, "!" + kind,
                "read/write splitting is not implemented yet: reads and writes alike go to each "
                "group's write data source");
      } else if (kind == "DB_DISCOVERY") {
        readGroups(item, false);
        f_.warn(item, "!" + kind,
                "database discovery is not implemented yet: no primary is elected, so statements "
                "routed to its groups fail");
      } else {
        f_.fail(item, "!" + kind, notImplementedRule(kind));
      }
      // !SHARDING's algorithms are checked when router/ builds them, with a message naming the
      // built-in algorithm to use instead.
      if (kind != "SHARDING") rejectClassBased(item, "!" + kind);
      db_.rules.push_back(std::move(rule));
    }
  }

  // CLASS_BASED algorithms name a Java class to load; nothing here can run one, and starting
  // without the algorithm would route rows to the wrong shards, so refuse at load time.
  void rejectClassBased(const YAML::Node& node, const std::string& path) {
    if (node.IsSequence()) {
      for (size_t i = 0; i < node.size(); ++i) rejectClassBased(node[i], indexed(path, i));
    } else if (node.IsMap()) {
      for (auto it = node.begin(); it != node.end(); ++it) {
        YAML::Node key = it->first;
        YAML::Node value = it->second;
        if (!key.IsScalar()) continue;
        std::string keyPath = join(path, key.Scalar());
        if (key.Scalar() == "type" && value.IsScalar() && upper(value.Scalar()) == "CLASS_BASED") {
          f_.fail(key, keyPath,
                  "CLASS_BASED algorithms are Java classes, which shardproxy cannot load; use a "
                  "built-in algorithm type");
        }
        rejectClassBased(value, keyPath);
      }
    }
  }

  void readSingle(const YAML::Node& body) {
    if (!body.IsMap()) return;
    for (auto it = body.begin(); it != body.end(); ++it) {
      if (it->first.IsScalar() && it->first.Scalar() == "defaultDataSource") {
        db_.singleDefaultDataSource =
            trim(f_.text(it->second, it->first, "!SINGLE.defaultDataSource"));
        singleDefaultAt_ = it->first;
      }
    }
  }

  // Only the group names (and each readwrite group's writer) are read here, so that other rules
  // may name a group; the rule's own module validates the rest when it acts on it.
  void readGroups(const YAML::Node& body, bool readwrite) {
    YAML::Node groups = lookup(body, "dataSources");
    if (!groups.IsMap()) return;
    for (auto it = groups.begin(); it != groups.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      std::string writer;
      if (readwrite) {
        // 5.4 writes writeDataSourceName directly, 5.1 - 5.3 under staticStrategy, 5.0-alpha
        // called it primaryDataSourceName.
        YAML::Node w = lookup(it->second, "writeDataSourceName");
        if (!w.IsScalar()) w = lookup(lookup(it->second, "staticStrategy"), "writeDataSourceName");
        if (!w.IsScalar()) w = lookup(it->second, "primaryDataSourceName");
        if (w.IsScalar()) writer = trim(w.Scalar());
      }
      db_.logicalDataSources[it->first.Scalar()] = writer;
    }
  }

  void checkSingleDefault() {
    const std::string& name = db_.singleDefaultDataSource;
    if (name.empty()) return;
    if (db_.findDataSource(name) == nullptr && db_.logicalDataSources.count(name) == 0) {
      f_.fail(singleDefaultAt_, "!SINGLE.defaultDataSource", "unknown data source '" + name + "'");
    }
  }

  const FileReader& f_;
  LogicalDatabase& db_;
  YAML::Node nameAt_;
  YAML::Node singleDefaultAt_;
};

bool endsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool startsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

// yaml-cpp reports conversion problems as exceptions with a mark; turn any that slip through our
// own checks into the same file:line form rather than an unexplained crash at start-up.
template <typename Fn>
void withFile(const FileReader& f, Fn&& fn) {
  try {
    fn();
  } catch (const YAML::Exception& e) {
    throw ConfigError(f.place(e.mark) + ": yaml: " + e.msg);
  }
}

}  // namespace

std::shared_ptr<const Topology> loadTopology(const std::string& dir) {
  std::error_code ec;
  fs::path root(dir);
  if (!fs::exists(root, ec)) throw ConfigError(dir + ": configuration directory not found");
  if (!fs::is_directory(root, ec)) throw ConfigError(dir + ": not a directory");

  auto t = std::make_shared<Topology>();

  // ShardingSphere-Proxy refuses to start without its global file, so do we: starting with
  // defaults would silently ignore a misnamed or misplaced file.
  fs::path global = root / "global.yaml";
  fs::path legacy = root / "server.yaml";
  bool hasGlobal = fs::is_regular_file(global, ec);
  bool hasLegacy = fs::is_regular_file(legacy, ec);
  if (hasGlobal && hasLegacy) {
    throw ConfigError(legacy.string() +
                      ":1: server.yaml: both global.yaml and its legacy name server.yaml exist; "
                      "keep only global.yaml");
  }
  if (!hasGlobal && !hasLegacy) {
    throw ConfigError(global.string() +
                      ": not found (nor its legacy name server.yaml); it is required, even empty");
  }
  {
    FileReader f((hasGlobal ? global : legacy).string(), t->warnings);
    withFile(f, [&] { GlobalParser(f, *t).parse(f.load()); });
  }

  std::vector<fs::path> files;
  for (const fs::directory_entry& entry : fs::directory_iterator(root, ec)) {
    // is_regular_file follows symlinks: Kubernetes mounts ConfigMap files as links.
    if (!fs::is_regular_file(entry.path(), ec)) continue;
    std::string name = entry.path().filename().string();
    bool prefixed = startsWith(name, "database-") || startsWith(name, "config-");
    if (!prefixed) continue;
    size_t prefix = startsWith(name, "database-") ? 9 : 7;
    if (endsWith(name, ".yaml") && name.size() > prefix + 5) {
      files.push_back(entry.path());
    } else if (endsWith(name, ".yml")) {
      t->warnings.push_back(entry.path().string() + ":1: " + name +
                            ": ignored; like ShardingSphere, only *.yaml files are read");
    }
  }
  if (ec) throw ConfigError(dir + ": cannot list: " + ec.message());
  std::sort(files.begin(), files.end());

  std::map<std::string, std::string> fileOf;  // database -> file, for duplicate messages
  for (const fs::path& path : files) {
    FileReader f(path.string(), t->warnings);
    withFile(f, [&] {
      LogicalDatabase db;
      db.file = f.file();
      DatabaseParser parser(f, db);
      YAML::Node doc = f.load();
      if (!parser.parse(doc)) {
        f.warn(doc, path.filename().string(), "no databaseName, dataSources or rules; skipped");
        return;
      }
      auto [it, inserted] = fileOf.emplace(db.name, f.file());
      if (!inserted) {
        f.fail(parser.nameAt(), "databaseName",
               "database '" + db.name + "' is already defined in " + it->second);
      }
      std::string name = db.name;
      t->databases.emplace(name, std::move(db));
    });
  }
  return t;
}

}  // namespace shardproxy::config
