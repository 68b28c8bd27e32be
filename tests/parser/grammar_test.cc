// The grammar accepts the statements applications send, area by area, and rejects bad SQL with
// MySQL's error message and position.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "parser/parser.h"

namespace shardproxy::parser {
namespace {

void expectParses(const std::vector<std::string>& statements) {
  for (const auto& sql : statements) {
    auto result = parse(sql);
    EXPECT_TRUE(result.isOk()) << sql << "\n  -> " << result.status().message();
  }
}

TEST(GrammarTest, LexicalForms) {
  expectParses({
      "SELECT 1",
      "select 1;",
      "SELECT 1 -- trailing comment",
      "SELECT 1 # hash comment",
      "SELECT /* inline */ 1",
      "/* leading */ SELECT 1",
      "/* SHARDINGSPHERE_HINT: t_order.SHARDING_DATABASE_VALUE=1 */ SELECT * FROM t_order",
      "SELECT /*+ MAX_EXECUTION_TIME(1000) */ * FROM t",
      "SELECT 1 /*! , 2 */",
      "SELECT 1 /*!50700 , 2 */",
      "SELECT 1 /*M!100100 , 2 */",
      "SELECT 1 /*M comment */",
      "SELECT /**/ 1",
      "SELECT 1--1",
      "SELECT `weird col`, `a``b` FROM `my table`",
      "SELECT 'it''s', 'it\\'s', \"dq\", \"d\"\"q\", 'a' 'b'",
      "SELECT _utf8mb4'x', _binary 'y', N'national', _latin1 X'41'",
      "SELECT X'4D7953514C', x'', 0x1F, b'101', B'0', 0b11",
      "SELECT 1, 1.5, .5, 1., 1e10, 1.5E-3, -2",
      "SELECT ? FROM t WHERE a = ? AND b IN (?, ?)",
      "SELECT @v, @`quoted`, @'q', @@session.sql_mode, @@global.max_connections, @@version",
      "SELECT DATE '2020-01-01', TIME '10:00:00', TIMESTAMP '2020-01-01 10:00:00'",
      "SELECT TRUE, FALSE, NULL",
      "SELECT 1col FROM t",
      "SELECT t.order, t.select FROM t",
  });
}

TEST(GrammarTest, NonReservedKeywordsAreIdentifiers) {
  expectParses({
      "SELECT status, date, type, comment, value, order_id, name, level, position FROM t",
      "SELECT t.status FROM status AS t WHERE date > '2020-01-01' AND type = 1",
      "INSERT INTO t (status, date, comment, value) VALUES (1, '2020-01-01', 'c', 2)",
      "UPDATE t SET status = 1, value = value + 1 WHERE comment IS NULL",
      "CREATE TABLE t (status INT, date DATE, comment VARCHAR(10), text TEXT, year INT)",
      "SELECT count, sum, user, password, data, action FROM account",
      "SELECT a status FROM t",
  });
}

// Every keyword grammar/Keywords.g4 declares non-reserved must work as a name in each position.
TEST(GrammarTest, EveryNonReservedKeywordIsAnIdentifier) {
  auto path = std::filesystem::path(SHARDPROXY_SOURCE_DIR) /
              "grammar" / "Keywords.g4";
  std::ifstream in(path);
  ASSERT_TRUE(in) << path;
  std::stringstream text;
  text << in.rdbuf();
  std::string grammar = text.str();
  size_t begin = grammar.find("nonReservedKeyword");
  size_t end = grammar.find("reservedKeyword\n");
  ASSERT_NE(begin, std::string::npos);
  ASSERT_NE(end, std::string::npos);
  std::string rule = grammar.substr(begin, end - begin);
  std::regex token("\\b[A-Z][A-Z0-9_]*\\b");
  int count = 0;
  for (auto it = std::sregex_iterator(rule.begin(), rule.end(), token);
       it != std::sregex_iterator(); ++it) {
    std::string word = it->str();
    if (word.size() > 4 && word.ends_with("_SYM")) {
      word.resize(word.size() - 4);
    }
    std::transform(word.begin(), word.end(), word.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    ++count;
    expectParses({
        "SELECT " + word + " FROM t WHERE " + word + " = 1 ORDER BY " + word,
        "SELECT t.a AS " + word + ", " + word + ".b FROM t " + word,
        "CREATE TABLE t (" + word + " INT, KEY (" + word + "))",
        "INSERT INTO t (" + word + ") VALUES (1)",
        "UPDATE t SET " + word + " = 1",
    });
  }
  EXPECT_GT(count, 200);
}

TEST(GrammarTest, Expressions) {
  expectParses({
      "SELECT 1 + 2 * 3 - 4 / 5 % 6 DIV 7 MOD 8",
      "SELECT a | b & c ^ d << 1 >> 2, ~a, -a, +a, !a",
      "SELECT a = b, a <=> b, a <> b, a != b, a < b, a <= b, a > b, a >= b",
      "SELECT a IS NULL, a IS NOT NULL, a IS TRUE, a IS NOT FALSE, a IS UNKNOWN",
      "SELECT a BETWEEN 1 AND 2, a NOT BETWEEN b AND c + 1",
      "SELECT a IN (1, 2), a NOT IN (SELECT b FROM t), (a, b) IN ((1, 2), (3, 4))",
      "SELECT a LIKE 'x%', a NOT LIKE 'x!%' ESCAPE '!', a REGEXP '^x', a NOT RLIKE 'y'",
      "SELECT a SOUNDS LIKE b",
      "SELECT a AND b OR c XOR d, a && b || c, NOT a, NOT a = b",
      "SELECT a COLLATE utf8mb4_bin, BINARY a = b, 'a' COLLATE 'utf8mb4_general_ci'",
      "SELECT d + INTERVAL 1 DAY, d - INTERVAL ? HOUR, INTERVAL 1 YEAR + d",
      "SELECT CAST(a AS CHAR(10)), CAST(a AS SIGNED), CAST(a AS UNSIGNED INTEGER),"
      " CAST(a AS DECIMAL(10, 2)), CAST(a AS DATETIME(3)), CAST(a AS JSON)",
      "SELECT CONVERT(a, CHAR), CONVERT(a USING utf8mb4), CHAR(65, 66 USING ascii)",
      "SELECT CASE a WHEN 1 THEN 'x' WHEN 2 THEN 'y' ELSE 'z' END, CASE WHEN a > 1 THEN 1 END",
      "SELECT EXTRACT(YEAR FROM d), TRIM(a), TRIM(LEADING 'x' FROM a), TRIM(BOTH FROM a),"
      " TRIM('x' FROM a), POSITION('a' IN b), SUBSTRING(a FROM 2 FOR 3), SUBSTRING(a, 1, 2)",
      "SELECT DATE_ADD(d, INTERVAL 1 DAY), DATE_SUB(NOW(), INTERVAL 2 MONTH),"
      " TIMESTAMPDIFF(SECOND, a, b), TIMESTAMPADD(MINUTE, 1, a)",
      "SELECT COUNT(*), COUNT(DISTINCT a, b), SUM(a), AVG(DISTINCT b), MAX(c), MIN(d)",
      "SELECT GROUP_CONCAT(DISTINCT a ORDER BY b DESC SEPARATOR ';') FROM t",
      "SELECT IF(a, 1, 2), IFNULL(a, 0), COALESCE(a, b), LEFT(a, 2), RIGHT(a, 2),"
      " REPLACE(a, 'x', 'y'), INSERT(a, 1, 2, 'z'), MOD(a, 2), DATABASE(), SCHEMA(), USER()",
      "SELECT CURRENT_TIMESTAMP, CURRENT_TIMESTAMP(), NOW(6), CURRENT_DATE, CURRENT_USER()",
      "SELECT doc->'$.a', doc->>'$.b' FROM t WHERE doc->'$.c' = 1",
      "SELECT @a := 1, @b := @a + 1",
      "SELECT EXISTS (SELECT 1 FROM t), (SELECT MAX(a) FROM t), ROW(1, 2) = ROW(a, b)",
      "SELECT a = ANY (SELECT b FROM t), a > ALL (SELECT b FROM t), a < SOME (SELECT b FROM t)",
      "SELECT MATCH (a, b) AGAINST ('x' IN BOOLEAN MODE) FROM t",
      "SELECT ((1 + 2) * (3 - 4))",
      "SELECT a FROM t WHERE NOT (a = 1 OR b = 2) AND c IS NOT NULL",
      "SELECT 1 MEMBER OF ('[1, 2]')",
      "SELECT db.func(1), JSON_EXTRACT(a, '$.x')",
      "SELECT VALUES(a), DEFAULT(b)",
  });
}

TEST(GrammarTest, Select) {
  expectParses({
      "SELECT * FROM t",
      "SELECT t.*, u.a AS x, u.b y, 'lit' AS 'str alias' FROM db.t AS t, u",
      "SELECT DISTINCT a FROM t",
      "SELECT SQL_CALC_FOUND_ROWS HIGH_PRIORITY SQL_NO_CACHE a FROM t",
      "SELECT a FROM t WHERE a = 1 GROUP BY a, b WITH ROLLUP HAVING COUNT(*) > 1"
      " ORDER BY a DESC, 2 LIMIT 10",
      "SELECT a FROM t LIMIT 5, 10",
      "SELECT a FROM t LIMIT 10 OFFSET 5",
      "SELECT a FROM t LIMIT ?, ?",
      "SELECT a FROM t LIMIT ? OFFSET ?",
      "SELECT * FROM t1 JOIN t2 ON t1.id = t2.id",
      "SELECT * FROM t1 INNER JOIN t2 USING (id) LEFT JOIN t3 ON t3.a = t1.a"
      " RIGHT OUTER JOIN t4 ON t4.b = t1.b CROSS JOIN t5",
      "SELECT * FROM t1 NATURAL JOIN t2 NATURAL LEFT OUTER JOIN t3",
      "SELECT * FROM t1 STRAIGHT_JOIN t2 ON t1.a = t2.a",
      "SELECT * FROM (t1, t2) JOIN t3 ON t3.a = t1.a",
      "SELECT * FROM (t1 JOIN t2 ON t1.a = t2.a) LEFT JOIN t3 ON t3.b = t2.b",
      "SELECT * FROM t1 LEFT JOIN (t2 JOIN t3 ON t2.a = t3.a) ON t1.a = t2.a",
      "SELECT * FROM (SELECT a FROM t) AS d",
      "SELECT * FROM (SELECT a FROM t) d (x)",
      "SELECT * FROM t USE INDEX (i1) IGNORE KEY FOR ORDER BY (i2) FORCE INDEX FOR JOIN (i3)",
      "SELECT * FROM t PARTITION (p0, p1) AS a",
      "SELECT a FROM t1 UNION SELECT b FROM t2",
      "SELECT a FROM t1 UNION ALL SELECT b FROM t2 UNION DISTINCT SELECT c FROM t3",
      "(SELECT a FROM t1 ORDER BY a LIMIT 1) UNION (SELECT b FROM t2) ORDER BY 1 LIMIT 2",
      "SELECT a FROM t1 INTERSECT SELECT a FROM t2 EXCEPT SELECT a FROM t3",
      "((SELECT 1))",
      "WITH cte AS (SELECT 1 AS a) SELECT a FROM cte",
      "WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT * FROM "
      "r",
      "SELECT a FROM t WHERE id = 1 FOR UPDATE",
      "SELECT a FROM t FOR SHARE OF t NOWAIT",
      "SELECT a FROM t FOR UPDATE SKIP LOCKED",
      "SELECT a FROM t LOCK IN SHARE MODE",
      "SELECT a FROM t WHERE b IN (SELECT b FROM u WHERE u.c = t.c)",
      "SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY c) AS rn FROM t",
      "SELECT SUM(a) OVER w, RANK() OVER (w ORDER BY b) FROM t WINDOW w AS (PARTITION BY c)",
      "SELECT SUM(a) OVER (ORDER BY b ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t",
      "SELECT AVG(a) OVER (ORDER BY d RANGE BETWEEN INTERVAL 1 DAY PRECEDING AND 1 FOLLOWING) FROM "
      "t",
      "SELECT a INTO @x FROM t LIMIT 1",
      "SELECT a FROM t INTO OUTFILE '/tmp/x' FIELDS TERMINATED BY ',' LINES TERMINATED BY '\\n'",
      "SELECT 1 FROM DUAL",
      "SELECT * FROM t WHERE a = 1 AND b IN (1,2,3) ORDER BY a LIMIT 1 FOR UPDATE",
      "TABLE t",
      "VALUES ROW(1, 2), ROW(3, 4)",
      "SELECT * FROM t1, LATERAL (SELECT * FROM t2 WHERE t2.a = t1.a) AS x",
      "SELECT * FROM JSON_TABLE(doc, '$[*]' COLUMNS (id FOR ORDINALITY,"
      " name VARCHAR(10) PATH '$.name' DEFAULT 'x' ON EMPTY, NESTED PATH '$.a' COLUMNS"
      " (a INT PATH '$'))) AS jt",
  });
}

TEST(GrammarTest, InsertReplaceUpdateDelete) {
  expectParses({
      "INSERT INTO t VALUES (1, 'a')",
      "INSERT INTO t (a, b) VALUES (1, 2), (3, 4)",
      "INSERT t (a) VALUE (1)",
      "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)",
      "INSERT LOW_PRIORITY IGNORE INTO t PARTITION (p0) (a) VALUES (DEFAULT)",
      "INSERT INTO t SET a = 1, b = 'x'",
      "INSERT INTO t (a) SELECT b FROM u WHERE c > 1",
      "INSERT INTO t (a) (SELECT b FROM u)",
      "INSERT INTO t (a, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = VALUES(b), a = a + 1",
      "INSERT INTO t (a, b) VALUES (1, 2) AS new ON DUPLICATE KEY UPDATE b = new.b",
      "INSERT INTO t () VALUES ()",
      "REPLACE INTO t (a, b) VALUES (1, 2)",
      "REPLACE t SET a = 1",
      "REPLACE INTO t SELECT * FROM u",
      "UPDATE t SET a = 1 WHERE id = ?",
      "UPDATE LOW_PRIORITY IGNORE t SET a = a + 1 ORDER BY id DESC LIMIT 10",
      "UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.a, t2.b = DEFAULT WHERE t1.c = 1",
      "UPDATE t1, t2 SET t1.a = t2.a WHERE t1.id = t2.id",
      "DELETE FROM t WHERE id = 1",
      "DELETE LOW_PRIORITY QUICK IGNORE FROM t WHERE a > 1 ORDER BY a LIMIT 5",
      "DELETE FROM t AS x WHERE x.a = 1",
      "DELETE t1, t2 FROM t1 JOIN t2 ON t1.id = t2.id WHERE t1.a = 1",
      "DELETE t1.* FROM t1 LEFT JOIN t2 ON t1.id = t2.id WHERE t2.id IS NULL",
      "DELETE FROM t1, t2 USING t1 JOIN t2 ON t1.id = t2.id",
      "WITH d AS (SELECT id FROM u) DELETE FROM t WHERE id IN (SELECT id FROM d)",
      "LOAD DATA LOCAL INFILE '/tmp/x.csv' INTO TABLE t FIELDS TERMINATED BY ','"
      " OPTIONALLY ENCLOSED BY '\"' LINES TERMINATED BY '\\n' IGNORE 1 LINES (a, @b) SET c = @b",
      "CALL p(1, 'a')",
      "CALL db.p",
      "DO SLEEP(1)",
      "INSERT INTO t (a) VALUES (1) RETURNING id, a",
      "DELETE FROM t WHERE a = 1 RETURNING *",
  });
}

TEST(GrammarTest, TransactionControl) {
  expectParses({
      "BEGIN",
      "BEGIN WORK",
      "START TRANSACTION",
      "START TRANSACTION READ ONLY",
      "START TRANSACTION READ WRITE, WITH CONSISTENT SNAPSHOT",
      "COMMIT",
      "COMMIT WORK AND NO CHAIN NO RELEASE",
      "ROLLBACK",
      "ROLLBACK WORK AND CHAIN",
      "ROLLBACK TO SAVEPOINT sp1",
      "ROLLBACK TO sp1",
      "SAVEPOINT sp1",
      "RELEASE SAVEPOINT sp1",
      "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
      "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ WRITE",
      "SET GLOBAL TRANSACTION READ ONLY",
      "SET autocommit = 0",
      "SET @@autocommit = 1",
      "XA START 'xid1'",
      "XA BEGIN 'g', 'b', 1",
      "XA END 'xid1'",
      "XA PREPARE 'xid1'",
      "XA COMMIT 'xid1' ONE PHASE",
      "XA ROLLBACK 'xid1'",
      "XA RECOVER",
      "XA RECOVER CONVERT XID",
      "XA COMMIT X'0102', 'b'",
      "LOCK TABLES t READ, u AS x WRITE, v READ LOCAL",
      "LOCK TABLE t LOW_PRIORITY WRITE",
      "UNLOCK TABLES",
  });
}

TEST(GrammarTest, Administration) {
  expectParses({
      "SET NAMES utf8mb4",
      "SET NAMES 'utf8mb4' COLLATE 'utf8mb4_unicode_ci'",
      "SET NAMES DEFAULT",
      "SET CHARACTER SET utf8",
      "SET CHARSET DEFAULT",
      "SET @a = 1, @b := 'x'",
      "SET sql_mode = '', SESSION wait_timeout = 10, GLOBAL max_connections = 100",
      "SET @@session.time_zone = '+00:00', @@SQL_SELECT_LIMIT = DEFAULT",
      "SET PASSWORD = 'secret'",
      "SET PASSWORD FOR 'u'@'%' = 'secret'",
      "SET unique_checks = ON, foreign_key_checks = OFF",
      "USE db1",
      "USE `db-1`",
      "SHOW DATABASES",
      "SHOW SCHEMAS LIKE 'a%'",
      "SHOW TABLES",
      "SHOW FULL TABLES FROM db WHERE Table_type = 'BASE TABLE'",
      "SHOW FULL COLUMNS FROM t FROM db LIKE 'a%'",
      "SHOW COLUMNS IN db.t",
      "SHOW FIELDS FROM t",
      "SHOW INDEX FROM t",
      "SHOW KEYS IN t FROM db",
      "SHOW CREATE TABLE t",
      "SHOW CREATE DATABASE IF NOT EXISTS db",
      "SHOW CREATE VIEW v",
      "SHOW TABLE STATUS FROM db LIKE 't%'",
      "SHOW VARIABLES LIKE 'version%'",
      "SHOW GLOBAL STATUS",
      "SHOW SESSION VARIABLES WHERE Variable_name = 'x'",
      "SHOW PROCESSLIST",
      "SHOW FULL PROCESSLIST",
      "SHOW WARNINGS",
      "SHOW WARNINGS LIMIT 10",
      "SHOW ERRORS",
      "SHOW COUNT(*) WARNINGS",
      "SHOW ENGINES",
      "SHOW STORAGE ENGINES",
      "SHOW ENGINE INNODB STATUS",
      "SHOW CHARSET",
      "SHOW CHARACTER SET LIKE 'utf8%'",
      "SHOW COLLATION WHERE Charset = 'utf8mb4'",
      "SHOW GRANTS",
      "SHOW GRANTS FOR 'u'@'localhost'",
      "SHOW GRANTS FOR CURRENT_USER()",
      "DESCRIBE t",
      "DESC t a",
      "EXPLAIN t",
      "EXPLAIN SELECT * FROM t",
      "EXPLAIN FORMAT=JSON SELECT * FROM t",
      "EXPLAIN ANALYZE SELECT * FROM t",
      "DESC UPDATE t SET a = 1",
      "KILL 12",
      "KILL QUERY 12",
      "KILL CONNECTION 12",
      "ANALYZE TABLE t1, t2",
      "OPTIMIZE NO_WRITE_TO_BINLOG TABLE t",
      "CHECK TABLE t FOR UPGRADE QUICK",
      "REPAIR TABLE t QUICK",
      "CHECKSUM TABLE t EXTENDED",
      "FLUSH PRIVILEGES",
      "FLUSH TABLES",
      "FLUSH TABLES t1, t2 WITH READ LOCK",
      "FLUSH LOCAL LOGS, STATUS",
      "PREPARE s FROM 'SELECT 1'",
      "EXECUTE s USING @a, @b",
      "DEALLOCATE PREPARE s",
      "SET STATEMENT max_statement_time = 1 FOR SELECT * FROM t",
  });
}

TEST(GrammarTest, DataDefinition) {
  expectParses({
      "CREATE TABLE t (id INT)",
      "CREATE TABLE IF NOT EXISTS db.t_order (\n"
      "  order_id BIGINT(20) UNSIGNED NOT NULL AUTO_INCREMENT COMMENT 'id',\n"
      "  user_id INT NOT NULL DEFAULT 0,\n"
      "  status VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin DEFAULT 'new',\n"
      "  amount DECIMAL(10, 2) DEFAULT -1.5,\n"
      "  price DOUBLE PRECISION, ratio FLOAT(7, 4) ZEROFILL, flag BOOL, b BIT(1),\n"
      "  created_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3)"
      " ON UPDATE CURRENT_TIMESTAMP(3),\n"
      "  d DATE, dt DATETIME(6), tm TIME, y YEAR,\n"
      "  body TEXT, blobby LONGBLOB, j JSON, e ENUM('a', 'b') NOT NULL, s SET('x', 'y'),\n"
      "  c CHAR(2) BINARY, vb VARBINARY(16), g GEOMETRY NOT NULL SRID 4326,\n"
      "  full_name VARCHAR(100) GENERATED ALWAYS AS (CONCAT(a, b)) VIRTUAL,\n"
      "  PRIMARY KEY (order_id),\n"
      "  UNIQUE KEY uk_user (user_id, status(10)),\n"
      "  KEY idx_created (created_at DESC) USING BTREE COMMENT 'c',\n"
      "  INDEX (d),\n"
      "  FULLTEXT KEY ft (body),\n"
      "  CONSTRAINT fk_user FOREIGN KEY (user_id) REFERENCES t_user (id)"
      " ON DELETE CASCADE ON UPDATE SET NULL,\n"
      "  CONSTRAINT chk CHECK (amount >= 0)\n"
      ") ENGINE = InnoDB AUTO_INCREMENT = 10 DEFAULT CHARSET = utf8mb4"
      " COLLATE = utf8mb4_general_ci COMMENT = 'orders' ROW_FORMAT = DYNAMIC",
      "CREATE TEMPORARY TABLE t (a INT) ENGINE = MEMORY",
      "CREATE TABLE t LIKE u",
      "CREATE TABLE t AS SELECT * FROM u",
      "CREATE TABLE t (a INT) SELECT a FROM u",
      "CREATE TABLE t (id INT) PARTITION BY HASH (id) PARTITIONS 4",
      "CREATE TABLE t (id INT) PARTITION BY KEY (id) PARTITIONS 2",
      "CREATE TABLE t (d DATE) PARTITION BY RANGE (YEAR(d)) (PARTITION p0 VALUES LESS THAN (2000),"
      " PARTITION p1 VALUES LESS THAN MAXVALUE)",
      "CREATE TABLE t (a INT) PARTITION BY LIST (a) (PARTITION p0 VALUES IN (1, 2),"
      " PARTITION p1 VALUES IN (3) ENGINE = InnoDB)",
      "CREATE TABLE t (a INT, b INT) PARTITION BY RANGE COLUMNS (a, b)"
      " (PARTITION p0 VALUES LESS THAN (1, MAXVALUE))",
      "ALTER TABLE t ADD COLUMN c INT NOT NULL DEFAULT 0 AFTER b",
      "ALTER TABLE t ADD c INT FIRST, DROP COLUMN d, MODIFY e VARCHAR(20),"
      " CHANGE f g BIGINT, RENAME COLUMN h TO i",
      "ALTER TABLE t ADD INDEX idx (a, b), ADD UNIQUE KEY uk (c), DROP INDEX old, DROP PRIMARY KEY",
      "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES u (id), DROP FOREIGN KEY fk2",
      "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1, ALTER b DROP DEFAULT",
      "ALTER TABLE t RENAME TO u",
      "ALTER TABLE t RENAME INDEX a TO b",
      "ALTER TABLE t ENGINE = InnoDB",
      "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
      "ALTER TABLE t ALGORITHM = INPLACE, LOCK = NONE, ADD COLUMN x INT",
      "ALTER TABLE t ADD PARTITION (PARTITION p3 VALUES LESS THAN (2030))",
      "ALTER TABLE t DROP PARTITION p0, p1",
      "ALTER TABLE t TRUNCATE PARTITION ALL",
      "ALTER TABLE t REORGANIZE PARTITION p0 INTO (PARTITION a VALUES LESS THAN (5),"
      " PARTITION b VALUES LESS THAN (10))",
      "ALTER TABLE t EXCHANGE PARTITION p0 WITH TABLE u WITHOUT VALIDATION",
      "ALTER TABLE t REMOVE PARTITIONING",
      "ALTER TABLE t PARTITION BY HASH (id) PARTITIONS 8",
      "DROP TABLE t",
      "DROP TEMPORARY TABLE IF EXISTS t1, db.t2 CASCADE",
      "TRUNCATE TABLE t",
      "TRUNCATE t",
      "RENAME TABLE a TO b, c TO d",
      "CREATE INDEX idx ON t (a, b DESC)",
      "CREATE UNIQUE INDEX idx USING HASH ON t (a) ALGORITHM = INPLACE LOCK = DEFAULT",
      "DROP INDEX idx ON t",
      "CREATE DATABASE db",
      "CREATE SCHEMA IF NOT EXISTS db DEFAULT CHARACTER SET = utf8mb4 COLLATE utf8mb4_bin",
      "ALTER DATABASE db CHARACTER SET latin1",
      "DROP DATABASE IF EXISTS db",
      "CREATE VIEW v AS SELECT a FROM t",
      "CREATE OR REPLACE ALGORITHM = MERGE DEFINER = 'u'@'%' SQL SECURITY INVOKER VIEW v (x)"
      " AS SELECT a FROM t WITH CASCADED CHECK OPTION",
      "ALTER VIEW v AS SELECT b FROM t",
      "DROP VIEW IF EXISTS v1, v2",
      // MariaDB forms.
      "CREATE OR REPLACE TABLE t (a INT)",
      "ALTER TABLE t ADD COLUMN IF NOT EXISTS c INT, DROP COLUMN IF EXISTS d",
      "CREATE INDEX IF NOT EXISTS i ON t (a)",
      "DROP INDEX IF EXISTS i ON t",
      "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,"
      " u CHAR(36) DEFAULT (UUID()), f BIT(1) DEFAULT b'0', n INT DEFAULT NULL,"
      " ts DATETIME DEFAULT NOW() ON UPDATE NOW())",
  });
}

TEST(GrammarTest, StoredProgramsAndServerObjects) {
  expectParses({
      "CREATE PROCEDURE p (IN a INT, OUT b VARCHAR(10)) BEGIN SELECT a INTO b; END",
      "CREATE DEFINER = 'u'@'%' FUNCTION f (x INT) RETURNS INT DETERMINISTIC"
      " BEGIN DECLARE y INT DEFAULT 0; IF x > 0 THEN SET y = x; ELSEIF x < 0 THEN SET y = -x;"
      " ELSE SET y = 0; END IF; RETURN y; END",
      "CREATE PROCEDURE p () BEGIN DECLARE done INT DEFAULT 0;"
      " DECLARE c CURSOR FOR SELECT a FROM t; DECLARE CONTINUE HANDLER FOR NOT FOUND SET done = 1;"
      " OPEN c; l: LOOP FETCH c INTO x; IF done THEN LEAVE l; END IF; END LOOP l; CLOSE c;"
      " WHILE done < 3 DO SET done = done + 1; END WHILE;"
      " REPEAT SET done = done - 1; UNTIL done = 0 END REPEAT; END",
      "CREATE TRIGGER trg BEFORE INSERT ON t FOR EACH ROW SET NEW.a = 1",
      "CREATE EVENT e ON SCHEDULE EVERY 1 HOUR STARTS CURRENT_TIMESTAMP DO DELETE FROM t",
      "DROP PROCEDURE IF EXISTS p",
      "DROP FUNCTION f",
      "CREATE TABLESPACE ts ADD DATAFILE 'ts.ibd' ENGINE = InnoDB",
      "DROP TABLESPACE ts",
      "CREATE RESOURCE GROUP rg TYPE = USER VCPU = 0-1 THREAD_PRIORITY = 5",
      "SET RESOURCE GROUP rg FOR 10",
      "IMPORT TABLE FROM '/tmp/t.sdi'",
  });
}

TEST(GrammarTest, AccessControl) {
  expectParses({
      "CREATE USER 'u'@'%' IDENTIFIED BY 'pw'",
      "CREATE USER IF NOT EXISTS u1@localhost IDENTIFIED WITH mysql_native_password BY 'pw',"
      " u2 IDENTIFIED BY 'x' PASSWORD EXPIRE NEVER ACCOUNT LOCK",
      "CREATE USER 'u' REQUIRE SSL WITH MAX_QUERIES_PER_HOUR 10",
      "CREATE USER u IDENTIFIED BY 'p' AND IDENTIFIED WITH authentication_fido",
      "ALTER USER 'u'@'%' IDENTIFIED BY 'new'",
      "ALTER USER u DEFAULT ROLE ALL",
      "DROP USER 'u'@'%', u2",
      "DROP USER IF EXISTS u",
      "RENAME USER a TO b",
      "GRANT SELECT, INSERT ON db.* TO 'u'@'%'",
      "GRANT ALL PRIVILEGES ON *.* TO u WITH GRANT OPTION",
      "GRANT SELECT (a, b), UPDATE (a) ON db.t TO u",
      "GRANT EXECUTE ON PROCEDURE db.p TO u",
      "GRANT r1, r2 TO u",
      "REVOKE INSERT ON db.t FROM 'u'@'%'",
      "REVOKE ALL PRIVILEGES, GRANT OPTION FROM u",
      "REVOKE r1 FROM u",
      "CREATE ROLE r1, r2",
      "DROP ROLE r1",
      "SET ROLE ALL",
      "SET DEFAULT ROLE r1 TO u",
  });
}

struct ErrorCase {
  std::string sql;
  std::string near;
  int line;
};

TEST(GrammarTest, SyntaxErrorsReportNearAndLine) {
  const std::vector<ErrorCase> cases = {
      {"SELEC 1", "SELEC 1", 1},
      {"SELECT * FORM t", "FORM t", 1},
      {"SELECT * FROM t WHERE", "", 1},
      {"SELECT 1 +", "", 1},
      {"SELECT * FROM t\nWHERE a = = 1", "= 1", 2},
      {"INSERT INTO t VALUES (1,", "", 1},
      {"SELECT * FROM t LIMIT -1", "-1", 1},
      {"SELECT 'unterminated", "'unterminated", 1},
      {"UPDATE t SET WHERE a = 1", "WHERE a = 1", 1},
      {"SELECT * FROM select", "select", 1},
      {"CREATE TABLE t (a INT,)", ")", 1},
      {"SELECT 1 2", "2", 1},
      // MySQL points at the first token no parse can continue with, not at the start of the
      // construct that failed.
      {"SELECT * FROM t WHERE a IN (1, 2", "", 1},
      {"SELECT a FROM t t2 t3", "t3", 1},
      {"SELECT COUNT(*) FROM t GROUP a", "a", 1},
      {"DELETE t", "", 1},
      {"SELECT a,\n  b\nFROM t\nWHERE a = 1 AND\n  ORDER BY a", "ORDER BY a", 5},
  };
  for (const auto& c : cases) {
    auto result = parse(c.sql);
    ASSERT_FALSE(result.isOk()) << c.sql;
    EXPECT_EQ(result.status().code(), kErParseError);
    EXPECT_EQ(result.status().sqlState(), "42000");
    EXPECT_EQ(result.status().message(),
              "You have an error in your SQL syntax; check the manual that corresponds to your "
              "MySQL server version for the right syntax to use near '" +
                  c.near + "' at line " + std::to_string(c.line))
        << c.sql;
  }
}

TEST(GrammarTest, NearTextIsCutAt80Characters) {
  std::string sql = "SELECT * FROM t WHERE a = = " + std::string(100, 'x');
  auto result = parse(sql);
  ASSERT_FALSE(result.isOk());
  EXPECT_NE(result.status().message().find("near '= " + std::string(78, 'x') + "' at line 1"),
            std::string::npos)
      << result.status().message();
}

TEST(GrammarTest, NonUtf8AndMultibyteInput) {
  auto latin1 = parse("SELECT '\xE9t\xE9' FROM t");
  EXPECT_TRUE(latin1.isOk()) << latin1.status().message();
  // Unquoted identifiers may use any character above U+007F, emoji included.
  auto names =
      parse("SELECT caf\xC3\xA9, \xF0\x9F\x98\x80 FROM \xE8\xA1\xA8 WHERE s = '\xF0\x9F\x98\x80'");
  EXPECT_TRUE(names.isOk()) << names.status().message();
  auto utf8 = parse("SELECT * FROM t WHERE name = 'h\xC3\xA9' AND = 1");
  ASSERT_FALSE(utf8.isOk());
  EXPECT_NE(utf8.status().message().find("near '= 1' at line 1"), std::string::npos)
      << utf8.status().message();
}

TEST(GrammarTest, EmptyStatement) {
  auto result = parse("/* nothing */ -- at all");
  ASSERT_TRUE(result.isOk()) << result.status().message();
  EXPECT_TRUE(result->isEmpty());
  auto select = parse("SELECT 1");
  ASSERT_TRUE(select.isOk());
  EXPECT_FALSE(select->isEmpty());
}

TEST(GrammarTest, DeepNestingIsRefusedNotACrash) {
  auto nested = [](int depth) {
    return "SELECT " + std::string(depth, '(') + "1" + std::string(depth, ')');
  };
  auto atLimit = parse(nested(kMaxNestingDepth));
  EXPECT_TRUE(atLimit.isOk()) << atLimit.status().message();
  for (const std::string& sql : {nested(100000), "SELECT " + std::string(100000, '-') + "1",
                                 "SELECT " + std::string(100000, '!') + "1"}) {
    auto result = parse(sql);
    ASSERT_FALSE(result.isOk());
    EXPECT_EQ(result.status().code(), kErParseError);
  }
}

}  // namespace
}  // namespace shardproxy::parser
