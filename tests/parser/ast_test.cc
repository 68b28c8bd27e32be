// The AST builder: expected S-expression dumps per area (describe() without offsets), offsets
// checked against the text, literal / parameter numbering in text order, the hint comment, long
// operator chains, and every statement of the shared corpus.
#include "parser/ast.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "parser/parser.h"

namespace shardproxy::parser::ast {
namespace {

std::string dump(const std::string& sql) {
  auto statement = parseAst(sql);
  if (!statement.isOk()) {
    return "ERROR " + statement.status().message();
  }
  return describe(*statement, false);
}

struct Case {
  std::string sql;
  std::string expected;
};

void expectDumps(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    EXPECT_EQ(dump(c.sql), c.expected) << c.sql;
  }
}

Statement build(const std::string& sql) {
  auto statement = parseAst(sql);
  EXPECT_TRUE(statement.isOk()) << sql << ": " << statement.status().message();
  return statement.isOk() ? std::move(statement).value() : Statement{};
}

TEST(AstTest, Sysbench) {
  expectDumps({
      {"SELECT c FROM sbtest1 WHERE id=5017",
       "(select (items (col c)) (from (table sbtest1)) (where (= (col id) (lit int 5017 #0))))"},
      {"SELECT c FROM sbtest1 WHERE id BETWEEN 5017 AND 5116",
       "(select (items (col c)) (from (table sbtest1)) (where (between (col id) (lit int 5017 #0) "
       "(lit int 5116 #1))))"},
      {"SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 5017 AND 5116",
       "(select (items (fn SUM agg=sum (col k))) (from (table sbtest1)) (where (between (col id) "
       "(lit int 5017 #0) (lit int 5116 #1))))"},
      {"SELECT c FROM sbtest1 WHERE id BETWEEN 5017 AND 5116 ORDER BY c",
       "(select (items (col c)) (from (table sbtest1)) (where (between (col id) (lit int 5017 #0) "
       "(lit int 5116 #1))) (order-by (col c)))"},
      {"SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN ? AND ? ORDER BY c",
       "(select distinct (items (col c)) (from (table sbtest1)) (where (between (col id) (? #0) (? "
       "#1))) (order-by (col c)))"},
      {"UPDATE sbtest1 SET k=k+1 WHERE id=5017",
       "(update (tables (table sbtest1)) (set ((col k) (+ (col k) (lit int 1 #0)))) (where (= (col "
       "id) (lit int 5017 #1))))"},
      {"UPDATE sbtest1 SET c='48215690312-95624037431' WHERE id=?",
       "(update (tables (table sbtest1)) (set ((col c) (lit str '48215690312-95624037431' #0))) "
       "(where (= (col id) (? #0))))"},
      {"DELETE FROM sbtest1 WHERE id=5017",
       "(delete (tables (table sbtest1)) (where (= (col id) (lit int 5017 #0))))"},
      {"INSERT INTO sbtest1 (id, k, c, pad) VALUES (5017, 4993, '8386-2877', '6784-4800')",
       "(insert (table sbtest1) (columns (col id) (col k) (col c) (col pad)) (values (row (lit int "
       "5017 #0) (lit int 4993 #1) (lit str '8386-2877' #2) (lit str '6784-4800' #3))))"},
  });
}

TEST(AstTest, Joins) {
  expectDumps({
      {"SELECT o.user_id, COUNT(*) AS n, SUM(DISTINCT i.amount) total FROM t_order o JOIN "
       "t_order_item i ON o.order_id = i.order_id LEFT JOIN db.u USING (user_id) WHERE o.status = "
       "'PAID' GROUP BY o.user_id HAVING COUNT(*) > 1 ORDER BY 2 DESC, o.user_id LIMIT 10",
       "(select (items (col o.user_id) (as (fn COUNT agg=count *) n) (as (fn SUM agg=sum distinct "
       "(col i.amount)) total)) (from (left-join (join (table t_order as o) (table t_order_item as "
       "i) (on (= (col o.order_id) (col i.order_id)))) (table db.u) (using user_id))) (where (= "
       "(col o.status) (lit str 'PAID' #0))) (group-by (col o.user_id)) (having (> (fn COUNT "
       "agg=count *) (lit int 1 #1))) (order-by (pos 2 desc) (col o.user_id)) (limit (lit int 10 "
       "#3)))"},
      {"SELECT * FROM a, b CROSS JOIN c NATURAL JOIN d STRAIGHT_JOIN e ON a.x = e.x",
       "(select (items *) (from (table a) (straight-join (natural-join (cross-join (table b) "
       "(table c)) (table d)) (table e) (on (= (col a.x) (col e.x))))))"},
      {"SELECT * FROM a RIGHT OUTER JOIN b ON a.id = b.id NATURAL LEFT JOIN c",
       "(select (items *) (from (natural-left-join (right-join (table a) (table b) (on (= (col "
       "a.id) (col b.id)))) (table c))))"},
      {"SELECT * FROM `my db`.`t``1` AS `x y` JOIN (b, c) ON b.id = c.id",
       "(select (items *) (from (join (table my db.t`1 as x y) (other-table (table b) (table c)) "
       "(on (= (col b.id) (col c.id))))))"},
  });
}

TEST(AstTest, Subqueries) {
  expectDumps({
      {"SELECT t.*, s.t.* FROM t WHERE t.id IN (SELECT id FROM u WHERE u.x = 1) AND NOT EXISTS "
       "(SELECT 1 FROM v) AND t.y NOT IN (1, 2, 3)",
       "(select (items t.* s.t.*) (from (table t)) (where (and (in (col t.id) (select (items (col "
       "id)) (from (table u)) (where (= (col u.x) (lit int 1 #0))))) (not (exists (select (items "
       "(lit int 1 #1)) (from (table v))))) (not-in (col t.y) (lit int 1 #2) (lit int 2 #3) (lit "
       "int 3 #4)))))"},
      {"SELECT a FROM (SELECT a FROM t) AS d WHERE d.a = (SELECT MAX(a) FROM t)",
       "(select (items (col a)) (from (derived as d (select (items (col a)) (from (table t))))) "
       "(where (= (col d.a) (subquery (select (items (fn MAX agg=max (col a))) (from (table "
       "t)))))))"},
      {"SELECT a = ANY (SELECT b FROM u), a > ALL (SELECT b FROM u), a <> SOME (SELECT c FROM v)",
       "(select (items (= any (col a) (subquery (select (items (col b)) (from (table u))))) (> all "
       "(col a) (subquery (select (items (col b)) (from (table u))))) (<> any (col a) (subquery "
       "(select (items (col c)) (from (table v)))))))"},
      {"SELECT * FROM t, LATERAL (SELECT * FROM u WHERE u.a = t.a) AS l",
       "(select (items *) (from (table t) (derived as l (select (items *) (from (table u)) (where "
       "(= (col u.a) (col t.a)))))))"},
  });
}

TEST(AstTest, SetOperationsAndCtes) {
  expectDumps({
      {"SELECT a FROM t UNION SELECT a FROM u UNION ALL SELECT a FROM v ORDER BY a LIMIT 5",
       "(compound (select (items (col a)) (from (table t))) union (select (items (col a)) (from "
       "(table u))) union-all (select (items (col a)) (from (table v))) (order-by (col a)) (limit "
       "(lit int 5 #0)))"},
      {"SELECT a FROM t UNION (SELECT a FROM u INTERSECT SELECT a FROM v)",
       "(compound (select (items (col a)) (from (table t))) union (compound (select (items (col "
       "a)) (from (table u))) intersect (select (items (col a)) (from (table v)))))"},
      {"SELECT a FROM t UNION SELECT a FROM u INTERSECT SELECT a FROM v",
       "(compound (select (items (col a)) (from (table t))) union (compound (select (items (col "
       "a)) (from (table u))) intersect (select (items (col a)) (from (table v)))))"},
      {"SELECT a FROM t EXCEPT ALL SELECT a FROM u",
       "(compound (select (items (col a)) (from (table t))) except-all (select (items (col a)) "
       "(from (table u))))"},
      {"(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u) ORDER BY 1 LIMIT 2, 3",
       "(compound (select (items (col a)) (from (table t)) (order-by (col a)) (limit (lit int 1 "
       "#0))) union-all (select (items (col b)) (from (table u))) (order-by (pos 1)) (limit "
       "offset=(lit int 2 #2) (lit int 3 #3)))"},
      {"(SELECT a FROM t) ORDER BY a",
       "(select (items (col a)) (from (table t)) (order-by (col a)))"},
      {"WITH c AS (SELECT 1 AS x), d AS (SELECT 2) SELECT x FROM c",
       "(with (cte c (select (items (as (lit int 1 #0) x)))) (cte d (select (items (lit int 2 "
       "#1)))) select (items (col x)) (from (table c)))"},
      {"WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM "
       "r",
       "(with-recursive (cte r (compound (select (items (lit int 1 #0))) union-all (select (items "
       "(+ (col n) (lit int 1 #1))) (from (table r)) (where (< (col n) (lit int 5 #2)))))) select "
       "(items (col n)) (from (table r)))"},
      {"VALUES ROW(1, 2), ROW(3, 4)",
       "(values (row (lit int 1 #0) (lit int 2 #1)) (row (lit int 3 #2) (lit int 4 #3)))"},
      {"TABLE t", "(table-stmt (table t))"},
  });
}

TEST(AstTest, GroupByHavingOrderBy) {
  expectDumps({
      {"SELECT a, COUNT(*) FROM t GROUP BY 1, b DESC WITH ROLLUP HAVING COUNT(*) > ? ORDER BY 2 "
       "DESC",
       "(select (items (col a) (fn COUNT agg=count *)) (from (table t)) (group-by (pos 1) (desc "
       "(col b))) rollup (having (> (fn COUNT agg=count *) (? #0))) (order-by (pos 2 desc)))"},
      {"SELECT a FROM t GROUP BY a, b HAVING SUM(c) > 10 ORDER BY a ASC, b DESC, 3",
       "(select (items (col a)) (from (table t)) (group-by (col a) (col b)) (having (> (fn SUM "
       "agg=sum (col c)) (lit int 10 #0))) (order-by (asc (col a)) (desc (col b)) (pos 3)))"},
      {"SELECT a FROM t ORDER BY a + 1, -1",
       "(select (items (col a)) (from (table t)) (order-by (+ (col a) (lit int 1 #0)) (neg (lit "
       "int 1 #1))))"},
  });
}

TEST(AstTest, LimitAndLocking) {
  expectDumps({
      {"SELECT a FROM t LIMIT 10",
       "(select (items (col a)) (from (table t)) (limit (lit int 10 #0)))"},
      {"SELECT a FROM t LIMIT 5, 10",
       "(select (items (col a)) (from (table t)) (limit offset=(lit int 5 #0) (lit int 10 #1)))"},
      {"SELECT a FROM t LIMIT 10 OFFSET 5",
       "(select (items (col a)) (from (table t)) (limit offset=(lit int 5 #1) (lit int 10 #0)))"},
      {"SELECT a FROM t LIMIT ?, ?",
       "(select (items (col a)) (from (table t)) (limit offset=(? #0) (? #1)))"},
      {"SELECT a FROM t LIMIT ? OFFSET ?",
       "(select (items (col a)) (from (table t)) (limit offset=(? #1) (? #0)))"},
      {"SELECT a FROM t LIMIT 5, ?",
       "(select (items (col a)) (from (table t)) (limit offset=(lit int 5 #0) (? #0)))"},
      {"SELECT a FROM t WHERE id = 1 FOR UPDATE",
       "(select (items (col a)) (from (table t)) (where (= (col id) (lit int 1 #0))) for-update)"},
      {"SELECT a FROM t LOCK IN SHARE MODE",
       "(select (items (col a)) (from (table t)) lock-in-share-mode)"},
      {"SELECT a FROM t FOR SHARE NOWAIT", "(select (items (col a)) (from (table t)) for-share)"},
  });
}

TEST(AstTest, InsertReplace) {
  expectDumps({
      {"INSERT INTO t (a, b) VALUES (1, 'x'), (?, ?), (3, DEFAULT) ON DUPLICATE KEY UPDATE b = "
       "VALUES(b), c = c + 1",
       "(insert (table t) (columns (col a) (col b)) (values (row (lit int 1 #0) (lit str 'x' #1)) "
       "(row (? #0) (? #1)) (row (lit int 3 #2) (default))) (on-duplicate ((col b) (fn VALUES (col "
       "b))) ((col c) (+ (col c) (lit int 1 #3)))))"},
      {"INSERT IGNORE INTO db.t SET a = 1, b = 'two'",
       "(insert ignore (table db.t) (set ((col a) (lit int 1 #0)) ((col b) (lit str 'two' #1))))"},
      {"INSERT INTO t (a) SELECT x FROM u WHERE y > 2",
       "(insert (table t) (columns (col a)) (select (items (col x)) (from (table u)) (where (> "
       "(col y) (lit int 2 #0)))))"},
      {"INSERT INTO t VALUES ROW(1), ROW(2)",
       "(insert (table t) (values (row (lit int 1 #0)) (row (lit int 2 #1))))"},
      {"INSERT INTO t () VALUES ()", "(insert (table t) (values (row)))"},
      {"REPLACE INTO t VALUES (1, 2)",
       "(replace (table t) (values (row (lit int 1 #0) (lit int 2 #1))))"},
      {"REPLACE t SET a = ?", "(replace (table t) (set ((col a) (? #0))))"},
  });
}

TEST(AstTest, UpdateDelete) {
  expectDumps({
      {"UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.a, t2.b = 0 WHERE t1.x > 3",
       "(update (tables (join (table t1) (table t2) (on (= (col t1.id) (col t2.id))))) (set ((col "
       "t1.a) (col t2.a)) ((col t2.b) (lit int 0 #0))) (where (> (col t1.x) (lit int 3 #1))))"},
      {"UPDATE t1, t2 SET t1.a = 1 WHERE t1.id = t2.id",
       "(update (tables (table t1) (table t2)) (set ((col t1.a) (lit int 1 #0))) (where (= (col "
       "t1.id) (col t2.id))))"},
      {"UPDATE IGNORE t SET a = 1 ORDER BY id DESC LIMIT 10",
       "(update ignore (tables (table t)) (set ((col a) (lit int 1 #0))) (order-by (desc (col "
       "id))) (limit (lit int 10 #1)))"},
      {"DELETE t1, t2 FROM t1 INNER JOIN t2 ON t1.id = t2.id WHERE t1.a = 1",
       "(delete-multi (targets (table t1) (table t2)) (tables (join (table t1) (table t2) (on (= "
       "(col t1.id) (col t2.id))))) (where (= (col t1.a) (lit int 1 #0))))"},
      {"DELETE FROM t1, db.t2 USING t1 JOIN db.t2 WHERE t1.id = t2.id",
       "(delete-multi (targets (table t1) (table db.t2)) (tables (join (table t1) (table db.t2))) "
       "(where (= (col t1.id) (col t2.id))))"},
      {"DELETE IGNORE FROM t AS x WHERE x.a < 3 ORDER BY a LIMIT ?",
       "(delete ignore (tables (table t as x)) (where (< (col x.a) (lit int 3 #0))) (order-by (col "
       "a)) (limit (? #0)))"},
  });
}

TEST(AstTest, Literals) {
  expectDumps({
      {"SELECT -1, +2, ~3, 1.5, .5, 1e3, 1.5E-3, 0x1F, X'af', b'101', 0b11, TRUE, FALSE, NULL",
       "(select (items (neg (lit int 1 #0)) (plus (lit int 2 #1)) (~ (lit int 3 #2)) (lit dec 1.5 "
       "#3) (lit dec .5 #4) (lit double 1e3 #5) (lit double 1.5E-3 #6) (lit hex 0x1F #7) (lit hex "
       "X'af' #8) (lit bit b'101' #9) (lit bit 0b11 #10) (lit bool TRUE #11) (lit bool FALSE #12) "
       "(lit null NULL #13)))"},
      {"SELECT _utf8mb4'abc', N'nat', 'a' 'b', 'it''s', \"dq\"\"x\", 'a\\nb\\%\\_\\'\\\\', _binary "
       "X'00', DATE '2020-01-01', TIMESTAMP '2020-01-01 10:00:00'",
       "(select (items (lit str utf8mb4'abc' #0) (lit str N'nat' #1) (lit str 'ab' #2) (lit str "
       "'it's' #3) (lit str 'dq\"x' #4) (lit str 'a\nb\\%\\_'\\' #5) (lit hex binaryX'00' #6) (lit "
       "temporal DATE'2020-01-01' #7) (lit temporal TIMESTAMP'2020-01-01 10:00:00' #8)))"},
  });
}

TEST(AstTest, Operators) {
  expectDumps({
      {"SELECT a <=> b, a != b, a <> b, a >= b, a < b, a <= b, a > b, a DIV b, a MOD b, a % b, a / "
       "b, a & b, a | b, a ^ b, a << 2, a >> 2, a XOR b, a || b, a && b",
       "(select (items (<=> (col a) (col b)) (<> (col a) (col b)) (<> (col a) (col b)) (>= (col a) "
       "(col b)) (< (col a) (col b)) (<= (col a) (col b)) (> (col a) (col b)) (div (col a) (col "
       "b)) (% (col a) (col b)) (% (col a) (col b)) (/ (col a) (col b)) (& (col a) (col b)) (| "
       "(col a) (col b)) (^ (col a) (col b)) (<< (col a) (lit int 2 #0)) (>> (col a) (lit int 2 "
       "#1)) (xor (col a) (col b)) (or (col a) (col b)) (and (col a) (col b))))"},
      {"SELECT !a, NOT b, BINARY c, ~d, - - e",
       "(select (items (not (col a)) (not (col b)) (binary (col c)) (~ (col d)) (neg (neg (col "
       "e)))))"},
      {"SELECT a LIKE 'x%' ESCAPE '!', a NOT LIKE 'y', a REGEXP '^a', a NOT RLIKE 'b', a SOUNDS "
       "LIKE b, a IS NULL, a IS NOT NULL, a IS TRUE, a IS NOT FALSE, a IS UNKNOWN",
       "(select (items (like (col a) (lit str 'x%' #0) escape (lit str '!' #1)) (not-like (col a) "
       "(lit str 'y' #2)) (regexp (col a) (lit str '^a' #3)) (not-regexp (col a) (lit str 'b' #4)) "
       "(sounds-like (col a) (col b)) (is-null (col a)) (is-not-null (col a)) (is-true (col a)) "
       "(is-not-false (col a)) (is-unknown (col a))))"},
      {"SELECT a NOT BETWEEN 1 AND 2, a IN (?, ?), a NOT IN (SELECT b FROM u)",
       "(select (items (not-between (col a) (lit int 1 #0) (lit int 2 #1)) (in (col a) (? #0) (? "
       "#1)) (not-in (col a) (select (items (col b)) (from (table u))))))"},
      {"SELECT a + b - c + d, a * b * c, a - (b - c), (a + b) + c, a OR b AND c OR d, a AND b AND "
       "c",
       "(select (items (+ (- (+ (col a) (col b)) (col c)) (col d)) (* (col a) (col b) (col c)) (- "
       "(col a) (- (col b) (col c))) (+ (+ (col a) (col b)) (col c)) (or (col a) (and (col b) (col "
       "c)) (col d)) (and (col a) (col b) (col c))))"},
  });
}

TEST(AstTest, FunctionsAndOthers) {
  expectDumps({
      {"SELECT CASE a WHEN 1 THEN 'x' ELSE 'y' END, CASE WHEN a > 1 THEN 2 END, CAST(a AS SIGNED), "
       "CONVERT(b, CHAR(10)), CONVERT(c USING utf8mb4)",
       "(select (items (case operand else (col a) (lit int 1 #0) (lit str 'x' #1) (lit str 'y' "
       "#2)) (case (> (col a) (lit int 1 #3)) (lit int 2 #4)) (cast SIGNED (col a)) (cast CHAR(10) "
       "(col b)) (fn CONVERT (col c))))"},
      {"SELECT @a, @@session.sql_mode, @x := 5, a COLLATE utf8mb4_bin, ROW(1, 2), (1, 2) = (a, b), "
       "DATE_ADD(d, INTERVAL 1 DAY), d + INTERVAL 2 HOUR, INTERVAL 1 DAY + d",
       "(select (items (var @a) (var @@session.sql_mode) (:= (var @x) (lit int 5 #0)) (collate "
       "utf8mb4_bin (col a)) (row (lit int 1 #1) (lit int 2 #2)) (= (row (lit int 1 #3) (lit int 2 "
       "#4)) (row (col a) (col b))) (fn DATE_ADD (col d) (interval DAY (lit int 1 #5))) (+ (col d) "
       "(interval HOUR (lit int 2 #6))) (+ (interval DAY (lit int 1 #7)) (col d)))) "
       "(user-variables)"},
      {"SELECT j->'$.a', j->>'$.b', MATCH (a) AGAINST ('x'), COUNT(DISTINCT a, b), GROUP_CONCAT(a "
       "ORDER BY a SEPARATOR ','), ROW_NUMBER() OVER (ORDER BY a), SUM(a) OVER w, db.fn(1), NOW(), "
       "CURRENT_TIMESTAMP, IF(a, 1, 2)",
       "(select (items (-> (col j) (lit str '$.a' #0)) (->> (col j) (lit str '$.b' #1)) (other) "
       "(fn COUNT agg=count distinct (col a) (col b)) (fn GROUP_CONCAT agg=group_concat (col a) "
       "(order-by (col a)) separator (lit str ',' #2)) "
       "(fn ROW_NUMBER over) (fn SUM agg=sum over (col a)) (fn db.fn (lit int 1 #3)) (fn NOW) (fn "
       "CURRENT_TIMESTAMP) (fn IF (col a) (lit int 1 #4) (lit int 2 #5))))"},
      {"SELECT count(*), Min(a), max(b), avg(c), bit_xor(d), bit_and(e), bit_or(f), std(g), "
       "stddev_samp(h), var_pop(i), json_arrayagg(j)",
       "(select (items (fn count agg=count *) (fn Min agg=min (col a)) (fn max agg=max (col b)) "
       "(fn avg agg=avg (col c)) (fn bit_xor agg=bit_xor (col d)) (fn bit_and agg=bit_and (col e)) "
       "(fn bit_or agg=bit_or (col f)) (fn std agg=std (col g)) (fn stddev_samp agg=stddev_samp "
       "(col h)) (fn var_pop agg=var_pop (col i)) (fn json_arrayagg agg=json_arrayagg (col j))))"},
  });
}

TEST(AstTest, StatementKinds) {
  expectDumps({
      {"/* SHARDINGSPHERE_HINT: SHARDING_DATABASE_VALUE=1 */ SELECT * FROM t",
       "(hint 'SHARDING_DATABASE_VALUE=1') (select (items *) (from (table t)))"},
      {"/* other */ SELECT 1", "(select (items (lit int 1 #0)))"},
      {"BEGIN", "(tcl begin)"},
      {"START TRANSACTION", "(tcl begin)"},
      {"COMMIT", "(tcl commit)"},
      {"ROLLBACK", "(tcl rollback)"},
      {"ROLLBACK TO SAVEPOINT s1", "(tcl rollback-to-savepoint s1)"},
      {"SAVEPOINT s1", "(tcl savepoint s1)"},
      {"RELEASE SAVEPOINT s1", "(tcl release-savepoint s1)"},
      {"SET autocommit = 1", "(set (var session autocommit (lit int 1 #0)))"},
      {"SET NAMES utf8mb4", "(set (names utf8mb4))"},
      {"USE db", "(use db)"},
      {"SHOW TABLES", "(show-tables)"},
      {"EXPLAIN SELECT 1", "(explain)"},
      {"DESC t", "(explain (table t))"},
      {"KILL 5", "(kill (lit int 5 #0))"},
      {"CALL p(1)", "(call)"},
      {"DO 1", "(do)"},
      {"LOAD DATA INFILE 'x' INTO TABLE t", "(load-data)"},
      {"CREATE TABLE t (a INT)", "(ddl create-table (tables (table t)))"},
      {"ALTER TABLE t ADD b INT", "(ddl alter-table (tables (table t)))"},
      {"DROP TABLE t", "(ddl drop-table (tables (table t)))"},
      {"TRUNCATE TABLE t", "(ddl truncate-table (tables (table t)))"},
      {"CREATE INDEX i ON t (a)", "(ddl create-index (tables (table t)) (indexes (name i)))"},
      {"CREATE DATABASE d", "(ddl create-database (database d))"},
      {"CREATE VIEW v AS SELECT 1",
       "(ddl create-view (tables (table v)) (as (select (items (lit int 1 #0)))))"},
      {"GRANT SELECT ON *.* TO u", "(dcl)"},
      {"CREATE USER u", "(dcl)"},
      {"XA START 'x'", "(tcl xa)"},
      {"SET TRANSACTION ISOLATION LEVEL READ COMMITTED", "(tcl set-transaction read-committed)"},
      {"LOCK TABLES t READ", "(tcl lock-tables)"},
      {"UNLOCK TABLES", "(tcl unlock-tables)"},
      {"FLUSH TABLES", "(other)"},
      {"PREPARE s FROM 'SELECT 1'", "(prepare s (from (lit str 'SELECT 1' #0)))"},
      {"HANDLER t OPEN", "(handler)"},
  });
}

TEST(AstTest, SetStatements) {
  expectDumps({
      {"SET autocommit=0, @@session.sql_mode='x', GLOBAL max_connections = DEFAULT, @@global.z=2",
       "(set (var session autocommit (lit int 0 #0)) (var session sql_mode (lit str 'x' #1)) (var "
       "global max_connections (default)) (var global z (lit int 2 #2)))"},
      {"SET LOCAL a = 1, SESSION b = 2, @@local.c = 3, PERSIST d = 4, PERSIST_ONLY e = 5",
       "(set (var session a (lit int 1 #0)) (var session b (lit int 2 #1)) (var session c (lit int "
       "3 #2)) (var persist d (lit int 4 #3)) (var persist-only e (lit int 5 #4)))"},
      {"SET @a := 5, @`b c` = @a + 1", "(set (var user a (lit int 5 #0)) (var user b c (+ (var @a) "
       "(lit int 1 #1)))) (user-variables)"},
      {"SET sql_log_bin = ON, x.y = 1, @@session.`s` = 2",
       "(set (var session sql_log_bin ON) (var session x.y (lit int 1 #0)) (var session s (lit int "
       "2 #1)))"},
      {"SET NAMES 'utf8mb4' COLLATE utf8mb4_bin, CHARACTER SET DEFAULT, CHARSET latin1",
       "(set (names utf8mb4 collate utf8mb4_bin) (charset default) (charset latin1))"},
      {"SET NAMES DEFAULT", "(set (names default))"},
      {"SET PASSWORD FOR u@h = 'x'", "(set (password))"},
      {"SET STATEMENT max_statement_time = 1 FOR SELECT 1",
       "(set (var session max_statement_time (lit int 1 #0)) (for))"},
  });
  Statement s = build("SET @@global.sql_mode = 'ANSI', NAMES utf8 COLLATE utf8_bin");
  ASSERT_EQ(s.set.items.size(), 2u);
  EXPECT_EQ(s.text(s.set.items[0].span), "@@global.sql_mode = 'ANSI'");
  EXPECT_EQ(s.text(s.set.items[0].name.span), "@@global.sql_mode");
  EXPECT_EQ(s.text(s.set.items[0].valueSpan), "'ANSI'");
  EXPECT_EQ(s.set.items[0].scope, VariableScope::Global);
  EXPECT_EQ(s.text(s.set.items[1].charset.span), "utf8");
  EXPECT_EQ(s.text(s.set.items[1].collation.span), "utf8_bin");
  s = build("SET STATEMENT max_statement_time = 1 FOR SELECT 1");
  EXPECT_EQ(s.text(s.set.forStatement), "SELECT 1");
}

TEST(AstTest, TransactionOptions) {
  expectDumps({
      {"START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY",
       "(tcl begin read-only consistent-snapshot)"},
      {"START TRANSACTION READ WRITE", "(tcl begin read-write)"},
      {"BEGIN WORK", "(tcl begin)"},
      {"COMMIT AND CHAIN NO RELEASE", "(tcl commit chain no-release)"},
      {"COMMIT WORK AND NO CHAIN RELEASE", "(tcl commit no-chain release)"},
      {"ROLLBACK NO RELEASE", "(tcl rollback no-release)"},
      {"ROLLBACK WORK TO s2", "(tcl rollback-to-savepoint s2)"},
      {"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY",
       "(tcl set-transaction session repeatable-read read-only)"},
      {"SET GLOBAL TRANSACTION ISOLATION LEVEL SERIALIZABLE",
       "(tcl set-transaction global serializable)"},
      {"SET LOCAL TRANSACTION READ WRITE, ISOLATION LEVEL READ UNCOMMITTED",
       "(tcl set-transaction session read-uncommitted read-write)"},
  });
}

TEST(AstTest, SessionStatements) {
  expectDumps({
      {"PREPARE s FROM @q", "(prepare s (from @q)) (user-variables)"},
      {"EXECUTE s USING @a, @`b`", "(execute s (using @a @b)) (user-variables)"},
      {"EXECUTE s", "(execute s)"},
      {"DEALLOCATE PREPARE s", "(deallocate s)"},
      {"DROP PREPARE s", "(deallocate s)"},
      {"CREATE TEMPORARY TABLE t (a INT)", "(ddl create-table temporary (tables (table t)))"},
      {"DROP TEMPORARY TABLE t", "(ddl drop-table temporary (tables (table t)))"},
      {"SELECT a INTO @x FROM t", "(select (items (col a)) (from (table t))) (user-variables)"},
      {"SELECT a FROM t WHERE b = @x", "(select (items (col a)) (from (table t)) (where (= (col b) "
       "(var @x)))) (user-variables)"},
      // Account names are not user variables.
      {"CREATE USER u@localhost", "(dcl)"},
      {"GRANT SELECT ON db.* TO 'u'@'%'", "(dcl)"},
      {"SET PASSWORD FOR root@localhost = 'x'", "(set (password))"},
  });
}

TEST(AstTest, ShowAndDescribeOfATable) {
  expectDumps({
      {"SHOW FULL COLUMNS FROM t_order FROM db LIKE 'a%'",
       "(show-columns full (table t_order) (from db) (like (lit str 'a%' #0)) (filter))"},
      {"SHOW FIELDS IN `t`", "(show-columns (table t))"},
      {"SHOW INDEX FROM db.t WHERE Key_name = 'x'", "(show-index (table db.t) (filter))"},
      {"SHOW KEYS FROM t", "(show-index (table t))"},
      {"SHOW CREATE TABLE db.`t`", "(show-create-table (table db.t))"},
      {"SHOW CREATE VIEW v", "(show)"},
      {"SHOW STATUS LIKE 'Ssl%'", "(show-status (like (lit str 'Ssl%' #0)) (filter))"},
      {"SHOW GLOBAL STATUS", "(show-status global)"},
      {"DESCRIBE t c", "(explain (table t))"},
      {"EXPLAIN SELECT * FROM t", "(explain)"},
  });
  Statement s = build("SHOW CREATE TABLE `db`.`t_order`");
  const TableRef& t = s.tableRef(s.show.table);
  EXPECT_EQ(s.text(t.name.span), "`t_order`");
  EXPECT_EQ(s.text(t.schema.span), "`db`");
  EXPECT_EQ(t.name.value, "t_order");
}

TEST(AstTest, OffsetsAreBytesOfTheOriginalText) {
  Statement s = build("SELECT c AS x FROM db.sbtest1 t WHERE id = 5017 AND k IN (1, 2) LIMIT 10");
  ASSERT_EQ(s.kind, StatementKind::Select);
  const Select& q = s.query(s.select);
  EXPECT_EQ(s.text(s.span), s.sql);
  EXPECT_EQ(s.text(q.items[0].span), "c AS x");
  EXPECT_EQ(s.text(q.items[0].alias.span), "x");
  const TableRef& t = s.tableRef(q.from[0]);
  EXPECT_EQ(s.text(t.span), "db.sbtest1 t");
  EXPECT_EQ(s.text(t.schema.span), "db");
  EXPECT_EQ(s.text(t.name.span), "sbtest1");
  EXPECT_EQ(s.text(t.alias.span), "t");
  const Expr& where = s.expr(q.where);
  EXPECT_EQ(s.text(where.span), "id = 5017 AND k IN (1, 2)");
  EXPECT_EQ(s.text(s.expr(where.args[0]).span), "id = 5017");
  EXPECT_EQ(s.text(s.expr(s.expr(where.args[0]).args[1]).span), "5017");
  EXPECT_EQ(s.text(s.expr(where.args[1]).span), "k IN (1, 2)");
  EXPECT_EQ(s.text(q.limit.span), "LIMIT 10");
  EXPECT_EQ(s.text(s.expr(q.limit.count).span), "10");

  // Non-ASCII text before a node: offsets count bytes, not code points.
  Statement u = build("SELECT '\xC3\xA9t\xC3\xA9', `t\xC3\xA9`.c FROM `t\xC3\xA9` WHERE n = 'x'");
  const Select& uq = u.query(u.select);
  EXPECT_EQ(u.text(uq.items[1].span), "`t\xC3\xA9`.c");
  EXPECT_EQ(u.expr(uq.items[1].expr).table.value, "t\xC3\xA9");
  EXPECT_EQ(u.expr(uq.items[0].expr).value, "\xC3\xA9t\xC3\xA9");
  EXPECT_EQ(u.text(u.expr(uq.where).span), "n = 'x'");
  EXPECT_EQ(u.text(u.tableRef(uq.from[0]).span), "`t\xC3\xA9`");
}

TEST(AstTest, InsertRowOffsets) {
  Statement s = build(
      "INSERT INTO db.t (a, `b`) VALUES (1, 'x'), ROW(2, 'y') ON DUPLICATE KEY UPDATE b = 'z'");
  ASSERT_EQ(s.kind, StatementKind::Insert);
  const InsertStatement& ins = s.insert;
  EXPECT_EQ(s.text(s.tableRef(ins.table).span), "db.t");
  EXPECT_EQ(s.text(ins.columnsSpan), "a, `b`");
  EXPECT_EQ(s.expr(ins.columns[1]).column.value, "b");
  EXPECT_EQ(s.text(ins.valuesSpan), "(1, 'x'), ROW(2, 'y')");
  ASSERT_EQ(ins.rows.size(), 2u);
  EXPECT_EQ(s.text(ins.rows[0].span), "(1, 'x')");
  EXPECT_EQ(s.text(ins.rows[1].span), "ROW(2, 'y')");
  EXPECT_EQ(s.text(ins.onDuplicateSpan), "ON DUPLICATE KEY UPDATE b = 'z'");
  EXPECT_EQ(s.text(ins.onDuplicate[0].span), "b = 'z'");
}

TEST(AstTest, LiteralAndParameterIndicesInTextOrder) {
  Statement s =
      build("SELECT ?, 1 FROM t WHERE a = 'x' AND b IN (?, 2) AND c BETWEEN ? AND 4.5 LIMIT ?, 3");
  EXPECT_EQ(s.literalCount, 5u);
  EXPECT_EQ(s.paramCount, 4u);
  std::vector<std::pair<uint32_t, std::string>> literals;
  std::vector<std::pair<uint32_t, uint32_t>> params;
  for (const Expr& e : s.exprs) {
    if (e.kind == ExprKind::Literal) {
      literals.emplace_back(e.literalIndex, std::string(s.text(e.span)));
    } else if (e.kind == ExprKind::ParameterMarker) {
      params.emplace_back(e.paramIndex, e.span.begin);
    }
  }
  std::sort(literals.begin(), literals.end());
  std::sort(params.begin(), params.end());
  EXPECT_EQ(literals, (std::vector<std::pair<uint32_t, std::string>>{
                          {0, "1"}, {1, "'x'"}, {2, "2"}, {3, "4.5"}, {4, "3"}}));
  ASSERT_EQ(params.size(), 4u);
  for (size_t i = 0; i + 1 < params.size(); ++i) {
    EXPECT_EQ(params[i].first, i);
    EXPECT_LT(params[i].second, params[i + 1].second);
  }
}

TEST(AstTest, HintComment) {
  Statement s = build("/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */ SELECT 1");
  EXPECT_TRUE(s.hasHint);
  EXPECT_EQ(s.hint, "DATA_SOURCE_NAME=ds_0");
  EXPECT_EQ(s.text(s.hintSpan), "/* SHARDINGSPHERE_HINT: DATA_SOURCE_NAME=ds_0 */");
  Statement later =
      build("-- x\n/* a */ /*SHARDINGSPHERE_HINT:WRITE_ROUTE_ONLY=true*/ UPDATE t SET a = 1");
  EXPECT_TRUE(later.hasHint);
  EXPECT_EQ(later.hint, "WRITE_ROUTE_ONLY=true");
  EXPECT_FALSE(build("SELECT /* SHARDINGSPHERE_HINT: x=1 */ 1").hasHint);
  EXPECT_FALSE(build("/* plain */ SELECT 1").hasHint);
  EXPECT_FALSE(build("/*+ SET_VAR(x=1) */ SELECT 1").hasHint);
}

TEST(AstTest, LongChainsBuildWithoutRecursion) {
  std::string sum = "SELECT a";
  for (int i = 1; i < 100000; ++i) {
    sum += "+a";
  }
  auto start = std::chrono::steady_clock::now();
  auto s = parseAst(sum);
  ASSERT_TRUE(s.isOk()) << s.status().message();
  const Expr& e = s->expr(s->query(s->select).items[0].expr);
  EXPECT_EQ(e.kind, ExprKind::BinaryOp);
  EXPECT_EQ(e.binaryOp, BinaryOperator::Add);
  EXPECT_EQ(e.args.size(), 100000u);
  EXPECT_EQ(e.depth, 2u);

  std::string ands = "SELECT * FROM t WHERE a = 1";
  for (int i = 1; i < 20000; ++i) {
    ands += " AND a = " + std::to_string(i);
  }
  auto w = parseAst(ands);
  ASSERT_TRUE(w.isOk()) << w.status().message();
  const Expr& where = w->expr(w->query(w->select).where);
  EXPECT_EQ(where.binaryOp, BinaryOperator::And);
  EXPECT_EQ(where.args.size(), 20000u);
  EXPECT_EQ(w->literalCount, 20000u);
  EXPECT_EQ(w->expr(w->expr(where.args[19999]).args[1]).literalIndex, 19999u);

  // Alternating operators nest: beyond kMaxExprDepth the statement is refused, not a crash.
  std::string mixed = "SELECT a";
  for (int i = 0; i < 5000; ++i) {
    mixed += i % 2 == 0 ? "+a" : "-a";
  }
  auto m = parseAst(mixed);
  ASSERT_FALSE(m.isOk());
  EXPECT_EQ(m.status().code(), er::kUnknownError);
  EXPECT_EQ(m.status().message(), "statement too complex");
  std::cout << "long chains: "
            << std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::steady_clock::now() - start)
                   .count()
            << " ms\n";
}

