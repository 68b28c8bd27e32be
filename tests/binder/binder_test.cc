// The gate: every name bound to the logical databases, for every statement form; what acts on a
// server refused; a generator of qualifiers in random positions; the shared corpus through it.
#include "binder/binder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>

#include "config/config_dir.h"

namespace shardproxy::binder {
namespace {

// Logical databases `shop` (one data source, physical database phys_shop) and `sharding_db`
// (t_order over phys_ds_0 and phys_ds_1, actual tables t_order_0 and t_order_1; t_dict
// broadcast). User `app` may use shop only, `root` is an admin, `reader` may use everything
// (ALL_PERMITTED is not how the fixture is set, so reader is mapped to both), `filer` is app
// with the FILE privilege.
class BinderTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    config::testing::ConfigDir dir;
    dir.write("global.yaml", R"(authority:
  users:
    - user: root@%
      password: root
      admin: true
    - user: app@%
      password: app
    - user: reader@%
      password: reader
    - user: filer@%
      password: filer
      filePrivilege: true
  privilege:
    type: DATABASE_PERMITTED
    props:
      user-database-mappings: root@%=*, app@%=shop, reader@%=shop, reader@%=sharding_db, filer@%=shop
)");
    dir.write("database-shop.yaml", R"(databaseName: shop
dataSources:
  ds:
    url: jdbc:mysql://127.0.0.1:1/phys_shop
    username: root
    password: root
)");
    dir.write("database-sharding.yaml", R"(databaseName: sharding_db
dataSources:
  ds_0:
    url: jdbc:mysql://127.0.0.1:1/phys_ds_0
    username: root
    password: root
  ds_1:
    url: jdbc:mysql://127.0.0.1:2/phys_ds_1
    username: root
    password: root
rules:
- !SHARDING
  tables:
    t_order:
      actualDataNodes: ds_${0..1}.t_order_${0..1}
      databaseStrategy:
        standard:
          shardingColumn: user_id
          shardingAlgorithmName: by_user
      tableStrategy:
        standard:
          shardingColumn: order_id
          shardingAlgorithmName: by_order
  shardingAlgorithms:
    by_user:
      type: INLINE
      props:
        algorithm-expression: ds_${user_id % 2}
    by_order:
      type: INLINE
      props:
        algorithm-expression: t_order_${order_id % 2}
- !BROADCAST
  tables:
    - t_dict
)");
    topology_ = dir.load();
    auto rules = router::buildRules(*topology_, std::nullopt);
    ASSERT_TRUE(rules.isOk()) << rules.status().toString();
    rules_ = new router::RuleSet(std::move(rules.value()));
  }

  static const config::User& user(const std::string& name) {
    for (const config::User& u : topology_->authority.users) {
      if (u.name == name) return u;
    }
    throw std::runtime_error("no user " + name);
  }

  // The bound statement or its error, as "error <code>: <message>".
  static Result<BoundStatement> bindAs(const std::string& userName, const std::string& database,
                                       const std::string& sql) {
    auto parsed = parser::ast::parseAst(sql);
    if (!parsed) return parsed.status();
    Context c{*topology_, *rules_, user(userName), database};
    return bind(parsed.value(), c);
  }

  static uint16_t code(const std::string& userName, const std::string& database,
                       const std::string& sql) {
    auto bound = bindAs(userName, database, sql);
    return bound ? 0 : bound.status().code();
  }

  static std::string message(const std::string& userName, const std::string& database,
                             const std::string& sql) {
    auto bound = bindAs(userName, database, sql);
    return bound ? "" : bound.status().message();
  }

  // The statement as it runs: the replacements applied.
  static std::string runs(const std::string& userName, const std::string& database,
                          const std::string& sql) {
    auto parsed = parser::ast::parseAst(sql);
    EXPECT_TRUE(parsed.isOk()) << sql;
    if (!parsed) return "";
    Context c{*topology_, *rules_, user(userName), database};
    auto bound = bind(parsed.value(), c);
    EXPECT_TRUE(bound.isOk()) << sql << ": " << bound.status().toString();
    if (!bound) return "";
    return applyReplacements(parsed.value(), bound->replacements);
  }

