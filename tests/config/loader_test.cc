#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include <string>
#include <vector>

#include "config/config_dir.h"
#include "config/topology.h"

namespace shardproxy::config {
namespace {

using testing::ConfigDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

// Line numbers in the expectations below count from the first line of each raw string.

const char* kGlobal54 = R"(mode:
  type: Standalone
  repository:
    type: JDBC

authority:
  users:
    - user: root@%
      password: root
      admin: true
    - user: sharding
      password: sharding
    - user: reader@127.0.0.1
      password:
      authenticationMethodName: pwd
  privilege:
    type: DATABASE_PERMITTED
    props:
      user-database-mappings: root@%=sharding_db, root@%=test_db, sharding@%=sharding_db,
        reader@127.0.0.1=sharding_db
  authenticators:
    pwd:
      type: MySQLNativePassword
  defaultAuthenticator: pwd

transaction:
  defaultType: XA
  providerType: Atomikos
  props:
    maxTimeout: 300

sqlParser:
  sqlStatementCache:
    initialCapacity: 2000
    maximumSize: 4096
  parseTreeCache:
    initialCapacity: 128
    maximumSize: 1024

props:
  system-log-level: INFO
  max-connections-size-per-query: 2
  kernel-executor-size: 16
  proxy-frontend-flush-threshold: 256
  proxy-hint-enabled: false
  proxy-backend-query-fetch-size: -1
  proxy-frontend-executor-size: 4
  proxy-frontend-max-connections: -1
  proxy-default-port: 3308
  proxy-netty-backlog: 1024
  cdc-server-port: 33071
  proxy-frontend-database-protocol-type: MySQL
  sql-show: true
  sql-simple: yes
  check-table-metadata-enabled: false
  sql-federation-type: NONE
)";

const char* kShardingDb54 = R"(databaseName: sharding_db

dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:3306/demo_ds_0?serverTimezone=UTC&useSSL=false
    username: root
    password:
    connectionTimeoutMilliseconds: 30000
    idleTimeoutMilliseconds: 60000
    maxLifetimeMilliseconds: 1800000
    maxPoolSize: 50
    minPoolSize: 1
  ds_1:
    url: jdbc:mysql://192.168.0.12:3307/demo_ds_1?serverTimezone=UTC&useSSL=false
    username: shard
    password: "s3cret:#"
    connectionTimeoutMilliseconds: 1000
    idleTimeoutMilliseconds: 2000
    maxLifetimeMilliseconds: 3000
    maxPoolSize: 8
    minPoolSize: 2

rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_inline
      keyGenerateStrategy:
        column: order_id
        keyGeneratorName: snowflake
    t_order_item:
      actualDataNodes: ds_${0..1}.t_order_item_${0..1}
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: t_order_item_inline
      keyGenerateStrategy:
        column: order_item_id
        keyGeneratorName: snowflake
  bindingTables:
    - t_order,t_order_item
  defaultDatabaseStrategy:
    standard:
      shardingColumn: user_id
      shardingAlgorithmName: database_inline
  defaultTableStrategy:
    none:
  shardingAlgorithms:
    database_inline:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    t_order_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
    t_order_item_inline:
      type: INLINE
      props:
        algorithm-expression: t_order_item_${order_id % 2}
  keyGenerators:
    snowflake:
      type: SNOWFLAKE
- !BROADCAST
  tables:
    - t_address
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_1
)";

const char* kMinimalGlobal = R"(authority:
  users:
    - user: root@%
      password: root
      admin: true
)";

TEST(Loader, ShardingSphere54GlobalYaml) {
  ConfigDir dir;
  std::string global = dir.write("global.yaml", kGlobal54);
  auto t = dir.load();

  const Authority& a = t->authority;
  ASSERT_EQ(a.users.size(), 3u);
  EXPECT_EQ(a.users[0].name, "root");
  EXPECT_EQ(a.users[0].host, "%");
  EXPECT_EQ(a.users[0].password, "root");
  EXPECT_TRUE(a.users[0].admin);
  EXPECT_EQ(a.users[1].name, "sharding");
  EXPECT_EQ(a.users[1].host, "%");
  EXPECT_FALSE(a.users[1].admin);
  EXPECT_EQ(a.users[2].name, "reader");
  EXPECT_EQ(a.users[2].host, "127.0.0.1");
  EXPECT_EQ(a.users[2].password, "");
  EXPECT_EQ(a.users[2].authenticationMethodName, "pwd");
  EXPECT_EQ(a.privilege, PrivilegeType::kDatabasePermitted);
  ASSERT_EQ(a.userDatabases.size(), 3u);
  EXPECT_EQ(a.userDatabases.at("root@%"), (std::set<std::string>{"sharding_db", "test_db"}));
  EXPECT_EQ(a.userDatabases.at("sharding@%"), (std::set<std::string>{"sharding_db"}));
  EXPECT_EQ(a.userDatabases.at("reader@127.0.0.1"), (std::set<std::string>{"sharding_db"}));
  EXPECT_EQ(a.authenticators.at("pwd"), "MySQLNativePassword");
  EXPECT_EQ(a.defaultAuthenticator, "pwd");

  EXPECT_EQ(t->transactionDefaultType, "XA");
  EXPECT_EQ(t->transactionProviderType, "Atomikos");
  EXPECT_EQ(t->transactionProps.at("maxTimeout"), "300");
  EXPECT_EQ(t->modeType, "Standalone");

  const Props& p = t->props;
  EXPECT_EQ(p.proxyDefaultPort, 3308);
  EXPECT_TRUE(p.sqlShow);
  EXPECT_TRUE(p.sqlSimple);
  EXPECT_EQ(p.maxConnectionsSizePerQuery, 2);
  EXPECT_EQ(p.kernelExecutorSize, 16);
  EXPECT_EQ(p.proxyFrontendFlushThreshold, 256);
  EXPECT_EQ(p.proxyFrontendMaxConnections, 0);  // <= 0 means unlimited
  EXPECT_EQ(p.proxyFrontendExecutorSize, 4);
  EXPECT_EQ(p.other.at("system-log-level"), "INFO");
  EXPECT_EQ(p.other.at("proxy-backend-query-fetch-size"), "-1");
  EXPECT_EQ(p.other.at("proxy-hint-enabled"), "false");
  EXPECT_EQ(p.other.at("cdc-server-port"), "33071");
  EXPECT_EQ(p.other.size(), 8u);

  EXPECT_THAT(t->warnings,
              ElementsAre(global + ":36: sqlParser.parseTreeCache: not acted on by shardproxy, ignored"));
  EXPECT_EQ(t->statementCacheSize, 4096u);
  EXPECT_TRUE(t->databases.empty());

  const User* reader = a.findUser("reader", "127.0.0.1");
  ASSERT_NE(reader, nullptr);
  EXPECT_TRUE(a.mayAccess(*reader, "sharding_db"));
  EXPECT_FALSE(a.mayAccess(*reader, "test_db"));
  EXPECT_EQ(a.findUser("reader", "10.0.0.1"), nullptr);
  const User* sharding = a.findUser("sharding", "10.0.0.1");
  ASSERT_NE(sharding, nullptr);
  EXPECT_FALSE(a.mayAccess(*sharding, "test_db"));
  EXPECT_TRUE(a.mayAccess(*a.findUser("root", "10.0.0.1"), "any_db"));  // admin
}