// The deepest statements the parser accepts (kMaxNestingDepth parentheses) build too.
TEST(AstTest, NestingAtTheParserLimitBuilds) {
  std::string parens =
      "SELECT " + std::string(kMaxNestingDepth, '(') + "1" + std::string(kMaxNestingDepth, ')');
  auto p = parseAst(parens);
  ASSERT_TRUE(p.isOk()) << p.status().message();
  EXPECT_EQ(p->literalCount, 1u);

  std::string subqueries = "SELECT 1";
  for (int i = 1; i < kMaxNestingDepth; ++i) {
    subqueries = "SELECT (" + subqueries + ")";
  }
  auto q = parseAst(subqueries);
  ASSERT_TRUE(q.isOk()) << q.status().message();
  EXPECT_EQ(q->selects.size(), static_cast<size_t>(kMaxNestingDepth));

  // Right-nested BETWEEN chains are not bounded by the parser's check: deep ones are refused.
  std::string between = "SELECT a";
  for (int i = 0; i < 3000; ++i) {
    between += " BETWEEN 1 AND a";
  }
  auto b = parseAst(between);
  std::cout << "3000 chained BETWEEN: " << (b.isOk() ? "built" : b.status().message()) << "\n";
  if (!b.isOk()) {
    EXPECT_TRUE(b.status().code() == er::kUnknownError || b.status().code() == kErParseError)
        << b.status().message();
  }
  auto shortBetween = parseAst("SELECT a BETWEEN 1 AND b BETWEEN 2 AND 3");
  ASSERT_TRUE(shortBetween.isOk());
  EXPECT_EQ(describe(*shortBetween, false),
            "(select (items (between (col a) (lit int 1 #0) (between (col b) (lit int 2 #1) "
            "(lit int 3 #2)))))");
}