  static std::shared_ptr<const config::Topology> topology_;
  static router::RuleSet* rules_;
};

std::shared_ptr<const config::Topology> BinderTest::topology_;
router::RuleSet* BinderTest::rules_ = nullptr;

// Every place a database qualifier can stand, with `{}` for it.
const std::vector<std::string> kQualifierForms = {
    "SELECT * FROM {}.item",
    "SELECT * FROM item WHERE id IN (SELECT id FROM {}.item)",
    "SELECT * FROM (SELECT * FROM {}.item) d",
    "WITH c AS (SELECT * FROM {}.item) SELECT * FROM c",
    "SELECT id FROM item UNION SELECT id FROM {}.item",
    "SELECT * FROM item JOIN {}.item i2 ON item.id = i2.id",
    "SELECT * FROM item WHERE EXISTS (SELECT 1 FROM {}.item x WHERE x.id = item.id)",
    "INSERT INTO {}.item VALUES (1)",
    "INSERT INTO item SELECT * FROM {}.item",
    "REPLACE INTO {}.item VALUES (1)",
    "UPDATE {}.item SET id = 2",
    "UPDATE item, {}.item i2 SET item.id = i2.id",
    "DELETE FROM {}.item",
    "DELETE item FROM item JOIN {}.item i2 ON item.id = i2.id",
    "DELETE {}.item FROM {}.item",
    "CREATE TABLE {}.probe (id INT)",
    "CREATE TABLE probe AS SELECT * FROM {}.item",
    "CREATE VIEW v AS SELECT * FROM {}.item",
    "DROP TABLE {}.item",
    "ALTER TABLE {}.item ADD COLUMN c INT",
    "TRUNCATE TABLE {}.item",
    "RENAME TABLE item TO {}.item2",
    "CREATE INDEX i ON {}.item (id)",
    "SHOW TABLE STATUS FROM {}",
    "SHOW TABLES FROM {}",
    "SHOW COLUMNS FROM item FROM {}",
    "SHOW INDEX FROM {}.item",
    "SHOW CREATE TABLE {}.item",
    "SHOW TRIGGERS FROM {}",
    "DESCRIBE {}.item",
    "HANDLER {}.item OPEN",
    "LOCK TABLES {}.item READ",
    "CALL {}.p()",
    "SELECT {}.f()",
    "SELECT {}.item.id FROM item",
    "SELECT {}.item.* FROM item",
    "TABLE {}.item",
    "SELECT NEXT VALUE FOR {}.seq",
    "/*!50000 SELECT * FROM {}.item */",
    "SELECT 1 /*!50000 , (SELECT id FROM {}.item LIMIT 1) */",
    "SELECT 1 /*M!100000 , (SELECT id FROM {}.item LIMIT 1) */",
    "EXPLAIN SELECT * FROM {}.item",
    "ANALYZE TABLE {}.item",
    "CHECKSUM TABLE {}.item",
    "SHOW CREATE DATABASE {}",
    "USE {}",
    "LOAD DATA INFILE 'x' INTO TABLE {}.item",
};

std::string fill(const std::string& form, const std::string& name) {
  std::string out = form;
  for (size_t at = out.find("{}"); at != std::string::npos; at = out.find("{}", at + name.size())) {
    out.replace(at, 2, name);
  }
  return out;
}

TEST_F(BinderTest, EveryQualifierFormParses) {
  for (const std::string& form : kQualifierForms) {
    EXPECT_TRUE(parser::ast::parseAst(fill(form, "shop")).isOk()) << form;
  }
}

