<?php
// PHP PDO and mysqli (mysqlnd) as an application uses them, on a sharded table. Run by
// test_app_php.py on a reference MariaDB and through the proxy:
//
//   php pdo_app.php PORT USER PASSWORD DATABASE pdo-emulated|pdo-native|mysqli
//
// pdo-emulated: PDO's default, prepares emulated in the client (values quoted into the SQL);
// pdo-native: PDO::ATTR_EMULATE_PREPARES=false (COM_STMT_PREPARE / COM_STMT_EXECUTE); both bind
// every value, integers included, as PDO::PARAM_STR, PDO's default. mysqli: prepared statements
// with bind_param('s') and execute([...]) (strings too), and plain queries.
// DATABASE holds t_order (order_id, user_id, status, amount, note), loaded by the test. One JSON
// line per step: {"step": ..., "result": ...} or {"step": ..., "error": [errno, message]}; the
// last step is "done".

if ($argc != 6) {
    fwrite(STDERR, "usage: php pdo_app.php PORT USER PASSWORD DATABASE pdo-emulated|pdo-native|mysqli\n");
    exit(2);
}
[$port, $user, $password, $db, $mode] = [(int)$argv[1], $argv[2], $argv[3], $argv[4], $argv[5]];
const COLS = 'order_id, user_id, status, amount, note';

function emit($record) {
    echo json_encode($record, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION), "\n";
}

// Runs one step; an error is recorded and the next step goes on. $cleanup runs after an error
// (to end a transaction the step left open).
function step($name, $body, $cleanup = null) {
    try {
        emit(['step' => $name, 'result' => $body()]);
        return;
    } catch (PDOException $e) {
        $errno = is_array($e->errorInfo) && isset($e->errorInfo[1]) ? (int)$e->errorInfo[1] : 0;
        $msg = is_array($e->errorInfo) && isset($e->errorInfo[2]) ? $e->errorInfo[2] : $e->getMessage();
        emit(['step' => $name, 'error' => [$errno, $msg]]);
    } catch (mysqli_sql_exception $e) {
        emit(['step' => $name, 'error' => [$e->getCode(), $e->getMessage()]]);
    }
    if ($cleanup) {
        try { $cleanup(); } catch (Exception $e) { /* nothing open */ }
    }
}

