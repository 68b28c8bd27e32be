#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets: tests/fuzz/corpus/<target>/<seed>.

The seeds are the same messages as the fixtures in tests/protocol/. Rerun after changing a
target's input layout; the files are committed so that fuzzing needs no Python.
"""
import hashlib
import os
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
}


def main():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
    for target, seeds in SEEDS.items():
        d = os.path.join(root, target)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
