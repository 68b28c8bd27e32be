<?php
// PHP mysqli and PDO (mysqlnd) with server-side prepared statements, run by
// test_prepared_clients.py first against a plain MariaDB server (which proves this script) and
// then against the proxy on a sharded logical database:
//
//   php tests/integration/prepared_client.php HOST PORT USER PASSWORD DATABASE [TABLE]
//
// TABLE (default p_types) is dropped and created through the connection under test with a BIGINT
// primary key `id`, the column the proxy configuration must shard by; TABLE_ai, an AUTO_INCREMENT
// table, must be an unsharded (single) table. Ids used: 1..4 and 7..8 (mysqli), 11..14 (PDO),
// 21..24 (transactions). The script leaves TABLE holding ids 1..4, 11..14, 21, 22 and TABLE_ai
// holding ids 1 and 2.
//
// PDO falls back to emulated prepares when the server answers COM_STMT_PREPARE with error 1295, so
// the PDO part first proves its statements are prepared by the server (see pdoIsNative).
// One line per check ("ok ..." or "FAIL ...: expected ..., got ..."); exit status 1 on any failure.

mysqli_report(MYSQLI_REPORT_OFF);
if ($argc < 6 || $argc > 8) {
    fwrite(STDERR, "usage: php prepared_client.php HOST PORT USER PASSWORD DATABASE [TABLE [proxy]]\n");
    exit(2);
}
[$host, $port, $user, $password, $db] = [$argv[1], (int)$argv[2], $argv[3], $argv[4], $argv[5]];
$table = $argv[6] ?? 'p_types';
// 'proxy' when the server is shardproxy: the one check whose answer differs (see below).
$throughProxy = ($argv[7] ?? '') === 'proxy';
$ai = $table . '_ai';
$failures = 0;
const EMOJI = "\u{1F600}";

function show($v) {
    if (is_string($v) && !preg_match('//u', $v)) return 'bin:' . bin2hex(strlen($v) > 40 ? substr($v, 0, 40) . '...' : $v);
    $s = var_export($v, true);
    return strlen($s) > 300 ? substr($s, 0, 300) . '...' : $s;
}
function check($cond, $what, $expected = true, $got = false) {
    global $failures;
    if ($cond) { echo "ok   $what\n"; return; }
    echo "FAIL $what: expected " . show($expected) . ', got ' . show($got) . "\n";
    $failures++;
}
// Strict equality, PHP types included (the binary protocol gives ints and floats, not strings).
function same($what, $expected, $got) { check($expected === $got, $what, $expected, $got); }
class StepFailed extends Exception {}
function stop($what) { throw new StepFailed($what); }
function fatal($what) {
    global $failures;
    echo "FAIL $what\n";
    echo "stopping after " . ($failures + 1) . " failed check(s)\n";
    exit(1);
}
// An error ends its step, not the script: the later steps still report what they see.
function step($name, $body) {
    global $failures;
    try {
        $body();
    } catch (StepFailed $e) {
        echo "FAIL $name stopped: " . $e->getMessage() . "\n";
        $failures++;
    } catch (PDOException $e) {
        echo "FAIL $name stopped by PDOException " . json_encode($e->errorInfo) . ' ' . $e->getMessage() . "\n";
        $failures++;
    }
}
function stmtOrStop($m, $sql) {
    $st = $m->prepare($sql);
    if ($st === false) stop("prepare $sql: " . $m->errno . ' (' . $m->sqlstate . ') ' . $m->error);
    return $st;
}
function execOrStop($st, $what) {
    if (!$st->execute()) stop("execute $what: " . $st->errno . ' (' . $st->sqlstate . ') ' . $st->error);
}

$COLUMNS = ['id', 'g', 'i', 'bi', 'bu', 'd', 'dc', 'vc', 'bl', 'dt', 'tm', 'dtm', 'js', 'en', 'bt'];
$LIST = implode(', ', $COLUMNS);
function pattern($n) { $s = ''; for ($k = 0; $k < $n; $k++) $s .= chr(($k * 7 + intdiv($k, 256)) & 0xff); return $s; }

