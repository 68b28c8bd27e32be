// Topology: the immutable configuration snapshot every stage reads, built from
// ShardingSphere 5.x YAML (global.yaml / server.yaml and database-*.yaml / config-*.yaml).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "config/rules.h"

namespace shardproxy::config {

// A config error that names the place: "file:line: key: message".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// TLS to a data source, in Connector/J's terms (sslMode).
enum class SslMode { kDisabled, kPreferred, kRequired, kVerifyCa, kVerifyIdentity };

const char* sslModeName(SslMode mode);

struct DataSource {
  std::string name;  // key under dataSources
  std::string host;
  uint16_t port = 3306;
  std::string database;                          // actual database on the backend
  std::map<std::string, std::string> urlParams;  // JDBC URL query parameters
  // From the URL's sslMode (or the older useSSL, requireSSL, verifyServerCertificate; MariaDB
  // Connector/J's useSsl, trustServerCertificate, disableSslHostnameVerification and its sslMode
  // names). Plain when the URL says nothing.
  SslMode sslMode = SslMode::kDisabled;
  // The CA certificates (a PEM file) that verify the server, from trustCertificateKeyStoreUrl or
  // serverSslCert; empty: the system's.
  std::string sslCa;
  std::string username;
  std::string password;
  int maxPoolSize = 50;
  int minPoolSize = 1;
  int connectionTimeoutMs = 30000;
  int idleTimeoutMs = 60000;
  int maxLifetimeMs = 1800000;
  // From the URL, in the driver's terms (milliseconds, 0: no limit): how long opening a
  // connection may take (Connector/J's connectTimeout, default 0; MariaDB Connector/J's default
  // is 30000) and how long any one read from the server may wait (socketTimeout, default 0).
  // A connect is also bounded by connectionTimeoutMs.
  int connectTimeoutMs = 0;
  int socketTimeoutMs = 0;
  // Everything above but the name, as one key (identityOf()): two data sources with the same
  // identity reach the same server the same way with the same pool settings. Set by the loader.
  std::string identity;
};

// The identity of `ds` (DataSource::identity) from its other fields.
std::string identityOf(const DataSource& ds);

// A rule as written; `kind` is the tag without '!': "SHARDING", "BROADCAST", "SINGLE",
// "READWRITE_SPLITTING" or "DB_DISCOVERY" (the loader refuses any other).
struct RuleConfig {
  std::string kind;
  std::string yaml;  // the rule's body, re-emitted as YAML
  std::string file;
  int line = 0;
};

struct LogicalDatabase {
  std::string name;
  std::vector<DataSource> dataSources;  // in file order
  std::vector<RuleConfig> rules;        // every rule, kept as written
  // !SHARDING, !BROADCAST and !SINGLE, read (router/ builds the running rules from them).
  DatabaseRules ruleSet;
  std::string file;
  // Parsed at load from the !SINGLE rule; may name a data source or a logical group below.
  std::string singleDefaultDataSource;
  // Logical data sources declared by !READWRITE_SPLITTING / !DB_DISCOVERY groups, which rules may
  // name instead of a physical one: group name -> its write data source ("" when a discovery
  // rule elects the primary at run time).
  std::map<std::string, std::string> logicalDataSources;

  const DataSource* findDataSource(const std::string& name) const;
  // Where statements go while the database is not sharded: the !SINGLE defaultDataSource when
  // set, else the first data source.
  const DataSource* defaultDataSource() const;
};

struct User {
  std::string name;
  std::string host = "%";
  std::string password;
  bool admin = false;
  // shardproxy's own: MySQL's FILE privilege (LOAD_FILE(), SELECT ... INTO OUTFILE | DUMPFILE,
  // LOAD DATA INFILE reach the backend's host). Off: they behave as for a MySQL user without it.
  bool filePrivilege = false;
  std::string authenticationMethodName;  // optional, as ShardingSphere allows
};

enum class PrivilegeType { kAllPermitted, kDatabasePermitted };

struct Authority {
  std::vector<User> users;
  PrivilegeType privilege = PrivilegeType::kAllPermitted;
  // "name@host" (as written in user-database-mappings) -> databases; "*" means all.
  std::map<std::string, std::set<std::string>> userDatabases;
  // authenticators: name -> type (e.g. MySQLNativePassword); users pick one by
  // authenticationMethodName, else defaultAuthenticator, else the protocol's default.
  std::map<std::string, std::string> authenticators;
  std::string defaultAuthenticator;