function pdoSteps(PDO $pdo) {
    $cols = COLS;
    $rows = function ($sql, $params = []) use ($pdo) {
        $st = $pdo->prepare($sql);
        $st->execute($params);
        $names = [];
        for ($i = 0; $i < $st->columnCount(); $i++) $names[] = $st->getColumnMeta($i)['name'];
        return ['names' => $names, 'rows' => $st->fetchAll(PDO::FETCH_NUM)];
    };
    $affected = function ($sql, $params) use ($pdo) {
        $st = $pdo->prepare($sql);
        $st->execute($params);
        return $st->rowCount();
    };
    $endTx = function () use ($pdo) { if ($pdo->inTransaction()) $pdo->rollBack(); };

    step('select by user_id, execute([string])', fn() =>
        $rows("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", ['3']));
    step('select by user_id, bindValue(int) with the default PARAM_STR', function () use ($pdo, $cols) {
        $st = $pdo->prepare("SELECT $cols FROM t_order WHERE user_id = :u ORDER BY order_id");
        $st->bindValue(':u', 4);
        $st->execute();
        return $st->fetchAll(PDO::FETCH_NUM);
    });
    step('select by both keys, named parameters', function () use ($pdo, $cols) {
        $st = $pdo->prepare("SELECT $cols FROM t_order WHERE user_id = :user AND order_id = :order");
        $st->execute([':user' => 2, ':order' => 1004]);
        return $st->fetch(PDO::FETCH_ASSOC);
    });
    step('select by order_id alone', fn() => $rows("SELECT $cols FROM t_order WHERE order_id = ?", [1005]));
    step('select user_id IN', fn() =>
        $rows("SELECT $cols FROM t_order WHERE user_id IN (?, ?) ORDER BY amount DESC, order_id", [1, 6]));

    step('cross-shard select with ORDER BY', fn() =>
        $rows("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id"));
    step('cross-shard select with a bound filter and ORDER BY', fn() =>
        $rows("SELECT order_id, user_id, amount FROM t_order WHERE status = ? AND amount > ? ORDER BY amount DESC, order_id",
              ['NEW', '9']));
    step('cross-shard select with LIMIT bound as PARAM_INT', function () use ($pdo) {
        $st = $pdo->prepare('SELECT order_id, amount FROM t_order ORDER BY amount DESC, order_id LIMIT ?');
        $st->bindValue(1, 3, PDO::PARAM_INT);
        $st->execute();
        return $st->fetchAll(PDO::FETCH_NUM);
    });
    step('cross-shard GROUP BY', fn() =>
        $rows('SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM t_order GROUP BY user_id ORDER BY user_id'));
    step('cross-shard count', fn() =>
        $rows('SELECT COUNT(*) FROM t_order WHERE status <> ?', ['CANCELLED']));

    step('insert with bound values', function () use ($pdo, $cols) {
        $st = $pdo->prepare("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)");
        $counts = [];
        foreach ([['2001', '7', 'NEW', '11.11', null], [2002, 8, 'PAID', '0.99', 'second'],
                  [2003, 7, 'NEW', 5, "bound 'quotes' \u{e9}"]] as $values) {
            $st->execute($values);
            $counts[] = $st->rowCount();
        }
        return $counts;
    });
    step('insert with named parameters', fn() => $affected(
        "INSERT INTO t_order ($cols) VALUES (:o, :u, :s, :a, :n)",
        [':o' => 2004, ':u' => 9, ':s' => 'NEW', ':a' => '4.40', ':n' => null]));
    step('select the inserted rows', fn() =>
        $rows("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", [7]));

    step('update by both keys', fn() => $affected(
        'UPDATE t_order SET status = ?, amount = amount + ? WHERE user_id = ? AND order_id = ?', ['PAID', '1.50', 7, 2001]));
    step('update by order_id', fn() => $affected('UPDATE t_order SET note = ? WHERE order_id = ?', ['edited', 1002]));
    step('update by user_id', function () use ($pdo) {
        $st = $pdo->prepare('UPDATE t_order SET amount = amount * 2 WHERE user_id = ?');
        $st->execute([4]);
        $n = [$st->rowCount()];
        $st->execute(['6']);
        $n[] = $st->rowCount();
        return $n;
    });
    step('update that matches nothing', fn() => $affected(
        'UPDATE t_order SET status = ? WHERE user_id = ? AND order_id = ?', ['X', 1, 9999]));
    step('rows after the updates', fn() =>
        $rows("SELECT $cols FROM t_order WHERE order_id IN (?, ?, ?, ?) ORDER BY order_id", [2001, 1002, 1007, 1011]));

    step('delete by both keys', fn() => $affected('DELETE FROM t_order WHERE user_id = ? AND order_id = ?', [8, 2002]));
    step('delete by user_id', fn() => $affected('DELETE FROM t_order WHERE user_id = ?', [5]));

    step('transaction rolled back', function () use ($pdo, $cols, $affected) {
        $pdo->beginTransaction();
        $affected("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", [2010, 9, 'NEW', 1, null]);
        $affected('UPDATE t_order SET status = ? WHERE user_id = ? AND order_id = ?', ['LOST', 1, 1001]);
        $sel = $pdo->prepare('SELECT order_id, status FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id');
        $sel->execute([2010, 1001]);
        $inside = $sel->fetchAll(PDO::FETCH_NUM);
        $pdo->rollBack();
        $sel->execute([2010, 1001]);
        return ['inside' => $inside, 'after' => $sel->fetchAll(PDO::FETCH_NUM)];
    }, $endTx);
    step('transaction committed', function () use ($pdo, $cols, $affected, $rows) {
        $pdo->beginTransaction();
        $affected("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", [2011, 10, 'NEW', '2.5', 'tx']);
        $affected('DELETE FROM t_order WHERE user_id = ? AND order_id = ?', [1, 1001]);
        $pdo->commit();
        return $rows('SELECT order_id, user_id FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id', [2011, 1001]);
    }, $endTx);
    step('error: duplicate key', fn() => $affected(
        "INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", [1003, 2, 'NEW', 1, null]));
    step('final contents, cross-shard ORDER BY', fn() =>
        $rows("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id"));
}