TEST(Loader, ShardingSphere54DatabaseYaml) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  std::string file = dir.write("database-sharding.yaml", kShardingDb54);
  auto t = dir.load();
  EXPECT_TRUE(t->warnings.empty()) << t->warnings.front();

  const LogicalDatabase* db = t->findDatabase("sharding_db");
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->name, "sharding_db");
  EXPECT_EQ(db->file, file);
  ASSERT_EQ(db->dataSources.size(), 2u);

  const DataSource& ds0 = db->dataSources[0];
  EXPECT_EQ(ds0.name, "ds_0");
  EXPECT_EQ(ds0.host, "127.0.0.1");
  EXPECT_EQ(ds0.port, 3306);
  EXPECT_EQ(ds0.database, "demo_ds_0");
  EXPECT_EQ(ds0.urlParams.at("serverTimezone"), "UTC");
  EXPECT_EQ(ds0.username, "root");
  EXPECT_EQ(ds0.password, "");
  EXPECT_EQ(ds0.connectionTimeoutMs, 30000);
  EXPECT_EQ(ds0.idleTimeoutMs, 60000);
  EXPECT_EQ(ds0.maxLifetimeMs, 1800000);
  EXPECT_EQ(ds0.maxPoolSize, 50);
  EXPECT_EQ(ds0.minPoolSize, 1);

  const DataSource* ds1 = db->findDataSource("ds_1");
  ASSERT_NE(ds1, nullptr);
  EXPECT_EQ(ds1->host, "192.168.0.12");
  EXPECT_EQ(ds1->port, 3307);
  EXPECT_EQ(ds1->username, "shard");
  EXPECT_EQ(ds1->password, "s3cret:#");
  EXPECT_EQ(ds1->connectionTimeoutMs, 1000);
  EXPECT_EQ(ds1->idleTimeoutMs, 2000);
  EXPECT_EQ(ds1->maxLifetimeMs, 3000);
  EXPECT_EQ(ds1->maxPoolSize, 8);
  EXPECT_EQ(ds1->minPoolSize, 2);

  ASSERT_EQ(db->rules.size(), 3u);
  EXPECT_EQ(db->rules[0].kind, "SHARDING");
  EXPECT_EQ(db->rules[0].line, 24);
  EXPECT_EQ(db->rules[0].file, file);
  EXPECT_EQ(db->rules[1].kind, "BROADCAST");
  EXPECT_EQ(db->rules[1].line, 68);
  EXPECT_EQ(db->rules[2].kind, "SINGLE");
  EXPECT_EQ(db->rules[2].line, 71);

  EXPECT_EQ(db->singleDefaultDataSource, "ds_1");
  ASSERT_NE(db->defaultDataSource(), nullptr);
  EXPECT_EQ(db->defaultDataSource()->name, "ds_1");
}

TEST(Loader, RuleBodiesAreReemittedWithoutTheirTag) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-sharding.yaml", kShardingDb54);
  auto t = dir.load();
  const LogicalDatabase& db = t->databases.at("sharding_db");

  const std::string& sharding = db.rules[0].yaml;
  EXPECT_THAT(sharding, ::testing::Not(HasSubstr("!SHARDING")));
  YAML::Node body = YAML::Load(sharding);
  EXPECT_EQ(body["tables"]["t_order"]["actualDataNodes"].as<std::string>(),
            "ds_${0..1}.t_order_${0..1}");
  EXPECT_EQ(body["tables"]["t_order_item"]["keyGenerateStrategy"]["column"].as<std::string>(),
            "order_item_id");
  EXPECT_EQ(body["bindingTables"][0].as<std::string>(), "t_order,t_order_item");
  EXPECT_EQ(body["shardingAlgorithms"]["database_inline"]["props"]["algorithm-expression"]
                .as<std::string>(),
            "ds_${user_id % 2}");
  EXPECT_TRUE(body["defaultTableStrategy"]["none"].IsNull());
  EXPECT_EQ(body["keyGenerators"]["snowflake"]["type"].as<std::string>(), "SNOWFLAKE");

  YAML::Node broadcast = YAML::Load(db.rules[1].yaml);
  EXPECT_EQ(broadcast["tables"][0].as<std::string>(), "t_address");
  YAML::Node single = YAML::Load(db.rules[2].yaml);
  EXPECT_EQ(single["tables"][0].as<std::string>(), "*.*");
  EXPECT_EQ(single["defaultDataSource"].as<std::string>(), "ds_1");
}

TEST(Loader, LegacyServerAndConfigFiles) {
  ConfigDir dir;
  std::string server = dir.write("server.yaml", R"(rules:
  - !AUTHORITY
    users:
      - root@%:root
      - sharding@:sharding
    provider:
      type: ALL_PRIVILEGES_PERMITTED
  - !TRANSACTION
    defaultType: BASE
    providerType: Seata
  - !SQL_PARSER
    sqlCommentParseEnabled: true

props:
  max-connections-size-per-query: 1
  proxy-opentracing-enabled: false
)");
  std::string config = dir.write("config-sharding.yaml", R"(schemaName: sharding_db

dataSources:
  ds_0:
    jdbcUrl: jdbc:mysql://127.0.0.1:3306/demo_ds_0?serverTimezone=UTC&useSSL=false
    username: root
    password:
    connectionTimeout: 1000
    idleTimeout: 2000
    maxLifetime: 3000
    maximumPoolSize: 10
    minimumIdle: 2

rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_0.t_order_${0..1}
  broadcastTables:
    - t_config
)");
  std::string readwrite = dir.write("config-readwrite.yaml", R"(schemaName: rw_db
dataSources:
  primary_ds:
    url: jdbc:mysql://10.0.0.1/rw
  replica_ds:
    url: jdbc:mysql://10.0.0.2/rw
rules:
- !READWRITE_SPLITTING
  dataSources:
    pr_ds:
      staticStrategy:
        writeDataSourceName: primary_ds
        readDataSourceNames: [replica_ds]
)");
  auto t = dir.load();

  ASSERT_EQ(t->authority.users.size(), 2u);
  EXPECT_EQ(t->authority.users[0].name, "root");
  EXPECT_EQ(t->authority.users[0].host, "%");
  EXPECT_EQ(t->authority.users[0].password, "root");
  EXPECT_EQ(t->authority.users[1].name, "sharding");
  EXPECT_EQ(t->authority.users[1].host, "%");
  EXPECT_EQ(t->authority.users[1].password, "sharding");
  EXPECT_EQ(t->authority.privilege, PrivilegeType::kAllPermitted);
  EXPECT_EQ(t->transactionDefaultType, "BASE");
  EXPECT_EQ(t->transactionProviderType, "Seata");
  EXPECT_EQ(t->props.other.at("proxy-opentracing-enabled"), "false");
  EXPECT_THAT(t->warnings,
              ElementsAre(server + ":12: !SQL_PARSER.sqlCommentParseEnabled: not acted on by "
                                   "shardproxy, ignored",
                          readwrite + ":8: !READWRITE_SPLITTING: read/write splitting is not "
                                      "implemented yet: reads and writes alike go to each "
                                      "group's write data source"));
  EXPECT_EQ(t->statementCacheSize, 65535u);  // ShardingSphere's default

  const LogicalDatabase& db = t->databases.at("sharding_db");
  EXPECT_EQ(db.file, config);
  ASSERT_EQ(db.dataSources.size(), 1u);
  const DataSource& ds = db.dataSources[0];
  EXPECT_EQ(ds.database, "demo_ds_0");
  EXPECT_EQ(ds.connectionTimeoutMs, 1000);
  EXPECT_EQ(ds.idleTimeoutMs, 2000);
  EXPECT_EQ(ds.maxLifetimeMs, 3000);
  EXPECT_EQ(ds.maxPoolSize, 10);
  EXPECT_EQ(ds.minPoolSize, 2);
  ASSERT_EQ(db.rules.size(), 1u);
  EXPECT_EQ(db.rules[0].line, 15);
  EXPECT_EQ(db.defaultDataSource(), &db.dataSources[0]);

  const LogicalDatabase& rw = t->databases.at("rw_db");
  EXPECT_EQ(rw.logicalDataSources.at("pr_ds"), "primary_ds");
}