  // The configured user that matches a login from `clientHost`: exact host first, then
  // wildcard patterns ('%' and '_' as in MySQL). nullptr if none.
  const User* findUser(const std::string& name, const std::string& clientHost) const;
  bool mayAccess(const User& user, const std::string& database) const;
  // The MySQL auth plugin a user must log in with ("mysql_native_password",
  // "caching_sha2_password"), from authenticationMethodName, else defaultAuthenticator, each
  // either a plugin name or an authenticators entry; empty when any plugin will do.
  std::string authPluginFor(const User& user) const;
};

struct Props {
  uint16_t proxyDefaultPort = 3307;
  bool sqlShow = false;
  bool sqlSimple = false;
  // String sharding values folded by the column's collation before routing ('ABC' and 'abc '
  // route alike under a _ci PAD SPACE collation). Off: ShardingSphere's placement (the value as
  // written), which data placed by ShardingSphere needs.
  bool proxyNormalizeShardingStrings = false;
  // shardproxy's own: LOAD DATA LOCAL INFILE allowed (CLIENT_LOCAL_FILES announced), as
  // MariaDB's local_infile (ON by default). Off: 1148, as a server with local_infile=OFF.
  bool proxyLocalInfile = true;
  int maxConnectionsSizePerQuery = 1;
  int kernelExecutorSize = 0;
  int proxyFrontendFlushThreshold = 128;
  int proxyFrontendMaxConnections = 0;  // 0: unlimited
  int proxyFrontendExecutorSize = 0;    // 0: one worker per core
  // shardproxy's own: rows a merge may hold in memory (GROUP BY merged in memory, DISTINCT,
  // shards' results read ahead) before the statement fails with an error.
  int proxyMergeMaxMemoryRows = 1'000'000;
  // shardproxy's own: bytes one statement may hold to merge (memory GROUP BY, ORDER BY, DISTINCT
  // and aggregate state, shards' rows read ahead); 0: unlimited. 256 MiB: far above what a
  // merge that a client can use holds, far below what takes a host down.
  uint64_t proxyMergeMaxMemoryBytes = uint64_t{256} << 20;
  // shardproxy's own: bytes every statement of the process together may hold (as above);
  // 0: unlimited (the default: the proxy cannot know what else the host or container runs).
  uint64_t proxyMemoryLimit = 0;
  // shardproxy's own: prepared statements one client connection may hold open (COM_STMT_PREPARE
  // and SQL PREPARE together), as MySQL's max_prepared_stmt_count (whose default it takes) limits
  // a server.
  int proxyFrontendMaxPreparedStatements = 16382;
  // shardproxy's own, for clients that have not logged in yet. Their packets may be no larger
  // than a handshake needs (MySQL's net_buffer_length, whose default this is); a larger one is
  // refused before it is read.
  int proxyFrontendMaxHandshakePacketSize = 16384;
  // shardproxy's own: the global values of the client connection's timeouts, in seconds, as
  // MySQL's variables of the same names (and their defaults): wait_timeout between commands
  // (interactive_timeout for clients that log in with CLIENT_INTERACTIVE), net_read_timeout
  // while the rest of a packet is awaited, net_write_timeout while a result waits for the client
  // to read it. Each session may change its own with SET.
  int proxyFrontendWaitTimeoutSeconds = 28800;
  int proxyFrontendInteractiveTimeoutSeconds = 28800;
  int proxyFrontendNetReadTimeoutSeconds = 30;
  int proxyFrontendNetWriteTimeoutSeconds = 60;
  // Failed logins, counted per account and client host as MySQL's connection_control plugin
  // counts them (and with its defaults): past `failuresBeforeDelay` consecutive failures each
  // answer waits (failures - threshold) x minDelay, at most maxDelay; 0 turns delays off.
  int proxyFrontendLoginFailuresBeforeDelay = 3;
  int proxyFrontendLoginMinDelayMilliseconds = 1000;
  int proxyFrontendLoginMaxDelayMilliseconds = 10000;
  // Past `failuresBeforeBlock` consecutive failures the account is refused from that host
  // (MariaDB's error 1129, as for max_connect_errors) until `blockSeconds` after the last
  // failure; 0 turns blocking off. Failures are forgotten `blockSeconds` after the last one and
  // on a successful login.
  int proxyFrontendLoginFailuresBeforeBlock = 10;
  int proxyFrontendLoginBlockSeconds = 600;
  // At most this many account-and-host failure counts are kept; beyond, the oldest with the
  // fewest failures make room.
  int proxyFrontendLoginTrackedAccounts = 10000;
  // TLS on client connections (ShardingSphere's props), off by default. Versions and ciphers are
  // comma-separated lists in the file; no ciphers means OpenSSL's defaults.
  bool proxyFrontendSslEnabled = false;
  std::vector<std::string> proxyFrontendSslVersions = {"TLSv1.2", "TLSv1.3"};
  std::vector<std::string> proxyFrontendSslCiphers;
  // shardproxy's own: the certificate (with its chain) and key as PEM files, resolved against
  // the configuration directory; both empty: a CA and a certificate generated in --data-dir.
  std::string proxyFrontendSslCert;
  std::string proxyFrontendSslKey;
  // More names (DNS names or IP addresses) the generated certificate is valid for, besides
  // localhost, 127.0.0.1 and ::1.
  std::vector<std::string> proxyFrontendSslHostNames;
  // Clients over TCP must use TLS, as with MySQL's require_secure_transport (error 3159).
  bool proxyFrontendSslRequired = false;
  // sharding_table_statistics in the `shardingsphere` schema: collected from the backends at
  // start-up and then every interval (ShardingSphere's proxy-meta-data-collector-cron, whose
  // default fires every minute; the proxy takes the cron expressions that are a fixed period).
  bool proxyMetaDataCollectorEnabled = true;
  std::string proxyMetaDataCollectorCron = "0 0/1 * * * ?";
  int proxyMetaDataCollectorIntervalSeconds = 60;
  // shardproxy's own: every data source is pinged on a connection of its own this often; a
  // ping (or connect) without an answer within the timeout marks it down, and then its work
  // fails at once instead of hanging, until a check gets an answer again. 0 turns checks off.
  int proxyBackendHealthCheckIntervalMilliseconds = 1000;
  int proxyBackendHealthCheckTimeoutMilliseconds = 2000;
  // shardproxy's own: a statement of a transaction that has waited this long makes the proxy
  // look for a deadlock across servers (executor/deadlock_detector.h); 0 turns detection off.
  int proxyDeadlockDetectionMilliseconds = 500;
  // shardproxy's own: the HTTP listener for /livez, /readyz (and /metrics) that container
  // platforms probe; port 0: no listener (the default; --metrics-port overrides).
  int proxyMetricsPort = 0;
  std::string proxyMetricsHost = "0.0.0.0";
  // shardproxy's own: on SIGTERM readiness turns false at once; the listeners keep accepting for
  // `delay` seconds (so that a load balancer stops sending new clients first), then close, and
  // sessions get up to `grace` seconds to finish their statements and transactions before they
  // are closed.
  int proxyShutdownDelaySeconds = 0;
  int proxyShutdownGraceSeconds = 20;
  std::map<std::string, std::string> other;  // recognised but not acted on, kept for SHOW
};

// The period of a Quartz cron expression ("sec min hour day month weekday [year]") that fires at
// a fixed period: "0/N * * * * ?" every N seconds, "0 0/N * * * ?" every N minutes,
// "0 0 0/N * * ?" every N hours (`*/N` for `0/N` and `*` for 1 alike); nullopt for any other.
std::optional<int> cronPeriodSeconds(std::string_view cron);

struct Topology {
  Authority authority;
  std::string transactionDefaultType = "LOCAL";  // LOCAL | XA | BASE
  std::string transactionProviderType;
  std::map<std::string, std::string> transactionProps;
  std::string modeType = "Standalone";  // as written under `mode:`; only Standalone is acted on
  Props props;
  // Entries of each worker's statement cache (global.yaml sqlParser.sqlStatementCache
  // .maximumSize, ShardingSphere's default); 0 turns the cache off.
  size_t statementCacheSize = 65535;
  std::map<std::string, LogicalDatabase> databases;  // by logical name
  std::vector<std::string> warnings;                 // "file:line: key: message"

  const LogicalDatabase* findDatabase(const std::string& name) const;
};

// Loads and validates every file in `dir`. Throws ConfigError naming file, line and key; a
// Topology is only returned whole.
std::shared_ptr<const Topology> loadTopology(const std::string& dir);

// Human-readable summary printed by --check-config.
std::string describe(const Topology& t);

// Parses "jdbc:mysql://host:port/db?k=v&k2=v2" (also jdbc:mariadb:) into ds's host, port,
// database, urlParams, sslMode and sslCa (and username/password when the URL carries
// "user:pass@"). Throws
// ConfigError saying what is wrong with the URL; the loader prefixes file:line: key.
void parseJdbcUrl(const std::string& url, DataSource& ds);

// Whether `name` can go into a certificate's subjectAltName: an IPv4 or IPv6 address, or a DNS
// name (letters, digits and '-' in dot-separated labels; '*' as a whole leftmost label).
bool isCertificateHostName(const std::string& name);

}  // namespace shardproxy::config