// information_schema: the tables the proxy answers with logical names are everyone's (and say
// so), those about the server alone too; the rest needs PROCESS; nobody changes any of them.
TEST_F(BinderTest, InformationSchemaIsEveryonesWhereItIsLogical) {
  for (const char* sql : {"SELECT * FROM information_schema.TABLES",
                          "SELECT * FROM INFORMATION_SCHEMA.columns c JOIN "
                          "information_schema.STATISTICS s USING (TABLE_NAME)",
                          "SELECT COUNT(*) FROM information_schema.PROCESSLIST"}) {
    auto bound = bindAs("app", "shop", sql);
    ASSERT_TRUE(bound.isOk()) << sql << ": " << bound.status().toString();
    EXPECT_TRUE(bound->logicalInformationSchema) << sql;
  }
  auto engines = bindAs("app", "shop", "SELECT * FROM information_schema.ENGINES");
  ASSERT_TRUE(engines.isOk());
  EXPECT_FALSE(engines->logicalInformationSchema);
  EXPECT_EQ(code("app", "shop", "SELECT * FROM information_schema.INNODB_TRX"), 1227);
  EXPECT_EQ(code("app", "shop", "DELETE FROM information_schema.TABLES"), 1044);
  // In information_schema, unqualified names are its tables.
  auto inside = bindAs("app", "information_schema", "SELECT * FROM TABLES");
  ASSERT_TRUE(inside.isOk()) << inside.status().toString();
  EXPECT_TRUE(inside->logicalInformationSchema);
  EXPECT_EQ(code("app", "information_schema", "SELECT * FROM INNODB_TRX"), 1227);
  // Admins read the rest as a backend has it.
  auto admin = bindAs("root", "shop", "SELECT * FROM information_schema.INNODB_TRX");
  ASSERT_TRUE(admin.isOk());
  EXPECT_FALSE(admin->logicalInformationSchema);
}

TEST_F(BinderTest, PhysicalAndUnknownDatabasesAreRefusedInEveryPosition) {
  for (const std::string& form : kQualifierForms) {
    if (form.rfind("LOAD DATA", 0) == 0) continue;  // refused for the FILE privilege first
    for (const char* name : {"phys_ds_0", "phys_shop", "mysql", "nodb"}) {
      std::string sql = fill(form, name);
      uint16_t c = code("app", "shop", sql);
      EXPECT_TRUE(c == 1044 || c == 1142 || c == 1370) << sql << " as app gave " << c;
    }
    // information_schema is everyone's to read, but `item` is none of the tables the proxy
    // answers (nor one about the server alone): PROCESS is needed to read it, as for the
    // tables showing a backend's inside; nobody writes there; its database named alone is fine.
    {
      std::string sql = fill(form, "information_schema");
      uint16_t c = code("app", "shop", sql);
      bool alone = form.find("{}.") == std::string::npos;
      EXPECT_TRUE(c == 1044 || c == 1142 || c == 1227 || c == 1305 || c == 1370 ||
                  (alone && c == 0))
          << sql << " as app gave " << c;
    }
    // A restricted user is denied a logical database it may not use, as any other name.
    std::string sql = fill(form, "sharding_db");
    uint16_t c = code("app", "shop", sql);
    EXPECT_TRUE(c == 1044 || c == 1142 || c == 1370) << sql << " as app gave " << c;
    // An admin gets "does not exist" for names that are not logical databases.
    for (const char* name : {"phys_ds_0", "phys_shop", "nodb"}) {
      std::string admin = fill(form, name);
      uint16_t a = code("root", "shop", admin);
      EXPECT_TRUE(a == 1049 || a == 1146 || a == 1051 || a == 1054 || a == 1305)
          << admin << " as root gave " << a;
    }
  }
}

TEST_F(BinderTest, MySqlMessages) {
  EXPECT_EQ(message("app", "shop", "SELECT * FROM phys_ds_0.t_order_0"),
            "SELECT command denied to user 'app'@'%' for table `phys_ds_0`.`t_order_0`");
  EXPECT_EQ(message("app", "shop", "UPDATE phys_ds_0.t_order_0 SET status = 'x'"),
            "UPDATE command denied to user 'app'@'%' for table `phys_ds_0`.`t_order_0`");
  EXPECT_EQ(message("app", "shop", "SHOW TABLE STATUS FROM phys_ds_0"),
            "Access denied for user 'app'@'%' to database 'phys_ds_0'");
  EXPECT_EQ(message("root", "shop", "SELECT * FROM phys_ds_0.t_order_0"),
            "Table 'phys_ds_0.t_order_0' doesn't exist");
  EXPECT_EQ(message("root", "shop", "SHOW TABLES FROM phys_ds_0"), "Unknown database 'phys_ds_0'");
  EXPECT_EQ(code("root", "", "SELECT * FROM item"), 1046);
  EXPECT_EQ(code("app", "shop", "SELECT user, password FROM mysql.user"), 1142);
}