TEST(Loader, ShardingSphere53ServerYamlWithStructuredUsers) {
  ConfigDir dir;
  dir.write("server.yaml", R"(rules:
  - !AUTHORITY
    users:
      - user: root@%
        password: root
      - user: app@10.0.%
        password: app
    privilege:
      type: DATABASE_PERMITTED
      props:
        user-database-mappings: app@10.0.%=shop
  - !TRANSACTION
    defaultType: XA
    providerType: Narayana
)");
  auto t = dir.load();
  ASSERT_EQ(t->authority.users.size(), 2u);
  EXPECT_EQ(t->authority.privilege, PrivilegeType::kDatabasePermitted);
  EXPECT_EQ(t->authority.userDatabases.at("app@10.0.%"), std::set<std::string>{"shop"});
  EXPECT_EQ(t->transactionDefaultType, "XA");
  const User* app = t->authority.findUser("app", "10.0.9.9");
  ASSERT_NE(app, nullptr);
  EXPECT_TRUE(t->authority.mayAccess(*app, "shop"));
  EXPECT_FALSE(t->authority.mayAccess(*app, "other"));
}

TEST(Loader, EmptyGlobalYamlGivesShardingSphereDefaults) {
  ConfigDir dir;
  std::string global = dir.write("global.yaml", "# everything commented out\n");
  auto t = dir.load();
  ASSERT_EQ(t->authority.users.size(), 1u);
  EXPECT_EQ(t->authority.users[0].name, "root");
  EXPECT_EQ(t->authority.users[0].host, "%");
  EXPECT_EQ(t->authority.users[0].password, "root");
  EXPECT_TRUE(t->authority.users[0].admin);
  EXPECT_EQ(t->authority.privilege, PrivilegeType::kAllPermitted);
  EXPECT_EQ(t->transactionDefaultType, "LOCAL");
  EXPECT_EQ(t->props.proxyDefaultPort, 3307);
  EXPECT_EQ(t->props.maxConnectionsSizePerQuery, 1);
  EXPECT_EQ(t->props.proxyFrontendFlushThreshold, 128);
  // What a client that has not logged in may cost (connection_control's defaults for the delay).
  EXPECT_EQ(t->props.proxyFrontendMaxHandshakePacketSize, 16384);
  EXPECT_EQ(t->props.proxyFrontendLoginFailuresBeforeDelay, 3);
  EXPECT_EQ(t->props.proxyFrontendLoginMinDelayMilliseconds, 1000);
  EXPECT_EQ(t->props.proxyFrontendLoginMaxDelayMilliseconds, 10000);
  EXPECT_EQ(t->props.proxyFrontendLoginFailuresBeforeBlock, 10);
  EXPECT_EQ(t->props.proxyFrontendLoginBlockSeconds, 600);
  EXPECT_EQ(t->props.proxyFrontendLoginTrackedAccounts, 10000);
  EXPECT_THAT(t->warnings,
              ElementsAre(global + ":1: authority: not configured; using ShardingSphere's default "
                                   "admin user root@% with password root"));
  // What a client that has not logged in may cost (connection_control's defaults for the delay).
  EXPECT_EQ(t->props.proxyFrontendMaxHandshakePacketSize, 16384);
  EXPECT_EQ(t->props.proxyFrontendLoginFailuresBeforeDelay, 3);
  EXPECT_EQ(t->props.proxyFrontendLoginMinDelayMilliseconds, 1000);
  EXPECT_EQ(t->props.proxyFrontendLoginMaxDelayMilliseconds, 10000);
  EXPECT_EQ(t->props.proxyFrontendLoginFailuresBeforeBlock, 10);
  EXPECT_EQ(t->props.proxyFrontendLoginBlockSeconds, 600);
  EXPECT_EQ(t->props.proxyFrontendLoginTrackedAccounts, 10000);
}

TEST(Loader, LoginProps) {
  ConfigDir dir;
  dir.write("global.yaml", R"(props:
  proxy-frontend-max-handshake-packet-size: 4096
  proxy-frontend-login-failures-before-delay: 0
  proxy-frontend-login-min-delay-milliseconds: 250
  proxy-frontend-login-max-delay-milliseconds: 250
  proxy-frontend-login-failures-before-block: 20
  proxy-frontend-login-block-seconds: 60
  proxy-frontend-login-tracked-accounts: 500
)");
  auto t = dir.load();
  const Props& p = t->props;
  EXPECT_EQ(p.proxyFrontendMaxHandshakePacketSize, 4096);
  EXPECT_EQ(p.proxyFrontendLoginFailuresBeforeDelay, 0);
  EXPECT_EQ(p.proxyFrontendLoginMinDelayMilliseconds, 250);
  EXPECT_EQ(p.proxyFrontendLoginMaxDelayMilliseconds, 250);
  EXPECT_EQ(p.proxyFrontendLoginFailuresBeforeBlock, 20);
  EXPECT_EQ(p.proxyFrontendLoginBlockSeconds, 60);
  EXPECT_EQ(p.proxyFrontendLoginTrackedAccounts, 500);
  EXPECT_THAT(describe(*t), HasSubstr("proxy-frontend-login-failures-before-delay: 0 (no delay)"));
}

TEST(Loader, BackendHealthCheckProps) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  auto defaults = dir.load();
  // Defaults that find a frozen backend within a few seconds.
  EXPECT_EQ(defaults->props.proxyBackendHealthCheckIntervalMilliseconds, 1000);
  EXPECT_EQ(defaults->props.proxyBackendHealthCheckTimeoutMilliseconds, 2000);

  dir.write("global.yaml", R"(props:
  proxy-backend-health-check-interval-milliseconds: 0
  proxy-backend-health-check-timeout-milliseconds: 500
)");
  auto t = dir.load();
  EXPECT_EQ(t->props.proxyBackendHealthCheckIntervalMilliseconds, 0);
  EXPECT_EQ(t->props.proxyBackendHealthCheckTimeoutMilliseconds, 500);
  for (const std::string& w : t->warnings) EXPECT_THAT(w, Not(HasSubstr("proxy-backend"))) << w;
  EXPECT_THAT(describe(*t),
              HasSubstr("proxy-backend-health-check-interval-milliseconds: 0 (no checks)"));
}