TEST(AstTest, BuildCostOfAPointSelect) {
  const std::string sql = "SELECT c FROM sbtest1 WHERE id=5017";
  auto parsed = parse(sql);
  ASSERT_TRUE(parsed.isOk());
  constexpr int kRounds = 20000;
  auto start = std::chrono::steady_clock::now();
  size_t exprs = 0;
  for (int i = 0; i < kRounds; ++i) {
    auto s = buildAst(*parsed);
    exprs += s->exprs.size();
  }
  auto build = std::chrono::steady_clock::now() - start;
  start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds / 10; ++i) {
    auto s = parseAst(sql);
    exprs += s->exprs.size();
  }
  auto both = std::chrono::steady_clock::now() - start;
  EXPECT_GT(exprs, 0u);
  std::cout << "point select: buildAst "
            << std::chrono::duration_cast<std::chrono::nanoseconds>(build).count() / kRounds
            << " ns, parse + buildAst "
            << std::chrono::duration_cast<std::chrono::nanoseconds>(both).count() / (kRounds / 10)
            << " ns per statement\n";
}

// Every corpus statement that parses builds an AST, with sane offsets and numbering.
std::filesystem::path corpusPath() {
  return std::filesystem::path(SHARDPROXY_SOURCE_DIR).parent_path() /
         "shared" / "sql-corpus" / "mysql-statements.tsv";
}