TEST_F(BinderTest, PermittedLogicalNamesBind) {
  for (const std::string& form : kQualifierForms) {
    std::string sql = fill(form, "shop");
    auto bound = bindAs("app", "shop", sql);
    if (form.rfind("LOAD DATA", 0) == 0) {
      EXPECT_EQ(bound.status().code(), 1227) << sql;
      continue;
    }
    EXPECT_TRUE(bound.isOk()) << sql << ": " << bound.status().toString();
    if (bound) {
      EXPECT_EQ(bound->database, "shop") << sql;
    }
  }
}

TEST_F(BinderTest, LogicalQualifiersOfAPassThroughDatabaseBecomePhysical) {
  EXPECT_EQ(runs("app", "shop", "SELECT * FROM shop.item JOIN `shop`.x ON shop.item.id = x.id"),
            "SELECT * FROM `phys_shop`.item JOIN `phys_shop`.x ON `phys_shop`.item.id = x.id");
  EXPECT_EQ(runs("app", "", "SHOW TABLE STATUS FROM shop"), "SHOW TABLE STATUS FROM `phys_shop`");
  // A sharded database's qualifiers are the rewriter's.
  EXPECT_EQ(runs("root", "", "SELECT * FROM sharding_db.t_order"),
            "SELECT * FROM sharding_db.t_order");
}

TEST_F(BinderTest, TheStatementRunsInTheDatabaseItNames) {
  auto bound = bindAs("root", "shop", "SELECT * FROM sharding_db.t_order WHERE user_id = 1");
  ASSERT_TRUE(bound.isOk());
  EXPECT_EQ(bound->database, "sharding_db");
  bound = bindAs("root", "", "SELECT 1");
  ASSERT_TRUE(bound.isOk());
  EXPECT_EQ(bound->database, "");
  EXPECT_EQ(code("root", "shop", "SELECT * FROM item JOIN sharding_db.t_order o ON 1 = 1"), 1235);
}

TEST_F(BinderTest, ActualTablesOfAShardedDatabaseAreNotLogicalTables) {
  EXPECT_EQ(message("reader", "sharding_db", "SELECT * FROM t_order_0"),
            "Table 'sharding_db.t_order_0' doesn't exist");
  EXPECT_EQ(code("reader", "sharding_db", "SELECT * FROM t_order JOIN t_dict"), 0);
  EXPECT_EQ(code("reader", "sharding_db", "WITH t_order_0 AS (SELECT 1) SELECT * FROM t_order_0"),
            0);
  // An admin addressing physical tables with a hint is the one exception.
  EXPECT_EQ(code("root", "sharding_db",
                 "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */ SELECT * FROM t_order_0"),
            0);
  EXPECT_EQ(code("reader", "sharding_db",
                 "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */ SELECT * FROM t_order"),
            1227);
}