TEST(Loader, ClientTimeoutProps) {
  ConfigDir defaults;
  defaults.write("global.yaml", "props:\n  sql-show: false\n");
  auto loaded = defaults.load();
  const Props& d = loaded->props;
  // MySQL's defaults for wait_timeout, interactive_timeout, net_read_timeout, net_write_timeout.
  EXPECT_EQ(d.proxyFrontendWaitTimeoutSeconds, 28800);
  EXPECT_EQ(d.proxyFrontendInteractiveTimeoutSeconds, 28800);
  EXPECT_EQ(d.proxyFrontendNetReadTimeoutSeconds, 30);
  EXPECT_EQ(d.proxyFrontendNetWriteTimeoutSeconds, 60);
  ConfigDir dir;
  dir.write("global.yaml", R"(props:
  proxy-frontend-wait-timeout-seconds: 600
  proxy-frontend-interactive-timeout-seconds: 60
  proxy-frontend-net-read-timeout-seconds: 5
  proxy-frontend-net-write-timeout-seconds: 7
)");
  auto t = dir.load();
  EXPECT_EQ(t->props.proxyFrontendWaitTimeoutSeconds, 600);
  EXPECT_EQ(t->props.proxyFrontendInteractiveTimeoutSeconds, 60);
  EXPECT_EQ(t->props.proxyFrontendNetReadTimeoutSeconds, 5);
  EXPECT_EQ(t->props.proxyFrontendNetWriteTimeoutSeconds, 7);
  EXPECT_THAT(describe(*t), HasSubstr("proxy-frontend-net-write-timeout-seconds: 7"));
  ConfigDir zero;
  zero.write("global.yaml", "props:\n  proxy-frontend-wait-timeout-seconds: 0\n");
  EXPECT_THROW(zero.load(), ConfigError);
}

TEST(Loader, MemoryProps) {
  {
    ConfigDir dir;
    dir.write("global.yaml", "props:\n  sql-show: false\n");
    auto loaded = dir.load();
    const Props& p = loaded->props;
    EXPECT_EQ(p.proxyMergeMaxMemoryBytes, uint64_t{256} << 20);
    EXPECT_EQ(p.proxyMemoryLimit, 0u);  // unlimited
  }
  for (auto [text, bytes] : std::vector<std::pair<std::string, uint64_t>>{{"1048576", 1048576},
                                                                          {"64k", 64 << 10},
                                                                          {"16M", 16 << 20},
                                                                          {"2G", uint64_t{2} << 30},
                                                                          {"0", 0}}) {
    ConfigDir dir;
    dir.write("global.yaml", "props:\n  proxy-merge-max-memory-bytes: " + text +
                                 "\n  proxy-memory-limit: " + text + "\n");
    auto t = dir.load();
    EXPECT_EQ(t->props.proxyMergeMaxMemoryBytes, bytes) << text;
    EXPECT_EQ(t->props.proxyMemoryLimit, bytes) << text;
    EXPECT_THAT(describe(*t), HasSubstr("proxy-memory-limit: " + std::to_string(bytes)));
  }
}

TEST(Loader, EmptyAuthorityUsersMeansNobodyAndNoDefaultUser) {
  ConfigDir dir;
  dir.write("global.yaml", "authority:\n  users: []\n");
  auto t = dir.load();
  EXPECT_TRUE(t->authority.users.empty());
  EXPECT_TRUE(t->warnings.empty());
}

TEST(Loader, DatabaseWithoutDataSourcesIsEmptyDatabase) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-empty.yaml", "databaseName: empty_db\n");
  auto t = dir.load();
  const LogicalDatabase* db = t->findDatabase("empty_db");
  ASSERT_NE(db, nullptr);
  EXPECT_TRUE(db->dataSources.empty());
  EXPECT_EQ(db->defaultDataSource(), nullptr);
  EXPECT_THAT(describe(*t), HasSubstr("  empty_db ("));
}

TEST(Loader, FileWithNothingInItIsSkipped) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  std::string file = dir.write("database-blank.yaml", "# to be filled in\n");
  std::string file2 = dir.write("database-blank2.yaml", "dataSources:\nrules:\n");
  auto t = dir.load();
  EXPECT_TRUE(t->databases.empty());
  EXPECT_THAT(t->warnings,
              ElementsAre(file + ":1: database-blank.yaml: no databaseName, dataSources or rules; "
                                 "skipped",
                          file2 + ":1: database-blank2.yaml: no databaseName, dataSources or "
                                  "rules; skipped"));
}

TEST(Loader, OtherFilesAreIgnoredAndYmlIsWarnedAbout) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("logback.xml", "<configuration/>");
  dir.write("database-.yaml", "databaseName: not_read\n");  // the pattern needs a name
  std::string yml = dir.write("database-x.yml", "databaseName: x\n");
  auto t = dir.load();
  EXPECT_TRUE(t->databases.empty());
  EXPECT_THAT(t->warnings, ElementsAre(yml + ":1: database-x.yml: ignored; like ShardingSphere, "
                                             "only *.yaml files are read"));
}

TEST(Loader, WarnsAboutUnknownAndIgnoredKeys) {
  ConfigDir dir;
  std::string global = dir.write("global.yaml", R"(authority:
  users:
    - user: root@%
      password: root
      role: dba
props:
  sql-show: false
  no-such-prop: 1
colour: blue
logging:
  loggers: []
mode:
  type: Cluster
  repository:
    type: ZooKeeper
)");
  std::string db = dir.write("database-x.yaml", R"(databaseName: db
dataSources:
  ds_0:
    dataSourceClassName: com.zaxxer.hikari.HikariDataSource
    url: jdbc:mysql://h/db
    flavour: vanilla
    url: jdbc:mysql://h2/db
shardingRule: {}
)");
  auto t = dir.load();
  EXPECT_THAT(
      t->warnings,
      ElementsAre(
          global + ":5: authority.users[0].role: unknown key, ignored",
          global + ":8: props.no-such-prop: unknown key, ignored",
          global + ":9: colour: unknown key, ignored",
          global + ":10: logging: not acted on by shardproxy, ignored",
          global + ":13: mode.type: mode 'Cluster' is not supported yet; running standalone",
          db + ":7: dataSources.ds_0.url: duplicate key (first at line 5), the last one wins",
          db + ":4: dataSources.ds_0.dataSourceClassName: Java-only setting, ignored",
          db + ":6: dataSources.ds_0.flavour: unknown key, ignored",
          db + ":8: shardingRule: unknown key, ignored"));
  EXPECT_EQ(t->props.other.count("no-such-prop"), 0u);
  EXPECT_EQ(t->modeType, "Cluster");
  const LogicalDatabase& d = t->databases.at("db");
  EXPECT_EQ(d.dataSources[0].host, "h2");  // the last duplicate wins, as with SnakeYAML
}

// !DB_DISCOVERY groups are read so that other rules may name them; the rule itself is not acted
// on, which the warning says.
TEST(Loader, DiscoveryGroupsAreReadWithAWarning) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  std::string file = dir.write("database-ha.yaml", R"(databaseName: ha_db
dataSources:
  ds_0:
    url: jdbc:mysql://10.0.0.1/ha
  ds_1:
    url: jdbc:mysql://10.0.0.2/ha
rules:
- !DB_DISCOVERY
  dataSources:
    replica_group:
      dataSourceNames: [ds_0, ds_1]
      discoveryHeartbeatName: mgr_heartbeat
      discoveryTypeName: mgr
  discoveryHeartbeats:
    mgr_heartbeat:
      props:
        keep-alive-cron: '0/5 * * * * ?'
  discoveryTypes:
    mgr:
      type: MySQL.MGR
)");
  auto t = dir.load();
  EXPECT_THAT(t->warnings,
              ElementsAre(file + ":8: !DB_DISCOVERY: database discovery is not implemented yet: "
                                 "no primary is elected, so statements routed to its groups "
                                 "fail"));
  const LogicalDatabase& db = t->databases.at("ha_db");
  EXPECT_EQ(db.logicalDataSources.at("replica_group"), "");
  ASSERT_EQ(db.rules.size(), 1u);
  EXPECT_EQ(db.rules[0].kind, "DB_DISCOVERY");
}