// The rows as mysqlnd returns them from binary rows: ints as int, DOUBLE as float, BIGINT UNSIGNED
// above PHP_INT_MAX as string, DECIMAL and temporal types as strings, BIT as int.
$rows = [
    1 => ['id' => 1, 'g' => 1, 'i' => -2147483648, 'bi' => PHP_INT_MIN, 'bu' => '18446744073709551615',
          'd' => -1.7976931348623157e308, 'dc' => '-12345678901234567890.0123456789',
          'vc' => "gr\u{00fc}n " . EMOJI . " 'q' \\ \"dq\"", 'bl' => pattern(20000), 'dt' => '1000-01-01',
          'tm' => '-838:59:59.000000', 'dtm' => '1000-01-01 00:00:00.000000',
          'js' => '{"a": [1, 2.5, "x' . EMOJI . '"], "b": null}', 'en' => 'a', 'bt' => 0],
    2 => ['id' => 2, 'g' => 2, 'i' => 2147483647, 'bi' => PHP_INT_MAX, 'bu' => 0, 'd' => 0.1,
          'dc' => '99999999999999999999.9999999999', 'vc' => EMOJI . EMOJI, 'bl' => "\x00\x27\x5c\xff",
          'dt' => '9999-12-31', 'tm' => '838:59:59.000000', 'dtm' => '9999-12-31 23:59:59.999999',
          'js' => '[]', 'en' => 'c', 'bt' => 1023],
    3 => ['id' => 3, 'g' => 1, 'i' => 42, 'bi' => 9000000000, 'bu' => 9223372036854775807, 'd' => 1e-300,
          'dc' => '0.0000000001', 'vc' => '', 'bl' => '', 'dt' => '2024-02-29', 'tm' => '-100:11:12.345678',
          'dtm' => '2020-06-15 00:00:00.000000', 'js' => '"s"', 'en' => 'b', 'bt' => 683],
    4 => array_merge(array_fill_keys($COLUMNS, null), ['id' => 4]),
];

// ---- mysqli ---------------------------------------------------------------------------------------
$m = mysqli_init();
$m->options(MYSQLI_OPT_CONNECT_TIMEOUT, 10);
$m->options(MYSQLI_OPT_READ_TIMEOUT, 60);
if (!@$m->real_connect($host, $user, $password, $db, $port)) fatal('connect: ' . mysqli_connect_errno() . ' ' . mysqli_connect_error());
check($m->set_charset('utf8mb4'), 'set_charset utf8mb4', true, $m->error);
echo "connected to {$m->server_info} with mysqli (" . mysqli_get_client_info() . ")\n";

foreach (["DROP TABLE IF EXISTS $table",
          "CREATE TABLE $table (id BIGINT NOT NULL PRIMARY KEY, g INT, i INT, bi BIGINT, bu BIGINT UNSIGNED,"
          . " d DOUBLE, dc DECIMAL(30,10), vc VARCHAR(100), bl BLOB, dt DATE, tm TIME(6), dtm DATETIME(6),"
          . " js JSON, en ENUM('a','b','c'), bt BIT(10)) DEFAULT CHARSET=utf8mb4",
          "DROP TABLE IF EXISTS $ai",
          "CREATE TABLE $ai (id INT AUTO_INCREMENT PRIMARY KEY, v VARCHAR(20))"] as $sql) {
    if (!$m->query($sql)) fatal("$sql: " . $m->errno . ' ' . $m->error);
}
check(true, "created $table and $ai (text protocol)");

step('mysqli INSERT', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // INSERT: bound once by reference, executed for each row with new values; the blob as long data
    $st = stmtOrStop($m, "INSERT INTO $table ($LIST) VALUES (" . implode(', ', array_fill(0, count($COLUMNS), '?')) . ')');
    same('INSERT param_count', 15, $st->param_count);
    same('INSERT field_count', 0, $st->field_count);
    $v = array_fill_keys($COLUMNS, null);
    $st->bind_param('iiiisdssbsssssi', $v['id'], $v['g'], $v['i'], $v['bi'], $v['bu'], $v['d'], $v['dc'], $v['vc'],
                    $v['bl'], $v['dt'], $v['tm'], $v['dtm'], $v['js'], $v['en'], $v['bt']);
    foreach ($rows as $id => $row) {
        foreach ($COLUMNS as $c) $v[$c] = $row[$c] === null ? null : (is_int($row[$c]) && $c === 'bu' ? (string)$row[$c] : $row[$c]);
        $chunks = 0;
        if ($row['bl'] !== null) {
            foreach (str_split($row['bl'], 8000) as $chunk) {
                if (!$st->send_long_data(8, $chunk)) stop('send_long_data: ' . $st->error);
                $chunks++;
            }
        }
        execOrStop($st, "INSERT id $id");
        same("mysqli INSERT id $id (" . ($id == 1 ? 'types sent' : 're-executed') . ", blob in $chunks long data chunks): affected_rows", 1, $st->affected_rows);
    }
    $v['id'] = 1;
    check(!$st->execute() && $st->errno == 1062 && $st->sqlstate === '23000', 'mysqli INSERT duplicate id 1 fails at execute',
          '1062 (23000)', $st->errno . ' (' . $st->sqlstate . ') ' . $st->error);
    $st->close();
});