TEST_F(BinderTest, ServerWideStatementsAreRefusedForEveryone) {
  for (const char* sql : {
           "SET GLOBAL general_log_file = '/tmp/x'",
           "SET @@global.general_log = 1",
           "SET PERSIST max_connections = 10",
           "SET PASSWORD = 'x'",
           "INSTALL PLUGIN connect SONAME 'ha_connect'",
           "INSTALL SONAME 'ha_connect'",
           "UNINSTALL PLUGIN connect",
           "UNINSTALL SONAME 'ha_connect'",
           "SHUTDOWN",
           "GRANT ALL ON *.* TO app",
           "REVOKE ALL ON *.* FROM app",
           "CREATE USER u1 IDENTIFIED BY 'x'",
           "DROP USER root",
           "ALTER USER root IDENTIFIED BY 'x'",
           "CHANGE MASTER TO MASTER_HOST = 'x'",
           "STOP SLAVE",
           "RESET MASTER",
           "FLUSH PRIVILEGES",
           "PURGE BINARY LOGS TO 'x'",
           "CREATE PROCEDURE p() BEGIN PREPARE s FROM @sql; EXECUTE s; END",
           "CREATE PROCEDURE p() SELECT * FROM phys_ds_0.t_order_0",
           "CREATE TRIGGER tr BEFORE INSERT ON item FOR EACH ROW DELETE FROM phys_ds_1.t",
           "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO DELETE FROM phys_shop.item",
           "CREATE TABLE fed (id INT) ENGINE = FEDERATED CONNECTION = 'mysql://u@h/db/t'",
           "CREATE TABLE c (id INT) ENGINE = CONNECT TABLE_TYPE = MYSQL",
           "SELECT 1 INTO OUTFILE '/tmp/x'",
           "SELECT 1 INTO DUMPFILE '/tmp/x'",
           "LOAD DATA INFILE '/etc/hostname' INTO TABLE item",
           "LOAD DATA LOCAL INFILE '/etc/hostname' INTO TABLE item",
           "CREATE DATABASE x",
           "DROP DATABASE shop",
           "SET STATEMENT max_statement_time = 1 FOR SELECT 1",
       }) {
    for (const char* who : {"root", "app"}) {
      auto bound = bindAs(who, "shop", sql);
      EXPECT_FALSE(bound.isOk()) << sql << " as " << who;
    }
  }
  EXPECT_EQ(message("root", "shop", "SET GLOBAL general_log_file = '/tmp/x'"),
            "Access denied; you need (at least one of) the SUPER privilege(s) for this operation");
  EXPECT_EQ(code("root", "shop", "SELECT 1 INTO OUTFILE '/tmp/x'"), 1227);
  EXPECT_EQ(code("root", "shop", "LOAD DATA LOCAL INFILE 'x' INTO TABLE item"), 1148);
  EXPECT_EQ(code("root", "shop", "CREATE TABLE f (id INT) ENGINE = FEDERATED"), 1286);
  EXPECT_EQ(code("root", "shop", "DROP DATABASE shop"), 1235);
  // Stored programs whose bodies the gate binds are the database's own business.
  EXPECT_EQ(code("app", "shop",
                 "CREATE PROCEDURE p(IN n INT) BEGIN DECLARE x INT DEFAULT 0; "
                 "SET x = n * 2; SELECT x AS doubled FROM shop.item; END"),
            0);
  EXPECT_EQ(code("app", "shop", "CREATE PROCEDURE p() BEGIN PREPARE s FROM 'DROP TABLE x'; END"),
            1235);
  EXPECT_EQ(code("app", "shop", "DROP DATABASE sharding_db"), 1044);
  EXPECT_EQ(code("app", "shop", "CREATE DATABASE newdb"), 1044);
  EXPECT_EQ(code("root", "shop", "CREATE DATABASE newdb"), 1235);
  // With the FILE privilege, the file statements bind.
  EXPECT_EQ(code("filer", "shop", "SELECT * FROM item INTO OUTFILE '/tmp/x'"), 0);
  EXPECT_EQ(code("filer", "shop", "LOAD DATA INFILE '/tmp/x' INTO TABLE item"), 0);
}