TEST(Loader, WarnsAboutUnknownAuthenticatorNames) {
  ConfigDir dir;
  std::string global = dir.write("global.yaml", R"(authority:
  users:
    - user: root@%
      password: root
      authenticationMethodName: ldap
  defaultAuthenticator: missing
)");
  auto t = dir.load();
  EXPECT_THAT(t->warnings,
              ElementsAre(global + ":6: authority.defaultAuthenticator: no authenticator named "
                                   "'missing'; the default is used",
                          global + ":3: authority.users[0].authenticationMethodName: no "
                                   "authenticator named 'ldap'; the default is used"));
}

TEST(Loader, MergeKeysAreResolved) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-m.yaml", R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h0/db
    <<: &pool
      username: app
      maxPoolSize: 20
      minPoolSize: 5
  ds_1:
    <<: *pool
    url: jdbc:mysql://h1/db
    maxPoolSize: 30
)");
  auto t = dir.load();
  EXPECT_TRUE(t->warnings.empty());
  const LogicalDatabase& db = t->databases.at("db");
  ASSERT_EQ(db.dataSources.size(), 2u);
  EXPECT_EQ(db.dataSources[0].username, "app");
  EXPECT_EQ(db.dataSources[0].maxPoolSize, 20);
  EXPECT_EQ(db.dataSources[0].minPoolSize, 5);
  EXPECT_EQ(db.dataSources[1].host, "h1");
  EXPECT_EQ(db.dataSources[1].username, "app");
  EXPECT_EQ(db.dataSources[1].maxPoolSize, 30);
  EXPECT_EQ(db.dataSources[1].minPoolSize, 5);
}

TEST(Loader, CredentialsFromUrlParamsUnlessGivenAsKeys) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-c.yaml", R"(databaseName: db
dataSources:
  from_url:
    url: jdbc:mysql://h/db?user=u&password=p
  keys_win:
    url: jdbc:mysql://h/db?user=u&password=p
    username: k
    password: ""
)");
  auto t = dir.load();
  const LogicalDatabase& db = t->databases.at("db");
  EXPECT_EQ(db.findDataSource("from_url")->username, "u");
  EXPECT_EQ(db.findDataSource("from_url")->password, "p");
  EXPECT_EQ(db.findDataSource("keys_win")->username, "k");
  EXPECT_EQ(db.findDataSource("keys_win")->password, "");
}

TEST(Loader, SingleDefaultMayNameReadwriteGroup) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-rw.yaml", R"(databaseName: rw_db
dataSources:
  write_ds:
    url: jdbc:mysql://10.0.0.1/rw
  read_ds:
    url: jdbc:mysql://10.0.0.2/rw
rules:
- !SINGLE
  tables: ["*.*"]
  defaultDataSource: readwrite_ds
- !READWRITE_SPLITTING
  dataSources:
    readwrite_ds:
      writeDataSourceName: write_ds
      readDataSourceNames: [read_ds]
)");
  auto t = dir.load();
  const LogicalDatabase& db = t->databases.at("rw_db");
  EXPECT_EQ(db.singleDefaultDataSource, "readwrite_ds");
  EXPECT_EQ(db.logicalDataSources.at("readwrite_ds"), "write_ds");
  EXPECT_EQ(db.defaultDataSource()->name, "write_ds");
}

TEST(Loader, DatabasesFromSeveralFiles) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  dir.write("database-a.yaml",
            "databaseName: a_db\ndataSources:\n  ds:\n    url: jdbc:mysql://a/x\n");
  dir.write("config-b.yaml", "schemaName: b_db\ndataSources:\n  ds:\n    url: jdbc:mysql://b/x\n");
  auto t = dir.load();
  ASSERT_EQ(t->databases.size(), 2u);
  EXPECT_EQ(t->findDatabase("a_db")->dataSources[0].host, "a");
  EXPECT_EQ(t->findDatabase("b_db")->dataSources[0].host, "b");
}

TEST(Loader, DirectoryPathWithTrailingSlash) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  auto t = loadTopology(dir.path() + "/");
  EXPECT_EQ(t->authority.users.size(), 1u);
}

// --- errors: every message is "file:line: key: what is wrong" ---------------------------------

TEST(LoaderError, DirectoryMissing) {
  std::string missing = ConfigDir().path();  // removed again when the temporary dies
  try {
    loadTopology(missing);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), missing + ": configuration directory not found");
  }
}

TEST(LoaderError, NotADirectory) {
  ConfigDir dir;
  std::string file = dir.write("global.yaml", "");
  try {
    loadTopology(file);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), file + ": not a directory");
  }
}

TEST(LoaderError, NoGlobalYaml) {
  ConfigDir dir;
  dir.write("database-x.yaml", "databaseName: x\n");
  EXPECT_EQ(dir.error(), dir.file("global.yaml") +
                             ": not found (nor its legacy name server.yaml); it is required, even "
                             "empty");
}

TEST(LoaderError, BothGlobalAndServerYaml) {
  ConfigDir dir;
  dir.write("global.yaml", "");
  dir.write("server.yaml", "");
  EXPECT_EQ(dir.error(), dir.file("server.yaml") +
                             ":1: server.yaml: both global.yaml and its legacy name server.yaml "
                             "exist; keep only global.yaml");
}

// Writes a minimal global.yaml and `content` as database-x.yaml; returns the load error.
struct DatabaseCase {
  ConfigDir dir;
  std::string file;
  explicit DatabaseCase(const std::string& content) {
    dir.write("global.yaml", kMinimalGlobal);
    file = dir.write("database-x.yaml", content);
  }
  std::string error() const { return dir.error(); }
};

// Writes `content` as global.yaml; returns the load error.
struct GlobalCase {
  ConfigDir dir;
  std::string file;
  explicit GlobalCase(const std::string& content) { file = dir.write("global.yaml", content); }
  std::string error() const { return dir.error(); }
};

TEST(LoaderError, YamlSyntaxError) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    username: root: x
)");
  EXPECT_EQ(c.error(), c.file + ":5: yaml: illegal map value (column 19)");

  GlobalCase g("authority:\n\t- tab\n");
  EXPECT_EQ(g.error(), g.file + ":2: yaml: illegal block entry (column 2)");
}

TEST(LoaderError, TopLevelMustBeMapping) {
  DatabaseCase c("- a\n- b\n");
  EXPECT_EQ(c.error(), c.file + ":1: document: expected a mapping at the top level");
  GlobalCase g("just text\n");
  EXPECT_EQ(g.error(), g.file + ":1: document: expected a mapping at the top level");
}

TEST(LoaderError, BadJdbcUrl) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:postgresql://h/db
)");
  EXPECT_EQ(c.error(), c.file +
                           ":4: dataSources.ds_0.url: invalid JDBC URL 'jdbc:postgresql://h/db': "
                           "only MySQL and MariaDB backends are supported (jdbc:mysql:// or "
                           "jdbc:mariadb://)");

  DatabaseCase legacy(R"(databaseName: db
dataSources:
  ds_0:
    username: root
    jdbcUrl: jdbc:mysql://h:99999/db
)");
  EXPECT_EQ(legacy.error(),
            legacy.file +
                ":5: dataSources.ds_0.jdbcUrl: invalid JDBC URL 'jdbc:mysql://h:99999/db'"
                ": port '99999' is not a number between 1 and 65535");
}