step('mysqli get_result', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // get_result: one shard per execute
    $st = stmtOrStop($m, "SELECT $LIST FROM $table WHERE id = ?");
    same('SELECT param_count', 1, $st->param_count);
    same('SELECT field_count', 15, $st->field_count);
    $meta = $st->result_metadata();
    $fields = $meta->fetch_fields();
    same('result_metadata names', $COLUMNS, array_map(fn($f) => $f->name, $fields));
    same('result_metadata table and db of vc', [$table, $table, $db], [$fields[7]->table, $fields[7]->orgtable, $fields[7]->db]);
    same('result_metadata types (bigint, decimal, varchar, blob, date, time, datetime, enum as string, bit)',
         [MYSQLI_TYPE_LONGLONG, MYSQLI_TYPE_NEWDECIMAL, MYSQLI_TYPE_VAR_STRING, MYSQLI_TYPE_BLOB, MYSQLI_TYPE_DATE,
          MYSQLI_TYPE_TIME, MYSQLI_TYPE_DATETIME, MYSQLI_TYPE_STRING, MYSQLI_TYPE_BIT],
         [$fields[0]->type, $fields[6]->type, $fields[7]->type, $fields[8]->type, $fields[9]->type, $fields[10]->type,
          $fields[11]->type, $fields[13]->type, $fields[14]->type]);
    same('result_metadata: bu unsigned, dtm 6 decimals, dc 10 decimals',
         [MYSQLI_UNSIGNED_FLAG, 6, 10], [$fields[4]->flags & MYSQLI_UNSIGNED_FLAG, $fields[11]->decimals, $fields[6]->decimals]);
    $meta->free();
    $id = 0;
    $st->bind_param('i', $id);
    foreach ($rows as $rid => $row) {
        $id = $rid;
        execOrStop($st, "SELECT id $rid");
        $res = $st->get_result();
        same("mysqli get_result id $rid: row", $row, $res->fetch_assoc());
        same("mysqli get_result id $rid: no second row", null, $res->fetch_assoc());
    }
    $id = 404;
    execOrStop($st, 'SELECT 404');
    same('mysqli get_result id 404: no row', 0, $st->get_result()->num_rows);
    $st->close();
});

step('mysqli bind_result', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // bind_result and fetch, ORDER BY over both shards
    $st = stmtOrStop($m, "SELECT $LIST FROM $table WHERE id > ? ORDER BY id DESC");
    $from = 0;
    $st->bind_param('i', $from);
    execOrStop($st, 'SELECT ORDER BY');
    $out = array_fill_keys($COLUMNS, null);
    $st->bind_result($out['id'], $out['g'], $out['i'], $out['bi'], $out['bu'], $out['d'], $out['dc'], $out['vc'],
                     $out['bl'], $out['dt'], $out['tm'], $out['dtm'], $out['js'], $out['en'], $out['bt']);
    $got = [];
    while ($st->fetch()) $got[] = array_map(fn($x) => $x, $out);   // values, not the bound references
    same('mysqli bind_result/fetch ORDER BY id DESC over both shards', array_values(array_reverse($rows, true)), $got);
    // reset mid-result, then execute again
    execOrStop($st, 'SELECT ORDER BY again');
    check($st->fetch() === true && $out['id'] === 4, 'mysqli fetch the first row again', 4, $out['id']);
    check($st->reset(), 'mysqli stmt reset with rows unread', true, $st->error);
    $from = 2;
    execOrStop($st, 'SELECT ORDER BY after reset');
    $ids = [];
    while ($st->fetch()) $ids[] = $out['id'];
    same('mysqli ORDER BY after reset: ids', [4, 3], $ids);
    $st->close();
});