TEST(AstCorpusTest, EveryParsedStatementBuilds) {
  auto path = corpusPath();
  if (!std::filesystem::exists(path)) {
    GTEST_SKIP() << "corpus not found at " << path;
  }
  std::ifstream in(path);
  std::string line;
  size_t parsed = 0;
  size_t dml = 0;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      continue;
    }
    size_t tab1 = line.find('\t');
    size_t tab2 = tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    if (tab2 == std::string::npos) {
      continue;
    }
    std::string sql = line.substr(tab2 + 1);
    auto tree = parse(sql);
    if (!tree.isOk()) {
      continue;
    }
    ++parsed;
    auto s = buildAst(*tree);
    ASSERT_TRUE(s.isOk()) << sql << "\n  -> " << s.status().message();
    if (s->kind <= StatementKind::Delete) {
      ++dml;
    }
    uint32_t literals = 0;
    for (const Expr& e : s->exprs) {
      EXPECT_LE(e.span.begin, e.span.end) << sql;
      EXPECT_LE(e.span.end, sql.size()) << sql;
      literals += e.kind == ExprKind::Literal ? 1 : 0;
      if (e.kind == ExprKind::Literal) {
        EXPECT_LT(e.literalIndex, s->literalCount) << sql;
      }
    }
    EXPECT_EQ(literals, s->literalCount) << sql;
    describe(*s);  // must not crash
  }
  std::cout << "corpus: " << parsed << " statements parse and build (" << dml << " DML)\n";
}

}  // namespace
}  // namespace shardproxy::parser::ast