TEST(LoaderError, MissingUrl) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    username: root
)");
  EXPECT_EQ(c.error(), c.file + ":3: dataSources.ds_0.url: missing");

  DatabaseCase empty(R"(databaseName: db
dataSources:
  ds_0:
    url:
)");
  EXPECT_EQ(empty.error(), empty.file + ":4: dataSources.ds_0.url: must not be empty");
}

TEST(LoaderError, UrlGivenTwice) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    jdbcUrl: jdbc:mysql://h/db
)");
  EXPECT_EQ(c.error(), c.file + ":5: dataSources.ds_0.jdbcUrl: the URL is already given at line 4");
}

TEST(LoaderError, DataSourceMustBeMapping) {
  DatabaseCase c("databaseName: db\ndataSources:\n  ds_0: jdbc:mysql://h/db\n");
  EXPECT_EQ(c.error(),
            c.file + ":3: dataSources.ds_0: expected a mapping with url, username, password, ...");
  DatabaseCase list("databaseName: db\ndataSources:\n  - ds_0\n");
  EXPECT_EQ(list.error(), list.file + ":2: dataSources: expected a mapping");
}

TEST(LoaderError, NonIntegerPoolSize) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    maxPoolSize: fifty
)");
  EXPECT_EQ(c.error(),
            c.file + ":5: dataSources.ds_0.maxPoolSize: expected an integer, got 'fifty'");

  DatabaseCase fraction(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    minPoolSize: 1.5
)");
  EXPECT_EQ(fraction.error(),
            fraction.file + ":5: dataSources.ds_0.minPoolSize: expected an integer, got '1.5'");

  DatabaseCase huge(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    maxLifetimeMilliseconds: 99999999999999999999
)");
  EXPECT_EQ(huge.error(), huge.file +
                              ":5: dataSources.ds_0.maxLifetimeMilliseconds: "
                              "'99999999999999999999' is out of range");

  DatabaseCase list(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    maxPoolSize: [1, 2]
)");
  EXPECT_EQ(list.error(), list.file +
                              ":5: dataSources.ds_0.maxPoolSize: expected a single value, "
                              "not a list or mapping");
}

TEST(LoaderError, QuotedIntegersAreAccepted) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    maxPoolSize: "12"
)");
  EXPECT_EQ(c.error(), "");
}

TEST(LoaderError, MaxPoolSizeBelowMinPoolSize) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    minPoolSize: 10
    maxPoolSize: 5
)");
  EXPECT_EQ(c.error(), c.file + ":6: dataSources.ds_0.maxPoolSize: 5 is less than minPoolSize 10");

  // Without maxPoolSize the default (50) applies and the data source's line is reported.
  DatabaseCase implicit(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
    minPoolSize: 100
)");
  EXPECT_EQ(implicit.error(),
            implicit.file + ":3: dataSources.ds_0.maxPoolSize: 50 is less than minPoolSize 100");
}

TEST(LoaderError, NegativeValues) {
  struct Case {
    const char* line;
    const char* message;
  };
  const Case cases[] = {
      {"idleTimeoutMilliseconds: -1", "idleTimeoutMilliseconds: must be at least 0, got -1"},
      {"connectionTimeoutMilliseconds: -5",
       "connectionTimeoutMilliseconds: must be at least 0, got -5"},
      {"maxLifetimeMilliseconds: -1", "maxLifetimeMilliseconds: must be at least 0, got -1"},
      {"minPoolSize: -1", "minPoolSize: must be at least 0, got -1"},
      {"maxPoolSize: 0", "maxPoolSize: must be at least 1, got 0"},
      {"maxPoolSize: -3", "maxPoolSize: must be at least 1, got -3"},
  };
  for (const Case& k : cases) {
    SCOPED_TRACE(k.line);
    DatabaseCase c(std::string("databaseName: db\ndataSources:\n  ds_0:\n    url: "
                               "jdbc:mysql://h/db\n    ") +
                   k.line + "\n");
    EXPECT_EQ(c.error(), c.file + ":5: dataSources.ds_0." + k.message);
  }
}

TEST(LoaderError, MissingDatabaseName) {
  DatabaseCase c(R"(# sharding
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
)");
  EXPECT_EQ(c.error(), c.file + ":2: databaseName: missing");

  DatabaseCase empty("databaseName: ''\n");
  EXPECT_EQ(empty.error(), empty.file + ":1: databaseName: must not be empty");

  DatabaseCase both("databaseName: a\nschemaName: a\n");
  EXPECT_EQ(both.error(), both.file + ":2: schemaName: the database is already named at line 1");
}

TEST(LoaderError, DuplicateDatabaseNameAcrossFiles) {
  ConfigDir dir;
  dir.write("global.yaml", kMinimalGlobal);
  std::string first = dir.write("config-a.yaml", "schemaName: db\n");
  std::string second = dir.write("database-b.yaml", "# again\ndatabaseName: db\n");
  EXPECT_EQ(dir.error(), second + ":2: databaseName: database 'db' is already defined in " + first);
}

TEST(LoaderError, RulesMustBeTaggedAndUnique) {
  DatabaseCase untagged(R"(databaseName: db
rules:
- tables:
    t_order: {}
)");
  EXPECT_EQ(untagged.error(),
            untagged.file + ":3: rules[0]: expected a tagged rule such as !SHARDING");

  DatabaseCase twice(R"(databaseName: db
rules:
- !BROADCAST
  tables: [a]
- !BROADCAST
  tables: [b]
)");
  EXPECT_EQ(twice.error(), twice.file + ":5: !BROADCAST: duplicate rule (first at line 3)");

  DatabaseCase notList("databaseName: db\nrules:\n  sharding: {}\n");
  EXPECT_EQ(notList.error(),
            notList.file + ":2: rules: expected a list of rules such as !SHARDING");
}

TEST(LoaderError, SingleDefaultDataSourceMustExist) {
  DatabaseCase c(R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
rules:
- !SINGLE
  tables:
    - "*.*"
  defaultDataSource: ds_9
)");
  EXPECT_EQ(c.error(), c.file + ":9: !SINGLE.defaultDataSource: unknown data source 'ds_9'");
}

TEST(LoaderError, ClassBasedAlgorithmsAreJavaOnly) {
  // (!SHARDING's algorithms are router/'s to check: tests/router/sharding_rule_test.cc.)
  DatabaseCase c(R"(databaseName: db
dataSources:
  write_ds:
    url: jdbc:mysql://h/db
  read_ds:
    url: jdbc:mysql://h2/db
rules:
- !READWRITE_SPLITTING
  dataSources:
    readwrite_ds:
      writeDataSourceName: write_ds
      readDataSourceNames: [read_ds]
      loadBalancerName: custom
  loadBalancers:
    custom:
      type: CLASS_BASED
      props:
        algorithmClassName: com.example.MyBalancer
)");
  EXPECT_EQ(c.error(), c.file +
                           ":16: !READWRITE_SPLITTING.loadBalancers.custom.type: CLASS_BASED "
                           "algorithms are Java classes, which shardproxy cannot load; use a "
                           "built-in algorithm type");
}