step('mysqli INSERT, UPDATE, DELETE over two shards', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // two rows of one INSERT on two shards; UPDATE and DELETE counts
    $st = stmtOrStop($m, "INSERT INTO $table (id, g, vc) VALUES (?, ?, ?), (?, ?, ?)");
    $a = 7; $b = 8; $g = 3; $va = 'seven'; $vb = 'eight ' . EMOJI;
    $st->bind_param('iisiis', $a, $g, $va, $b, $g, $vb);
    execOrStop($st, 'INSERT 7, 8');
    same('mysqli INSERT ids 7 and 8 (both shards): affected_rows', 2, $st->affected_rows);
    $st->close();
    $st = stmtOrStop($m, "UPDATE $table SET vc = ? WHERE id IN (?, ?)");
    $nv = 'both'; $st->bind_param('sii', $nv, $a, $b);
    execOrStop($st, 'UPDATE IN');
    same('mysqli UPDATE id IN (7, 8): affected_rows', 2, $st->affected_rows);
    execOrStop($st, 'UPDATE IN again');
    same('mysqli UPDATE again, nothing changes: affected_rows', 0, $st->affected_rows);
    $st->close();
    $st = stmtOrStop($m, "DELETE FROM $table WHERE id BETWEEN ? AND ?");
    $st->bind_param('ii', $a, $b);
    execOrStop($st, 'DELETE BETWEEN');
    same('mysqli DELETE id BETWEEN 7 AND 8: affected_rows', 2, $st->affected_rows);
    $st->close();
});

step('mysqli GROUP BY', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // GROUP BY over both shards
    $st = stmtOrStop($m, "SELECT g, COUNT(*) AS n, SUM(i) AS s, MAX(bi) AS mx, MIN(dtm) AS mn FROM $table WHERE id >= ? GROUP BY g ORDER BY g");
    $from = 1;
    $st->bind_param('i', $from);
    execOrStop($st, 'GROUP BY');
    same('mysqli GROUP BY g over both shards', [
        ['g' => null, 'n' => 1, 's' => null, 'mx' => null, 'mn' => null],
        ['g' => 1, 'n' => 2, 's' => '-2147483606', 'mx' => 9000000000, 'mn' => '1000-01-01 00:00:00.000000'],
        ['g' => 2, 'n' => 1, 's' => '2147483647', 'mx' => PHP_INT_MAX, 'mn' => '9999-12-31 23:59:59.999999'],
    ], $st->get_result()->fetch_all(MYSQLI_ASSOC));
    $st->close();
});

step('mysqli insert_id', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // insert ids of an AUTO_INCREMENT table
    $st = stmtOrStop($m, "INSERT INTO $ai (v) VALUES (?)");
    $val = 'x';
    $st->bind_param('s', $val);
    foreach ([1, 2] as $want) {
        execOrStop($st, "INSERT $ai");
        same("mysqli INSERT INTO $ai: insert_id", $want, $st->insert_id);
    }
    $st->close();
});

step('mysqli transactions', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // transactions over both shards
    $st = stmtOrStop($m, "INSERT INTO $table (id, vc) VALUES (?, 'tx')");
    $tid = 0;
    $st->bind_param('i', $tid);
    $count = stmtOrStop($m, "SELECT COUNT(*) FROM $table WHERE id BETWEEN 21 AND 24");
    $n = -1;
    $countNow = function () use ($count, &$n) { execOrStop($count, 'COUNT'); $count->bind_result($n); $count->fetch(); $count->free_result(); return $n; };
    check($m->begin_transaction(), 'mysqli begin_transaction');
    foreach ([23, 24] as $tid) execOrStop($st, "INSERT $tid");
    same('mysqli rows 23, 24 inside the transaction', 2, $countNow());
    check($m->rollback(), 'mysqli rollback');
    same('mysqli rows 23, 24 after rollback', 0, $countNow());
    check($m->begin_transaction(), 'mysqli begin_transaction');
    foreach ([21, 22] as $tid) execOrStop($st, "INSERT $tid");
    check($m->commit(), 'mysqli commit');
    same('mysqli rows 21, 22 after commit', 2, $countNow());
    // a transaction opened by autocommit=0 rather than BEGIN
    check($m->autocommit(false), 'mysqli autocommit(false)');
    foreach ([23, 24] as $tid) execOrStop($st, "INSERT $tid");
    same('mysqli rows 23, 24 with autocommit off', 4, $countNow());
    check($m->rollback(), 'mysqli rollback with autocommit off');
    same('mysqli rows 23, 24 after that rollback', 2, $countNow());
    check($m->autocommit(true), 'mysqli autocommit(true)');
    $st->close();
    $count->close();
});