function mysqliSteps(mysqli $m) {
    $cols = COLS;
    // execute([...]) (PHP 8.1) binds every value as a string
    $rows = function ($sql, $params = null) use ($m) {
        $st = $m->prepare($sql);
        $st->execute($params);
        $res = $st->get_result();
        $names = array_map(fn($f) => $f->name, $res->fetch_fields());
        $out = ['names' => $names, 'rows' => $res->fetch_all(MYSQLI_NUM)];
        $st->close();
        return $out;
    };
    $affected = function ($sql, $params) use ($m) {
        $st = $m->prepare($sql);
        $st->execute($params);
        $n = $st->affected_rows;
        $st->close();
        return $n;
    };
    $endTx = function () use ($m) { $m->rollback(); $m->autocommit(true); };

    step('select by user_id, bind_param(s)', function () use ($m, $cols) {
        $st = $m->prepare("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id");
        $uid = '3';
        $st->bind_param('s', $uid);
        $st->execute();
        $out = $st->get_result()->fetch_all(MYSQLI_NUM);
        $uid = '4';           // bound by reference: the next execute sends the new value
        $st->execute();
        return [$out, $st->get_result()->fetch_all(MYSQLI_NUM)];
    });
    step('select by both keys, execute([ints])', fn() =>
        $rows("SELECT $cols FROM t_order WHERE user_id = ? AND order_id = ?", [2, 1004]));
    step('select by user_id, query with an escaped quoted value', function () use ($m, $cols) {
        $res = $m->query("SELECT $cols FROM t_order WHERE user_id = '" . $m->real_escape_string('6') . "' ORDER BY order_id");
        return $res->fetch_all(MYSQLI_ASSOC);
    });
    step('select by order_id alone, bind_param(i)', function () use ($m, $cols) {
        $st = $m->prepare("SELECT $cols FROM t_order WHERE order_id = ?");
        $oid = 1005;
        $st->bind_param('i', $oid);
        $st->execute();
        return $st->get_result()->fetch_all(MYSQLI_NUM);
    });

    step('cross-shard select with ORDER BY', fn() => $rows("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id"));
    step('cross-shard select with a bound filter and ORDER BY', fn() =>
        $rows('SELECT order_id, user_id, amount FROM t_order WHERE status = ? AND amount > ? ORDER BY amount DESC, order_id',
              ['NEW', '9']));
    step('cross-shard GROUP BY, plain query', fn() =>
        $m->query('SELECT user_id, COUNT(*) AS n, SUM(amount) AS total FROM t_order GROUP BY user_id ORDER BY user_id')
          ->fetch_all(MYSQLI_NUM));

    step('insert with bind_param(sssss)', function () use ($m, $cols) {
        $st = $m->prepare("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)");
        $counts = [];
        foreach ([['2001', '7', 'NEW', '11.11', null], ['2002', '8', 'PAID', '0.99', 'second'],
                  ['2003', '7', 'NEW', '5', "bound 'quotes' \u{e9}"]] as [$o, $u, $s, $a, $n]) {
            $st->bind_param('sssss', $o, $u, $s, $a, $n);
            $st->execute();
            $counts[] = $st->affected_rows;
        }
        return $counts;
    });
    step('insert with a plain query', function () use ($m, $cols) {
        $m->query("INSERT INTO t_order ($cols) VALUES (2004, 9, 'NEW', 4.40, '" . $m->real_escape_string("o'k") . "')");
        return $m->affected_rows;
    });
    step('select the inserted rows', fn() => $rows("SELECT $cols FROM t_order WHERE user_id = ? ORDER BY order_id", ['7']));

    step('update by both keys', fn() => $affected(
        'UPDATE t_order SET status = ?, amount = amount + ? WHERE user_id = ? AND order_id = ?', ['PAID', '1.50', '7', '2001']));
    step('update by order_id', fn() => $affected('UPDATE t_order SET note = ? WHERE order_id = ?', ['edited', '1002']));
    step('update by user_id, plain query', function () use ($m) {
        $m->query("UPDATE t_order SET amount = amount * 2 WHERE user_id = '4'");
        return $m->affected_rows;
    });
    step('rows after the updates', fn() =>
        $rows("SELECT $cols FROM t_order WHERE order_id IN (?, ?, ?) ORDER BY order_id", ['2001', '1002', '1007']));
    step('delete by both keys', fn() => $affected('DELETE FROM t_order WHERE user_id = ? AND order_id = ?', ['8', '2002']));
    step('delete by user_id', fn() => $affected('DELETE FROM t_order WHERE user_id = ?', ['5']));

    step('transaction rolled back', function () use ($m, $cols, $affected, $rows) {
        $m->begin_transaction();
        $affected("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", ['2010', '9', 'NEW', '1', null]);
        $affected('UPDATE t_order SET status = ? WHERE user_id = ? AND order_id = ?', ['LOST', '1', '1001']);
        $inside = $rows('SELECT order_id, status FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id', ['2010', '1001']);
        $m->rollback();
        return ['inside' => $inside,
                'after' => $rows('SELECT order_id, status FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id', ['2010', '1001'])];
    }, $endTx);
    step('autocommit off, committed', function () use ($m, $cols, $affected, $rows) {
        $m->autocommit(false);
        $affected("INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", ['2011', '10', 'NEW', '2.5', 'tx']);
        $affected('DELETE FROM t_order WHERE user_id = ? AND order_id = ?', ['1', '1001']);
        $m->commit();
        $m->autocommit(true);
        return $rows('SELECT order_id, user_id FROM t_order WHERE order_id IN (?, ?) ORDER BY order_id', ['2011', '1001']);
    }, $endTx);
    step('error: duplicate key', fn() => $affected(
        "INSERT INTO t_order ($cols) VALUES (?, ?, ?, ?, ?)", ['1003', '2', 'NEW', '1', null]));
    step('final contents, cross-shard ORDER BY', fn() => $rows("SELECT $cols FROM t_order ORDER BY user_id DESC, order_id"));
}

if ($mode === 'mysqli') {
    mysqli_report(MYSQLI_REPORT_ERROR | MYSQLI_REPORT_STRICT);
    $m = mysqli_init();
    $m->options(MYSQLI_OPT_CONNECT_TIMEOUT, 10);
    $m->options(MYSQLI_OPT_READ_TIMEOUT, 60);
    $m->real_connect('127.0.0.1', $user, $password, $db, $port);
    $m->set_charset('utf8mb4');
    mysqliSteps($m);
    $m->close();
} else {
    $options = [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_TIMEOUT => 10];
    if ($mode === 'pdo-native') {
        $options[PDO::ATTR_EMULATE_PREPARES] = false;
    } elseif ($mode !== 'pdo-emulated') {
        fwrite(STDERR, "unknown mode $mode\n");
        exit(2);
    }
    $pdo = new PDO("mysql:host=127.0.0.1;port=$port;dbname=$db;charset=utf8mb4", $user, $password, $options);
    pdoSteps($pdo);
}
emit(['step' => 'done', 'result' => true]);