// A rule the proxy does not act on is refused, naming file, line and rule: running as if it were
// not there would store plain text for !ENCRYPT, return unmasked values for !MASK, and so on.
TEST(LoaderError, RulesNotActedOnAreRefused) {
  const std::string head = R"(databaseName: db
dataSources:
  ds_0:
    url: jdbc:mysql://h/db
rules:
- !SINGLE
  tables: ["*.*"]
)";
  struct Case {
    std::string rule;
    std::string message;
  };
  const std::string encrypt =
      "encryption is not implemented by shardproxy yet: the columns it names would be stored "
      "and returned in plain text; remove the rule to run without encryption";
  const Case cases[] = {
      {R"(- !ENCRYPT
  tables:
    t_user:
      columns:
        pwd:
          cipher:
            name: pwd_cipher
            encryptorName: aes
  encryptors:
    aes:
      type: AES
      props:
        aes-key-value: 123456abc
)",
       encrypt},
      {"- !COMPATIBLE_ENCRYPT\n  tables: {}\n", encrypt},
      {"- !ENCRYPT\n", encrypt},
      {R"(- !MASK
  tables:
    t_user:
      columns:
        phone:
          maskAlgorithm: keep_first_n_last_m
)",
       "data masking is not implemented by shardproxy yet: queries would return the values "
       "unmasked; remove the rule to run without masking"},
      {R"(- !SHADOW
  dataSources:
    shadow_group:
      productionDataSourceName: ds_0
      shadowDataSourceName: ds_0
)",
       "shadow databases are not implemented by shardproxy yet: statements meant for the shadow "
       "data sources would run on the production ones; remove the rule to run without them"},
      {"- !FANCY_NEW_RULE\n  x: 1\n",
       "unknown rule: shardproxy acts on !SHARDING, !BROADCAST and !SINGLE and reads the groups "
       "of !READWRITE_SPLITTING and !DB_DISCOVERY; it does not start with a rule it would "
       "ignore"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.rule);
    DatabaseCase d(head + c.rule);
    std::string kind = c.rule.substr(2, c.rule.find_first_of(" \n", 2) - 2);
    EXPECT_EQ(d.error(), d.file + ":8: " + kind + ": " + c.message);
  }
}

TEST(LoaderError, UnknownPrivilegeType) {
  GlobalCase g(R"(authority:
  users:
    - user: root@%
      password: root
  privilege:
    type: NATIVE
)");
  EXPECT_EQ(g.error(), g.file +
                           ":6: authority.privilege.type: unknown privilege type 'NATIVE' "
                           "(expected ALL_PERMITTED or DATABASE_PERMITTED)");
}

TEST(LoaderError, MappingNamesUnknownUser) {
  GlobalCase g(R"(authority:
  users:
    - user: root@%
      password: root
  privilege:
    type: DATABASE_PERMITTED
    props:
      user-database-mappings: root@%=db1, ghost@%=db1
)");
  EXPECT_EQ(g.error(), g.file +
                           ":8: authority.privilege.props.user-database-mappings: "
                           "'ghost@%' is not a configured user");

  // The host is part of the user: root@127.0.0.1 is not root@%.
  GlobalCase host(R"(authority:
  users:
    - user: root@%
  privilege:
    type: DATABASE_PERMITTED
    props:
      user-database-mappings: root@127.0.0.1=db1
)");
  EXPECT_EQ(host.error(), host.file +
                              ":7: authority.privilege.props.user-database-mappings: "
                              "'root@127.0.0.1' is not a configured user");

  GlobalCase malformed(R"(authority:
  users:
    - user: root@%
  privilege:
    type: DATABASE_PERMITTED
    props:
      user-database-mappings: root@%
)");
  EXPECT_EQ(malformed.error(), malformed.file +
                                   ":7: authority.privilege.props."
                                   "user-database-mappings: 'root@%' should be "
                                   "user@host=database");
}

TEST(LoaderError, UserProblems) {
  GlobalCase twice(R"(authority:
  users:
    - user: root@%
      password: a
    - user: root
      password: b
)");
  EXPECT_EQ(twice.error(), twice.file + ":5: authority.users[1]: user 'root@%' is defined twice");

  GlobalCase noName(R"(authority:
  users:
    - password: a
)");
  EXPECT_EQ(noName.error(), noName.file + ":3: authority.users[0].user: missing");

  GlobalCase badAdmin(R"(authority:
  users:
    - user: root
      admin: sometimes
)");
  EXPECT_EQ(
      badAdmin.error(),
      badAdmin.file + ":4: authority.users[0].admin: expected true or false, got 'sometimes'");

  GlobalCase notList("authority:\n  users: root\n");
  EXPECT_EQ(notList.error(), notList.file + ":2: authority.users: expected a list of users");
}

TEST(LoaderError, AuthorityConfiguredTwice) {
  ConfigDir dir;
  std::string server = dir.write("server.yaml", R"(authority:
  users:
    - user: root@%
rules:
  - !AUTHORITY
    users:
      - root@%:root
)");
  EXPECT_EQ(dir.error(), server + ":5: authority: configured twice (first at line 1)");
}

TEST(LoaderError, UnknownTransactionType) {
  GlobalCase g("transaction:\n  defaultType: SAGA\n");
  EXPECT_EQ(g.error(), g.file +
                           ":2: transaction.defaultType: unknown transaction type 'SAGA' "
                           "(expected LOCAL, XA or BASE)");
  GlobalCase lower("transaction:\n  defaultType: xa\n");
  EXPECT_EQ(lower.error(), "");
}

TEST(LoaderError, PortOutOfRange) {
  GlobalCase high("props:\n  proxy-default-port: 70000\n");
  EXPECT_EQ(high.error(),
            high.file + ":2: props.proxy-default-port: must be at most 65535, got 70000");
  GlobalCase zero("props:\n  proxy-default-port: 0\n");
  EXPECT_EQ(zero.error(), zero.file + ":2: props.proxy-default-port: must be at least 1, got 0");
}