step('mysqli errors', function () {
    global $m, $pdo, $table, $ai, $db, $rows, $COLUMNS, $LIST;
    // errors
    check($m->prepare('SELEC 1') === false && $m->errno == 1064 && $m->sqlstate === '42000', 'mysqli prepare SELEC 1 fails',
          '1064 (42000)', $m->errno . ' (' . $m->sqlstate . ') ' . $m->error);
    check($m->prepare('SELECT * FROM no_such_table') === false && $m->errno == 1146 && $m->sqlstate === '42S02',
          'mysqli prepare of a missing table fails', '1146 (42S02)', $m->errno . ' (' . $m->sqlstate . ') ' . $m->error);
});

$m->close();

// ---- PDO with native prepares ---------------------------------------------------------------------
$pdo = null;
step('PDO connect', function () use ($host, $port, $user, $password, $db) {
    global $pdo;
    $pdo = new PDO("mysql:host=$host;port=$port;dbname=$db;charset=utf8mb4", $user, $password,
                   [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false,
                    PDO::ATTR_TIMEOUT => 10]);
    same('PDO ATTR_EMULATE_PREPARES', false, (bool)$pdo->getAttribute(PDO::ATTR_EMULATE_PREPARES));
});
if ($pdo === null) fatal('PDO: no connection');

// PDO emulates prepares when the server answers COM_STMT_PREPARE with 1295. A string bound to
// LIMIT ? works only server-side (emulation quotes it: LIMIT '2' is a syntax error); a syntax error
// surfaces at prepare() only if the server saw the statement.
step('PDO native prepares', function () {
    global $pdo, $table;
    try {
        $pdo->prepare('SELEC 1');
        check(false, 'PDO prepare SELEC 1 fails at prepare()', 'PDOException 1064', 'no exception (emulated prepare?)');
    } catch (PDOException $e) {
        same('PDO prepare SELEC 1 fails at prepare()', [1064, '42000'], [$e->errorInfo[1], $e->getCode()]);
    }
    $q = $pdo->prepare("SELECT id FROM $table WHERE id > ? ORDER BY id LIMIT ?");
    $q->execute(['1', '2']);
    same('PDO native prepare: a string bound to LIMIT ? (ORDER BY over both shards)', [2, 3], $q->fetchAll(PDO::FETCH_COLUMN));
});

$pdoRows = [
    11 => [11, 5, -1, -9223372036854775807, 2.5, '1.5000000000', 'pdo ' . EMOJI, "\x00\x27\x5c\xff", '2001-02-03', '2001-02-03 04:05:06.000007', 'a'],
    12 => [12, 5, 1, 9223372036854775807, -0.5, '-1.0000000000', "it's", '', '1999-12-31', '1999-12-31 23:59:59.999999', 'b'],
    13 => [13, 6, 7, 7, 7.25, '7.0000000000', '', pattern(300), '2020-02-29', '2020-02-29 00:00:00.000000', 'c'],
    14 => [14, null, null, null, null, null, null, null, null, null, null],
];

step('PDO INSERT and SELECT', function () use ($pdoRows) {
    global $pdo, $table;
    $ins = $pdo->prepare("INSERT INTO $table (id, g, i, bi, d, dc, vc, bl, dt, dtm, en) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    $types = [PDO::PARAM_INT, PDO::PARAM_INT, PDO::PARAM_INT, PDO::PARAM_INT, PDO::PARAM_STR, PDO::PARAM_STR,
              PDO::PARAM_STR, PDO::PARAM_LOB, PDO::PARAM_STR, PDO::PARAM_STR, PDO::PARAM_STR];
    foreach ($pdoRows as $r) {
        foreach ($r as $k => $x) $ins->bindValue($k + 1, $x, $x === null ? PDO::PARAM_NULL : $types[$k]);
        $ins->execute();
        same("PDO INSERT id {$r[0]}: rowCount", 1, $ins->rowCount());
    }
    $sel = $pdo->prepare("SELECT id, g, i, bi, d, dc, vc, bl, dt, dtm, en FROM $table WHERE id = :id");
    foreach ($pdoRows as $id => $r) {
        $sel->bindValue(':id', $id, PDO::PARAM_INT);
        $sel->execute();
        same("PDO SELECT id $id", [$r], $sel->fetchAll(PDO::FETCH_NUM));
    }
});