TEST_F(BinderTest, FlushTablesIsForAdminsAndOtherFlushesForNobody) {
  // FLUSH TABLES acts on the logical databases' data sources (MySQL's RELOAD: admins).
  for (const char* sql : {"FLUSH TABLES", "FLUSH LOCAL TABLES item", "FLUSH TABLES WITH READ LOCK",
                          "FLUSH TABLES item WITH READ LOCK", "FLUSH TABLE item FOR EXPORT",
                          "FLUSH /*!40101 LOCAL */ TABLES"}) {
    EXPECT_EQ(code("root", "shop", sql), 0) << sql;
    EXPECT_EQ(message("app", "shop", sql),
              "Access denied; you need (at least one of) the RELOAD privilege(s) for this operation")
        << sql;
  }
  // Its names are bound as any: no physical database.
  EXPECT_EQ(code("root", "shop", "FLUSH TABLES phys_shop.item"), 1146);
  for (const char* sql :
       {"FLUSH LOGS", "FLUSH LOGS, TABLES WITH READ LOCK", "FLUSH STATUS", "FLUSH HOSTS"}) {
    EXPECT_EQ(message("root", "shop", sql),
              "Access denied; you need (at least one of) the SUPER privilege(s) for this operation")
        << sql;
  }
}

TEST_F(BinderTest, ServerStateIsForAdmins) {
  for (const char* sql : {"SHOW ENGINE INNODB STATUS", "SHOW MASTER STATUS", "SHOW SLAVE STATUS",
                          "SHOW BINLOG EVENTS", "SHOW OPEN TABLES", "SHOW PROCEDURE CODE p",
                          "EXPLAIN FOR CONNECTION 1"}) {
    EXPECT_EQ(code("app", "shop", sql), 1227) << sql;
    EXPECT_EQ(code("root", "shop", sql), 0) << sql;
  }
  EXPECT_EQ(code("app", "shop", "SHOW VARIABLES LIKE 'version'"), 0);
  EXPECT_EQ(code("app", "shop", "SHOW WARNINGS"), 0);
  // Routines' status comes from the logical information_schema, which everyone reads.
  EXPECT_EQ(code("app", "shop", "SHOW PROCEDURE STATUS"), 0);
  EXPECT_EQ(code("app", "shop", "SHOW FUNCTION STATUS WHERE Db = 'shop'"), 0);
  // The proxy answers SHOW PROCESSLIST itself, with its own sessions, and SHOW GRANTS with its
  // own users' grants (refusing another user's to non-admins).
  EXPECT_EQ(code("app", "shop", "SHOW FULL PROCESSLIST"), 0);
  EXPECT_EQ(code("app", "shop", "SHOW GRANTS FOR root"), 0);
}

TEST_F(BinderTest, ShowCreateDatabaseKeepsTheLogicalName) {
  // The proxy answers it under the logical name; other statements on a database without rules
  // run on its data source's actual database.
  EXPECT_EQ(runs("app", "shop", "SHOW CREATE DATABASE shop"), "SHOW CREATE DATABASE shop");
  EXPECT_EQ(runs("app", "shop", "show create schema if not exists `shop`"),
            "show create schema if not exists `shop`");
  EXPECT_EQ(runs("app", "shop", "SHOW TRIGGERS FROM shop"), "SHOW TRIGGERS FROM `phys_shop`");
  EXPECT_EQ(code("app", "shop", "SHOW CREATE DATABASE sharding_db"), 1044);
}

TEST_F(BinderTest, LoadFileIsNullWithoutTheFilePrivilege) {
  EXPECT_EQ(runs("app", "shop", "SELECT LOAD_FILE('/etc/hostname')"),
            "SELECT NULL AS `LOAD_FILE('/etc/hostname')`");
  EXPECT_EQ(runs("app", "shop", "SELECT length(load_file('/etc/hostname')) AS n"),
            "SELECT length(NULL) AS n");
  EXPECT_EQ(runs("app", "shop", "SELECT LOAD_FILE('/x') AS f FROM shop.item"),
            "SELECT NULL AS f FROM `phys_shop`.item");
  EXPECT_EQ(runs("filer", "shop", "SELECT LOAD_FILE('/etc/hostname')"),
            "SELECT LOAD_FILE('/etc/hostname')");
}