TEST(Loader, TlsProps) {
  ConfigDir dir;
  dir.write("server.pem", "certificate");
  dir.write("server-key.pem", "key");
  dir.write("global.yaml", R"(props:
  proxy-frontend-ssl-enabled: true
  proxy-frontend-ssl-version: TLSv1.3
  proxy-frontend-ssl-cipher: TLS_AES_256_GCM_SHA384, ECDHE-RSA-AES128-GCM-SHA256:HIGH
  proxy-frontend-ssl-cert: server.pem
  proxy-frontend-ssl-key: )" + dir.file("server-key.pem") +
                               R"(
  proxy-frontend-ssl-host-names: [db.example.com, 10.0.0.5]
  proxy-frontend-ssl-required: true
)");
  auto t = dir.load();
  const Props& p = t->props;
  EXPECT_TRUE(p.proxyFrontendSslEnabled);
  EXPECT_EQ(p.proxyFrontendSslVersions, std::vector<std::string>{"TLSv1.3"});
  EXPECT_EQ(
      p.proxyFrontendSslCiphers,
      (std::vector<std::string>{"TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES128-GCM-SHA256", "HIGH"}));
  EXPECT_EQ(p.proxyFrontendSslCert, dir.file("server.pem"));  // relative to the directory
  EXPECT_EQ(p.proxyFrontendSslKey, dir.file("server-key.pem"));
  EXPECT_EQ(p.proxyFrontendSslHostNames, (std::vector<std::string>{"db.example.com", "10.0.0.5"}));
  EXPECT_TRUE(p.proxyFrontendSslRequired);
  EXPECT_EQ(p.other.count("proxy-frontend-ssl-enabled"), 0u);
  for (const std::string& w : t->warnings) EXPECT_EQ(w.find("ssl"), std::string::npos) << w;

  // ShardingSphere's defaults.
  GlobalCase defaults("props:\n  proxy-frontend-ssl-enabled: false\n");
  auto d = defaults.dir.load();
  EXPECT_FALSE(d->props.proxyFrontendSslEnabled);
  EXPECT_EQ(d->props.proxyFrontendSslVersions, (std::vector<std::string>{"TLSv1.2", "TLSv1.3"}));
  EXPECT_TRUE(d->props.proxyFrontendSslCiphers.empty());
  EXPECT_FALSE(d->props.proxyFrontendSslRequired);

  GlobalCase names("props:\n  proxy-frontend-ssl-host-names: a.example.com, ::1\n");
  EXPECT_EQ(names.dir.load()->props.proxyFrontendSslHostNames,
            (std::vector<std::string>{"a.example.com", "::1"}));

  GlobalCase requiredOnly("props:\n  proxy-frontend-ssl-required: true\n");
  EXPECT_THAT(
      requiredOnly.dir.load()->warnings,
      ::testing::Contains(requiredOnly.file +
                          ":2: props.proxy-frontend-ssl-required: without "
                          "proxy-frontend-ssl-enabled only Unix socket clients can log in"));
}

TEST(LoaderError, BadTlsProps) {
  GlobalCase version("props:\n  proxy-frontend-ssl-version: TLSv1.2,SSLv3\n");
  EXPECT_EQ(version.error(), version.file +
                                 ":2: props.proxy-frontend-ssl-version: unknown TLS version "
                                 "'SSLv3' (expected TLSv1.2, TLSv1.3, TLSv1.1 or TLSv1)");
  GlobalCase noVersion("props:\n  proxy-frontend-ssl-version: ' , '\n");
  EXPECT_EQ(noVersion.error(),
            noVersion.file +
                ":2: props.proxy-frontend-ssl-version: must name at least one TLS "
                "version");
  GlobalCase missing("props:\n  proxy-frontend-ssl-cert: nowhere.pem\n");
  EXPECT_EQ(missing.error(), missing.file + ":2: props.proxy-frontend-ssl-cert: no such file: " +
                                 missing.dir.file("nowhere.pem"));
  GlobalCase certOnly("props:\n  proxy-frontend-ssl-cert: global.yaml\n");
  EXPECT_EQ(certOnly.error(), certOnly.file +
                                  ":2: props.proxy-frontend-ssl-cert: needs "
                                  "proxy-frontend-ssl-key too");
  GlobalCase keyOnly("props:\n  sql-show: true\n  proxy-frontend-ssl-key: global.yaml\n");
  EXPECT_EQ(keyOnly.error(), keyOnly.file +
                                 ":3: props.proxy-frontend-ssl-key: needs "
                                 "proxy-frontend-ssl-cert too");
  GlobalCase badName("props:\n  proxy-frontend-ssl-host-names: good.example.com, bad name\n");
  EXPECT_EQ(badName.error(), badName.file +
                                 ":2: props.proxy-frontend-ssl-host-names: 'bad name' is neither "
                                 "a host name nor an IP address");
  GlobalCase required("props:\n  proxy-frontend-ssl-required: sometimes\n");
  EXPECT_EQ(required.error(), required.file +
                                  ":2: props.proxy-frontend-ssl-required: expected true or "
                                  "false, got 'sometimes'");
}

TEST(LoaderError, BadProps) {
  GlobalCase show("props:\n  sql-show: maybe\n");
  EXPECT_EQ(show.error(), show.file + ":2: props.sql-show: expected true or false, got 'maybe'");
  GlobalCase perQuery("props:\n  max-connections-size-per-query: 0\n");
  EXPECT_EQ(perQuery.error(), perQuery.file +
                                  ":2: props.max-connections-size-per-query: must be "
                                  "at least 1, got 0");
  GlobalCase flush("props:\n  proxy-frontend-flush-threshold: x\n");
  EXPECT_EQ(flush.error(),
            flush.file + ":2: props.proxy-frontend-flush-threshold: expected an integer, got 'x'");
  GlobalCase executor("props:\n  kernel-executor-size: -2\n");
  EXPECT_EQ(executor.error(),
            executor.file + ":2: props.kernel-executor-size: must be at least 0, got -2");
  GlobalCase packet("props:\n  proxy-frontend-max-handshake-packet-size: 100\n");
  EXPECT_EQ(packet.error(), packet.file +
                                ":2: props.proxy-frontend-max-handshake-packet-size: must be at "
                                "least 1024, got 100");
  GlobalCase delays(R"(props:
  proxy-frontend-login-max-delay-milliseconds: 500
  proxy-frontend-login-min-delay-milliseconds: 2000
)");
  EXPECT_EQ(delays.error(), delays.file +
                                ":2: props.proxy-frontend-login-max-delay-milliseconds: 500 is less "
                                "than proxy-frontend-login-min-delay-milliseconds 2000");
  GlobalCase minOnly("props:\n  proxy-frontend-login-min-delay-milliseconds: 20000\n");
  EXPECT_EQ(minOnly.error(), minOnly.file +
                                 ":2: props.proxy-frontend-login-max-delay-milliseconds: 10000 is "
                                 "less than proxy-frontend-login-min-delay-milliseconds 20000");
  GlobalCase bytes("props:\n  proxy-memory-limit: 12X\n");
  EXPECT_EQ(bytes.error(), bytes.file +
                               ":2: props.proxy-memory-limit: expected a size in bytes (a number, "
                               "optionally with K, M or G), got '12X'");
  GlobalCase negative("props:\n  proxy-merge-max-memory-bytes: -1M\n");
  EXPECT_NE(negative.error().find("expected a size in bytes"), std::string::npos);
  GlobalCase huge("props:\n  proxy-merge-max-memory-bytes: 99999999999999G\n");
  EXPECT_NE(huge.error().find("out of range"), std::string::npos) << huge.error();
  GlobalCase notMap("props: 5\n");
  EXPECT_EQ(notMap.error(), notMap.file + ":1: props: expected a mapping");
}

TEST(LoaderError, LegacyRulesMustBeTagged) {
  ConfigDir dir;
  std::string server = dir.write("server.yaml", "rules:\n  - users: []\n");
  EXPECT_EQ(dir.error(), server + ":2: rules[0]: expected a tagged rule such as !AUTHORITY");
}

TEST(Loader, DeadlockDetectionProp) {
  ConfigDir dir;
  dir.write("global.yaml", "props:\n  sql-show: false\n");
  EXPECT_EQ(dir.load()->props.proxyDeadlockDetectionMilliseconds, 500);
  dir.write("global.yaml", "props:\n  proxy-deadlock-detection-milliseconds: 0\n");
  auto t = dir.load();
  EXPECT_EQ(t->props.proxyDeadlockDetectionMilliseconds, 0);
  EXPECT_THAT(describe(*t), HasSubstr("proxy-deadlock-detection-milliseconds: 0 (off)"));
}

}  // namespace
}  // namespace shardproxy::config