step('PDO ORDER BY, LIMIT, GROUP BY, UPDATE', function () {
    global $pdo, $table;
    $q = $pdo->prepare("SELECT id FROM $table WHERE id BETWEEN ? AND ? ORDER BY id DESC LIMIT ?, ?");
    foreach ([1, 14, 1, 3] as $k => $x) $q->bindValue($k + 1, $x, PDO::PARAM_INT);
    $q->execute();
    same('PDO ORDER BY id DESC LIMIT 1, 3 over both shards', [13, 12, 11], $q->fetchAll(PDO::FETCH_COLUMN));
    $q = $pdo->prepare("SELECT g, COUNT(*), SUM(d), MAX(dtm) FROM $table WHERE id BETWEEN ? AND ? GROUP BY g ORDER BY g DESC");
    $q->execute([11, 14]);
    same('PDO GROUP BY g over both shards', [[6, 1, 7.25, '2020-02-29 00:00:00.000000'], [5, 2, 2.0, '2001-02-03 04:05:06.000007'], [null, 1, null, null]],
         $q->fetchAll(PDO::FETCH_NUM));
    $up = $pdo->prepare("UPDATE $table SET en = ? WHERE id BETWEEN ? AND ?");
    $up->execute(['c', 11, 14]);
    same('PDO UPDATE id BETWEEN 11 AND 14: rowCount (changed rows)', 3, $up->rowCount());
});

step('PDO transactions and lastInsertId', function () {
    global $pdo, $table, $ai;
    $pdo->beginTransaction();
    $ai1 = $pdo->prepare("INSERT INTO $ai (v) VALUES (?)");
    $ai1->execute(['pdo']);
    same("PDO lastInsertId of $ai", '3', $pdo->lastInsertId());
    $tx = $pdo->prepare("INSERT INTO $table (id, vc) VALUES (?, 'pdo tx')");
    foreach ([23, 24] as $id) {
        $tx->bindValue(1, $id, PDO::PARAM_INT);
        $tx->execute();
    }
    $pdo->rollBack();
    $c = $pdo->prepare("SELECT COUNT(*) FROM $table WHERE id IN (?, ?)");
    $c->bindValue(1, 23, PDO::PARAM_INT);
    $c->bindValue(2, 24, PDO::PARAM_INT);
    $c->execute();
    same('PDO rows 23, 24 after rollBack', 0, $c->fetchColumn());
    $c = $pdo->prepare("SELECT COUNT(*) FROM $ai");
    $c->execute();
    same("PDO $ai rows after rollBack", 2, $c->fetchColumn());
    $pdo->beginTransaction();
    $ai1->execute(['pdo']);
    same("PDO lastInsertId of $ai after the rolled back one", '4', $pdo->lastInsertId());
    $pdo->commit();
    $del = $pdo->prepare("DELETE FROM $ai WHERE id = ?");
    $del->execute([4]);   // a single table: the string '4' needs no routing
    same("PDO DELETE from $ai: rowCount", 1, $del->rowCount());
});

// execute([...]) binds every value as a string (MYSQL_TYPE_VAR_STRING), the sharding key included.
// The proxy converts a value compared with a sharding column as MySQL does for the column's type,
// so the string '2' finds the row the integer 2 finds, through the proxy as on MariaDB.
step('PDO sharding key bound as an integer, and as a string', function () {
    global $pdo, $table;
    $q = $pdo->prepare("SELECT id, vc FROM $table WHERE id = ?");
    foreach ([2, 3] as $id) {
        $q->bindValue(1, $id, PDO::PARAM_INT);
        $q->execute();
        same("PDO bindValue($id, PARAM_INT) on WHERE id = ?", [[$id, $id === 2 ? EMOJI . EMOJI : '']], $q->fetchAll(PDO::FETCH_NUM));
    }
    foreach (['2', ' 2', '2.0'] as $text) {
        $q->execute([$text]);
        same("PDO execute(['$text']) on WHERE id = ?", [[2, EMOJI . EMOJI]], $q->fetchAll(PDO::FETCH_NUM));
    }
    $q->execute(['2.5']);
    same("PDO execute(['2.5']) on WHERE id = ? matches no row", [], $q->fetchAll(PDO::FETCH_NUM));
});

step('PDO errors', function () {
    global $pdo;
    try {
        $pdo->prepare('SELECT * FROM no_such_table WHERE id = ?');
        check(false, 'PDO prepare of a missing table fails', 'PDOException 1146', 'no exception');
    } catch (PDOException $e) {
        same('PDO prepare of a missing table fails', [1146, '42S02'], [$e->errorInfo[1], $e->getCode()]);
    }
});

if ($failures) {
    echo "$failures check(s) failed\n";
    exit(1);
}
echo "all checks passed\n";