// Statements with database qualifiers in random positions: refused exactly when a qualifier is
// not a logical database the user may use.
TEST_F(BinderTest, RandomQualifiersAreRefusedUnlessPermitted) {
  std::mt19937 random(20261207);
  const std::vector<std::string> names = {
      "shop",  "`shop`", "sharding_db", "phys_shop", "phys_ds_0",         "`phys_ds_1`",
      "mysql", "sys",    "nodb",        "SHOP",      "information_schema"};
  auto permittedForApp = [](const std::string& n) { return n == "shop" || n == "`shop`"; };
  const std::vector<std::string> slots = {
      "SELECT a FROM {t1} JOIN {t2} ON 1 = 1 WHERE a IN (SELECT b FROM {t3})",
      "SELECT {c1}, (SELECT MAX(x) FROM {t1}) FROM {t2}",
      "UPDATE {t1}, {t2} SET {c1} = 1 WHERE EXISTS (SELECT * FROM {t3})",
      "INSERT INTO {t1} SELECT * FROM {t2} UNION ALL SELECT * FROM {t3}",
      "DELETE {w1} FROM {t1} JOIN {t2} USING (id)",
      "WITH c AS (SELECT * FROM {t1}) SELECT * FROM c, {t2}",
  };
  int checked = 0;
  for (int i = 0; i < 600; ++i) {
    std::string sql = slots[random() % slots.size()];
    bool allowed = true;
    bool anyQualified = false;
    for (const char* slot : {"{t1}", "{t2}", "{t3}", "{c1}", "{w1}"}) {
      size_t at = sql.find(slot);
      if (at == std::string::npos) continue;
      bool qualify = random() % 2 == 0;
      std::string name = names[random() % names.size()];
      std::string object = slot[1] == 't' ? "item" : slot[1] == 'c' ? "item.id" : "item";
      std::string text = qualify ? name + "." + object : object;
      if (slot[1] == 'w' && qualify) text = name + ".item";
      if (qualify) {
        anyQualified = true;
        allowed = allowed && permittedForApp(name);
      }
      sql.replace(at, std::string(slot).size(), text);
    }
    auto bound = bindAs("app", "shop", sql);
    if (allowed) {
      EXPECT_TRUE(bound.isOk()) << sql << ": " << bound.status().toString();
    } else {
      ASSERT_FALSE(bound.isOk()) << sql;
      uint16_t c = bound.status().code();
      // (information_schema.item is readable with PROCESS only: 1227.)
      EXPECT_TRUE(c == 1044 || c == 1142 ||
                  (c == 1227 && sql.find("information_schema.") != std::string::npos))
          << sql << " gave " << c;
    }
    checked += anyQualified ? 1 : 0;
  }
  EXPECT_GT(checked, 300);
}

// The shared corpus through the gate, as an admin in a pass-through database and as a
// restricted user: how many statements bind and how many are refused (and why), for the record.
// None may crash, and none naming a database other than `shop` may bind for the restricted user.
TEST_F(BinderTest, SharedCorpus) {
  auto path = std::filesystem::path(SHARDPROXY_SOURCE_DIR).parent_path() / "shared" / "sql-corpus" /
              "mysql-statements.tsv";
  if (!std::filesystem::exists(path)) GTEST_SKIP() << "corpus not found at " << path;
  std::ifstream in(path);
  std::string line;
  size_t parsed = 0;
  std::map<std::string, std::map<uint16_t, size_t>> outcomes;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    size_t tab = line.find('\t', line.find('\t') + 1);
    if (tab == std::string::npos) continue;
    auto statement = parser::ast::parseAst(line.substr(tab + 1));
    if (!statement) continue;
    ++parsed;
    for (const char* who : {"root", "app"}) {
      Context c{*topology_, *rules_, user(who), "shop"};
      auto bound = bind(statement.value(), c);
      ++outcomes[who][bound ? 0 : bound.status().code()];
      if (bound && std::string(who) == "app") {
        for (const auto& o : statement->objects) {
          if (o.schema.empty() || o.kind == parser::ast::ObjectName::Kind::FileRead) continue;
          EXPECT_EQ(o.schema.value, "shop") << statement->sql;
        }
      }
    }
  }
  EXPECT_GT(parsed, 500u);
  for (const auto& [who, codes] : outcomes) {
    std::cout << "corpus through the gate as " << who << ":";
    for (const auto& [code, n] : codes) {
      std::cout << " " << (code == 0 ? std::string("bound") : "error " + std::to_string(code))
                << " " << n;
    }
    std::cout << "\n";
  }
}

}  // namespace
}  // namespace shardproxy::binder

