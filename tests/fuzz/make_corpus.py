#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/<seed>.

The seeds are the same messages as the fixtures in tests/protocol/. Rerun after changing a
target's input layout; the files are committed so that fuzzing needs no Python.
"""
import hashlib
import os
import re
import shutil


def h(text):
    return bytes.fromhex(text.replace(" ", ""))


def nul(s):
    return s.encode() + b"\0"


def lenenc_str(s):
    b = s.encode() if isinstance(s, str) else s
    assert len(b) < 251
    return bytes([len(b)]) + b


def frame(payload, seq):
    return len(payload).to_bytes(3, "little") + bytes([seq]) + payload


SCRAMBLE = h("3d5a7c1f2b6e0a4c 55716f4d3a1e7b2c5f667e30")
FILLER23 = bytes(23)


def native_token(password, scramble):
    s1 = hashlib.sha1(password).digest()
    s2 = hashlib.sha1(s1).digest()
    mix = hashlib.sha1(scramble + s2).digest()
    return bytes(a ^ b for a, b in zip(s1, mix))


def sha2_token(password, scramble):
    m1 = hashlib.sha256(password).digest()
    m2 = hashlib.sha256(m1).digest()
    mix = hashlib.sha256(m2 + scramble).digest()
    return bytes(a ^ b for a, b in zip(m1, mix))


def greeting(version, conn_id, caps, collation, plugin, reserved=bytes(10)):
    return (b"\x0a" + nul(version) + conn_id.to_bytes(4, "little") + SCRAMBLE[:8] + b"\0" +
            (caps & 0xffff).to_bytes(2, "little") + bytes([collation]) + h("0200") +
            (caps >> 16).to_bytes(2, "little") + b"\x15" + reserved + SCRAMBLE[8:] + b"\0" +
            nul(plugin))


def attrs(pairs):
    block = b"".join(lenenc_str(k) + lenenc_str(v) for k, v in pairs)
    return lenenc_str(block)


LIBMYSQL_RESPONSE = (
    h("8da6ff01") + h("00000001") + b"\xff" + FILLER23 + nul("root") +
    lenenc_str(sha2_token(b"secret", SCRAMBLE)) + nul("shop") + nul("caching_sha2_password") +
    attrs([("_pid", "12345"), ("_platform", "x86_64"), ("_os", "Linux"),
           ("_client_name", "libmysql"), ("_client_version", "8.0.36"),
           ("program_name", "mysql")]))
SHORT_AUTH_RESPONSE = (
    h("0da20a00") + h("00000001") + b"\x2d" + FILLER23 + nul("app") + b"\x14" +
    native_token(b"secret", SCRAMBLE) + nul("shop") + nul("mysql_native_password"))
SSL_REQUEST = h("85aeff01") + h("00000001") + b"\xff" + FILLER23


def column(schema, table, org_table, name, org_name, collation, length, type_, flags, decimals):
    return (lenenc_str("def") + lenenc_str(schema) + lenenc_str(table) + lenenc_str(org_table) +
            lenenc_str(name) + lenenc_str(org_name) + b"\x0c" + collation.to_bytes(2, "little") +
            length.to_bytes(4, "little") + bytes([type_]) + flags.to_bytes(2, "little") +
            bytes([decimals]) + b"\0\0")


def fuzzed_string(b):
    """FuzzedDataProvider::ConsumeRandomLengthString: '\\' doubles, '\\' + other ends it."""
    return b.replace(b"\\", b"\\\\") + b"\\n"


def stmt_execute_seed(param_count, payload, long_data=0, remembered=None):
    """fuzz_stmt_execute mode 0: count, long-data mask, remembered types, then the payload."""
    return (b"\x00" + bytes([param_count]) + long_data.to_bytes(8, "little") +
            (b"\x01" + remembered if remembered else h("00 0000")) + payload)


def binary_row_seed(mode, types, rest):
    """fuzz_stmt_execute modes 1 (row) and 2 (writer): column count, (type, flags) pairs, rest."""
    return bytes([mode, len(types) // 2]) + types + rest


SEEDS = {
    "framing": {
        "two_commands": frame(b"\x03SELECT 1", 0) + frame(b"\x0e", 1),
        "empty_packet": frame(b"", 0),
        "above_small_limit": frame(b"\x03" + b"x" * 40, 0),
        "out_of_order": frame(b"\x0e", 5),
        "split_header": frame(b"\x03SELECT 1", 0)[:6],
        # Script mode: 0xff, limit byte (x 512 KiB), then (length code, seq delta, fill) triples.
        "script_multi_frame": h("ff 40  ff0061 050062"),
        "script_exact_multiple": h("ff 40  ff0061 000062 030063"),
        "script_too_large": h("ff 20  ff0061 ff0062 0a0063"),
        "script_bad_seq": h("ff 40  ff0061 050162"),
    },
    "handshake_response": {
        "libmysqlclient": LIBMYSQL_RESPONSE,
        "one_byte_auth_length": SHORT_AUTH_RESPONSE,
        "ssl_request": SSL_REQUEST,
        "no_secure_connection": (h("05020000") + h("00000001") + b"\x21" + FILLER23 +
                                 nul("u") + nul("password")),
    },
    "command": {
        "query": b"\x03SELECT * FROM t WHERE id = 1",
        "init_db": b"\x02shop",
        "field_list": b"\x04orders\0%",
        "set_option": h("1b 0100"),
        "ping": b"\x0e",
        "stmt_close": h("19 01000000"),
    },
    # The first byte picks the mode (fuzz_stmt_execute.cc); the payloads are the fixtures of
    # tests/protocol/stmt_execute_test.cc and binary_row_test.cc.
    "stmt_execute": {
        "execute_two_params": stmt_execute_seed(
            2, h("17 02000000 00 01000000 00 01 0800 fd00 2a00000000000000 03616263")),
        "execute_unsigned_cursor": stmt_execute_seed(
            2, h("17 03000000 01 01000000 00 01 0880 0180 ffffffffffffffff ff")),
        "execute_ten_params": stmt_execute_seed(
            10, h("17 04000000 00 01000000 0203 01") + h("0100") * 10 + h("00 02 03 04 05 06 07")),
        "execute_long_data": stmt_execute_seed(
            3, h("17 07000000 00 01000000 02 01 fc00 fc00 0300 07000000"), long_data=0b011),
        "execute_remembered": stmt_execute_seed(
            2, h("17 06000000 00 01000000 00 00 ffffffffffffffff 000000000000f83f"),
            remembered=h("0880")),
        "execute_dates": stmt_execute_seed(
            4, h("17 08000000 00 01000000 00 01 0a00 0c00 0700 0b00 04e807021d"
                 "0be807010203040520a10700 00 080122000000163b3b")),
        "row_mixed": binary_row_seed(
            1, h("0800 0f00 0300 0c00 0180"),
            h("00 10 0100000000000000 03616263 07e80701020304 05 ff")),
        "row_dates": binary_row_seed(
            1, h("0a00 0b00 f600 0400 0500"),
            h("00 00 00 0c01000000000000 0120a10700 053132 2e3530 0000c03f 000000000000f83f")),
        # Texts end with NUL; NULL columns are those past the input's end.
        "writer_mixed": binary_row_seed(
            2, h("0800 0f00 0300 0c00 0180 fe00"),
            b"\0".join([b"1", b"abc", b"-7", b"2024-01-02 03:04:05.5", b"255"])),
        "writer_times": binary_row_seed(
            2, h("0b00 0a00 0400 0500 0700"),
            b"\0".join([b"-838:59:59.000000", b"2024-02-29", b"1e-7", b"-3.4028234663852886e38",
                        b"0000-00-00 00:00:00"])),
    },
    "stmt_commands": {
        "prepare_ok": h("00 01000000 0200 0100 00 0000"),
        "send_long_data": h("18 01000000 0200") + b"hello",
        "close": h("19 01000000"),
        "reset": h("1a 01000000"),
        "fetch": h("1c 01000000 0a000000"),
    },
    "ok_err": {
        "ok": h("00 00 00 0200 0000"),
        "ok_info": h("00 01 00 0200 0000") + b"Rows matched: 1  Changed: 1  Warnings: 0",
        "ok_wide_lenenc": h("00 fc2c01 fe0000000001000000 0300 0200"),
        "ok_fe_header": h("fe 00 00 0a00 0000"),
        "err": h("ff 4804 23") + b"HY000No tables used",
        "eof": h("fe 0000 0200"),
    },
    "column_definition": {
        "int": column("shop", "o", "orders", "id", "id", 63, 11, 3, 0x4203, 0),
        "varchar": column("shop", "o", "orders", "name", "name", 255, 1020, 0xfd, 0, 0),
        "decimal": column("shop", "o", "orders", "price", "price", 63, 12, 0xf6, 0x8001, 2),
        "field_list_default": column("shop", "orders", "orders", "qty", "qty", 63, 11, 3, 1, 0) +
        lenenc_str("0"),
        # Text rows: the first byte is the column count.
        "row": b"\x04" + h("01 31 fb 00 04") + b"4.50",
        "row_long": b"\x01" + h("fc 2c01") + b"v" * 300,
    },
    "auth_response": {
        "greeting_mysql8": greeting("8.0.36", 11, 0xdfffffff, 255, "caching_sha2_password"),
        "greeting_mariadb": greeting("5.5.5-10.11.6-MariaDB-0+deb12u1", 37, 0x81fff7fe, 45,
                                     "mysql_native_password", bytes(6) + h("1d000000")),
        "native": fuzzed_string(SCRAMBLE) + fuzzed_string(b"secret") +
        native_token(b"secret", SCRAMBLE),
        "caching_sha2": fuzzed_string(SCRAMBLE) + fuzzed_string(b"secret") +
        sha2_token(b"secret", SCRAMBLE),
        "empty_password": fuzzed_string(SCRAMBLE) + fuzzed_string(b"") + b"\0",
        "full_auth_size": fuzzed_string(SCRAMBLE) + fuzzed_string(b"secret") + bytes(range(128)),
    },
    # A transport flags byte (bit 0 Unix socket, bit 1 RSA key, bit 2 TLS offered, bit 3 TLS
    # required), then the client's packets.
    "server_handshake": {
        "caching_sha2_fast_path": b"\x02" + fuzzed_string(LIBMYSQL_RESPONSE),
        "native": b"\x02" + fuzzed_string(SHORT_AUTH_RESPONSE),
        "ssl_request": b"\x02" + fuzzed_string(SSL_REQUEST),
        "switch_to_native": b"\x02" + fuzzed_string(
            h("8da6ff01") + h("00000001") + b"\xff" + FILLER23 + nul("app") +
            lenenc_str(sha2_token(b"secret", SCRAMBLE)) + nul("shop") +
            nul("caching_sha2_password") + attrs([])) + fuzzed_string(
            native_token(b"secret", SCRAMBLE)),
        "full_auth_rsa": b"\x02" + fuzzed_string(
            h("8da6ff01") + h("00000001") + b"\xff" + FILLER23 + nul("sha2") +
            lenenc_str(sha2_token(b"wrong", SCRAMBLE)) + nul("shop") +
            nul("caching_sha2_password") + attrs([])) + fuzzed_string(b"\x02") + bytes(128),
        "full_auth_unix_socket": b"\x01" + fuzzed_string(
            h("8da6ff01") + h("00000001") + b"\xff" + FILLER23 + nul("sha2") +
            lenenc_str(sha2_token(b"wrong", SCRAMBLE)) + nul("shop") +
            nul("caching_sha2_password") + attrs([])) + fuzzed_string(b"secret\0"),
        "tls_then_native": b"\x06" + fuzzed_string(SSL_REQUEST) +
        fuzzed_string(SHORT_AUTH_RESPONSE),
        "tls_full_auth_clear_password": b"\x0e" + fuzzed_string(SSL_REQUEST) + fuzzed_string(
            h("8da6ff01") + h("00000001") + b"\xff" + FILLER23 + nul("sha2") +
            lenenc_str(sha2_token(b"wrong", SCRAMBLE)) + nul("shop") +
            nul("caching_sha2_password") + attrs([])) + fuzzed_string(b"secret\0"),
        "tls_required_plain_tcp": b"\x0e" + fuzzed_string(SHORT_AUTH_RESPONSE),
    },
    # SQL text; NUL separates up to 4 statements served by one statement cache (fuzz_parser.cc),
    # so the pairs prime a template and then bind other literals into it.
    "parser": {
        "point_select": b"SELECT c FROM sbtest1 WHERE id=5017",
        "select_join_subquery": b"SELECT a, (SELECT MAX(b) FROM u WHERE u.x = t.x) FROM t JOIN v "
        b"ON t.id = v.id LEFT JOIN w USING (id) WHERE a IN (1, 2, 3) AND EXISTS (SELECT 1 FROM z "
        b"WHERE z.a = t.a) GROUP BY a HAVING COUNT(*) > 1 ORDER BY 1 DESC LIMIT 5 OFFSET 2",
        "select_derived_union": b"SELECT * FROM (SELECT a FROM t1 UNION ALL SELECT a FROM t2) AS "
        b"d WHERE d.a NOT BETWEEN -1 AND 1e3 UNION DISTINCT SELECT 7 ORDER BY a",
        "select_window": b"SELECT id, SUM(x) OVER (PARTITION BY g ORDER BY id ROWS BETWEEN 1 "
        b"PRECEDING AND CURRENT ROW), ROW_NUMBER() OVER w FROM t WINDOW w AS (ORDER BY id)",
        "select_cte": b"WITH RECURSIVE r (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE "
        b"n < 5) SELECT * FROM r",
        "select_for_update": b"SELECT k FROM t FORCE INDEX (k_1) WHERE id = ? FOR UPDATE",
        "select_functions": b"SELECT CASE WHEN a > 0 THEN 'pos' ELSE NULL END, CAST(b AS "
        b"DECIMAL(10, 2)), DATE_ADD(NOW(), INTERVAL 1 DAY), COALESCE(c, 0), "
        b"GROUP_CONCAT(DISTINCT d ORDER BY d SEPARATOR ';') FROM t",
        "select_operators": b"SELECT a | b & c ^ ~d << 2 >> 1, x LIKE 'a%' ESCAPE '!', y "
        b"REGEXP '^b', z IS NOT NULL, NOT (p <=> q), r DIV 3 MOD 2 FROM t",
        "select_variables": b"SELECT @@session.autocommit, @@version, @x := 1, @`quoted var`",
        "deep_nesting": b"SELECT " + b"(" * 150 + b"1" + b")" * 150,
        "too_deep": b"SELECT " + b"(" * 300 + b"1" + b")" * 300,
        "deep_expression": b"SELECT " + b" + ".join(b"%d" % i for i in range(300)),
        "insert_values": b"INSERT INTO t (a, b) VALUES (1, 'x'), (2, _utf8mb4'y') ON DUPLICATE "
        b"KEY UPDATE b = VALUES(b), a = a + 1",
        "insert_select": b"INSERT IGNORE INTO t (a) SELECT a FROM u WHERE a > 0",
        "insert_set": b"INSERT INTO t SET a = 1, b = DEFAULT",
        "replace": b"REPLACE INTO t VALUES (1, NULL, X'0aff', 0x1f, b'101', TRUE)",
        "update_multi": b"UPDATE t1 JOIN t2 ON t1.id = t2.id SET t1.a = t2.b * 2 WHERE t2.c "
        b"BETWEEN 1 AND 10",
        "update_order_limit": b"UPDATE LOW_PRIORITY t SET a = a - 1 WHERE b = 'x' ORDER BY id "
        b"LIMIT 10",
        "delete_multi": b"DELETE t1, t2 FROM t1 INNER JOIN t2 WHERE t1.id = t2.id AND t1.x < 3",
        "delete_using": b"DELETE FROM t1 USING t1, t2 WHERE t1.id = t2.id",
        "create_table": b"CREATE TABLE IF NOT EXISTS t_order (order_id BIGINT NOT NULL "
        b"AUTO_INCREMENT, user_id INT(11) DEFAULT 0, status VARCHAR(50) CHARACTER SET utf8mb4, "
        b"PRIMARY KEY (order_id), KEY idx_user (user_id)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        "alter_table": b"ALTER TABLE t ADD COLUMN c INT AFTER b, DROP INDEX k, RENAME TO u",
        "ddl_misc": b"DROP TABLE IF EXISTS t1, t2",
        "create_index": b"CREATE UNIQUE INDEX k ON t (a, b(10) DESC)",
        "truncate": b"TRUNCATE TABLE shop.orders",
        "set_names": b"SET NAMES utf8mb4 COLLATE utf8mb4_general_ci",
        "set_vars": b"SET autocommit = 1, @@session.sql_mode = 'STRICT_TRANS_TABLES', @u = 2, "
        b"GLOBAL max_connections = 10",
        "set_transaction": b"SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED, READ ONLY",
        "show": b"SHOW FULL COLUMNS FROM t FROM shop LIKE 'a%'",
        "show_variables": b"SHOW SESSION VARIABLES WHERE Variable_name = 'version'",
        "transaction": b"START TRANSACTION WITH CONSISTENT SNAPSHOT",
        "savepoint": b"ROLLBACK TO SAVEPOINT s1",
        "use": b"USE `shop`",
        "prepare": b"PREPARE s FROM 'SELECT ?'",
        "comments": b"/* lead */ SELECT 1 -- line\n, 2 # hash\n FROM t /* tail */",
        "versioned_comment": b"/*!40101 SET NAMES utf8 */",
        "hint": b"SELECT /*+ MAX_EXECUTION_TIME(1000) */ /* sharding hint: db=1 */ a FROM t",
        "string_escapes": b"SELECT 'it''s', 'a\\'b', \"dq \"\" x\", 'tab\\t nul\\0', "
        b"N'nat', _latin1 'l' COLLATE latin1_bin, 'caf\xc3\xa9 \xf0\x9f\x98\x80'",
        "numbers": b"SELECT -0, 1.5e-3, .5, 18446744073709551616, 0x, 1e, -.e1",
        "parse_error": b"SELECT FROM WHERE",
        "empty": b"/* only a comment */",
        "multi_statement": b"SELECT 1; SELECT 2",
        "cache_pair_select": b"SELECT c FROM t WHERE id = 1 AND name = 'a'\0"
        b"SELECT c FROM t WHERE id = 99999 AND name = 'longer name'",
        "cache_pair_insert": b"INSERT INTO t (a, b) VALUES (1, 'x')\0"
        b"INSERT INTO t (a, b) VALUES (-2.5, 'it''s')",
        "cache_pair_limit": b"SELECT a FROM t LIMIT 5\0SELECT a FROM t LIMIT 500\0"
        b"SELECT CAST(a AS CHAR(10)) FROM t\0SELECT CAST(a AS CHAR(20)) FROM t",
        "cache_pair_in": b"SELECT a FROM t WHERE b IN (1, 2, 3)\0"
        b"SELECT a FROM t WHERE b IN ('x', 2, NULL)",
    },
    # One statement's text: DistSQL, and MySQL statements that start like it.
    "distsql": {
        "preview": b"/* c */ PREVIEW SELECT * FROM t_order WHERE order_id = 1;",
        "preview_utf8": b"PREVIEW SELECT 'caf\xc3\xa9' -- \xff\n",
        "set_dist_variable": b"SET DIST VARIABLE transaction_type = 'XA';",
        "set_variable": b"set variable `Transaction_Type` = \"it\"\"s\\n\"",
        "show_variable": b"SHOW VARIABLE transaction_type",
        "show_where": b"SHOW DIST VARIABLE WHERE NAME = transaction_type",
        "show_all": b"show dist variables like 'xa\\_%' # all",
        "storage_units": b"SHOW STORAGE UNITS FROM sharding_db",
        "table_rule": b"SHOW SHARDING TABLE RULE t_order FROM `db`",
        "single_tables": b"SHOW SINGLE TABLES FROM db LIKE 't%'",
        "key_generators": b"SHOW SHARDING KEY GENERATORS",
        "default_strategy": b"SHOW DEFAULT SHARDING STRATEGY",
        "mysql_show": b"SHOW STORAGE ENGINES",
        "mysql_set": b"SET autocommit = 0",
    },
}


# Operators and lexical pieces for fuzz_parser's dictionary; the keywords come from the grammar.
PARSER_DICT_EXTRA = [
    "/*", "*/", "/*!", "/*!80000", "/*+", "-- ", "#", "\n", "'", "\\'", "''", '"', "`", "``", "@",
    "@@", "@@session.", "@@global.", ":=", "<=>", "<=", ">=", "<>", "!=", "<<", ">>", "&&", "||",
    "->", "->>", "?", "0x", "X'", "b'", "N'", "_utf8mb4", "_binary", "1e", ".5", "(", ")", ",", ";",
    "*", "\0",
]


def dict_entry(text):
    """One quoted libFuzzer dictionary entry (escapes: \\\\, \\" and \\xNN only)."""
    out = ""
    for c in text:
        if c in '\\"':
            out += "\\" + c
        elif " " <= c <= "~":
            out += c
        else:
            out += "\\x%02x" % ord(c)
    return '"' + out + '"'


def parser_dictionary():
    """libFuzzer dictionary of fuzz_parser: every keyword of grammar/MySqlKeywords.g4 and the
    operators above."""
    grammar = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "grammar",
                           "MySqlKeywords.g4")
    words = []
    with open(grammar) as f:
        for line in f:
            m = re.match(r"^[A-Z0-9_]+:\s*(.*);\s*$", line)
            if m:
                words.append("".join(p.strip("'") for p in m.group(1).split()))
    lines = ["# Generated by make_corpus.py from grammar/MySqlKeywords.g4; rerun after adding "
             "keywords."]
    lines += [dict_entry(w) for w in words + PARSER_DICT_EXTRA]
    return "\n".join(lines) + "\n"


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    with open(os.path.join(root, "..", "parser.dict"), "w") as f:
        f.write(parser_dictionary())
    for target, seeds in SEEDS.items():
        d = os.path.join(root, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