namespace shardproxy::binder {
namespace {

// ShardingSphere's schema: its tables are readable by every user, from any database and under
// USE shardingsphere; nothing else in it exists, and nothing writes to it.
TEST_F(BinderTest, TheShardingSphereSchemaIsReadableByEveryone) {
  for (const char* user : {"app", "root", "reader"}) {
    for (const char* database : {"", "shop", "sharding_db"}) {
      auto bound = bindAs(user, database,
                          "SELECT id, row_count FROM shardingsphere.sharding_table_statistics "
                          "WHERE logic_database_name = 'shop' ORDER BY id LIMIT 2");
      ASSERT_TRUE(bound.isOk()) << user << " in " << database << ": " << bound.status().toString();
      EXPECT_TRUE(bound->shardingSphereSchema);
      EXPECT_EQ(bound->database, "shardingsphere");
      EXPECT_TRUE(bound->replacements.empty());
    }
  }
  auto bound = bindAs("app", "shardingsphere", "SELECT version FROM cluster_information");
  ASSERT_TRUE(bound.isOk()) << bound.status().toString();
  EXPECT_TRUE(bound->shardingSphereSchema);
  EXPECT_EQ(code("app", "", "SELECT COUNT(*) FROM ShardingSphere.Cluster_Information"), 0);
  EXPECT_EQ(code("app", "shop", "SHOW TABLES FROM shardingsphere"), 0);
  EXPECT_EQ(code("app", "shop", "USE shardingsphere"), 0);
  // Statements naming no table run as without a database.
  bound = bindAs("app", "shardingsphere", "SELECT 1");
  ASSERT_TRUE(bound.isOk());
  EXPECT_TRUE(bound->shardingSphereSchema);
}

TEST_F(BinderTest, OnlyTheShardingSphereSchemasTablesExistThere) {
  EXPECT_EQ(message("app", "shop", "SELECT * FROM shardingsphere.t_order"),
            "Table 'shardingsphere.t_order' doesn't exist");
  EXPECT_EQ(code("app", "shardingsphere", "SELECT * FROM t_order"), 1146);
  EXPECT_EQ(message("app", "shardingsphere", "SELECT * FROM item"),
            "Table 'shardingsphere.item' doesn't exist");
  // One statement over a logical database and the schema is one over two databases.
  EXPECT_EQ(
      code("root", "shop", "SELECT * FROM item JOIN shardingsphere.cluster_information c ON 1 = 1"),
      1235);
  // The physical layout stays hidden: the schema is not a way to a data source.
  EXPECT_EQ(code("app", "shop",
                 "SELECT * FROM shardingsphere.sharding_table_statistics s "
                 "JOIN sharding_db.t_order o ON 1 = 1"),
            1142);
}

TEST_F(BinderTest, NothingWritesToTheShardingSphereSchema) {
  for (const char* sql : {
           "INSERT INTO shardingsphere.cluster_information VALUES ('1')",
           "UPDATE shardingsphere.sharding_table_statistics SET row_count = 0",
           "DELETE FROM shardingsphere.sharding_table_statistics",
           "DROP TABLE shardingsphere.cluster_information",
           "TRUNCATE TABLE shardingsphere.cluster_information",
           "CREATE TABLE shardingsphere.t (id INT)",
       }) {
    EXPECT_EQ(message("root", "shop", sql),
              "Access denied for user 'root'@'%' to database 'shardingsphere'")
        << sql;
  }
  EXPECT_EQ(code("app", "shardingsphere", "DELETE FROM cluster_information"), 1044);
}

}  // namespace
}  // namespace shardproxy::binder
