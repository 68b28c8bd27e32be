<?php
// Runs statements over the binary protocol for test_differential_variants.py: PDO with
// ATTR_EMULATE_PREPARES=false (COM_STMT_PREPARE / COM_STMT_EXECUTE), every parameter bound as a
// string (PDO's default), on one connection kept open between requests.
//
//   php binary_runner.php HOST PORT USER PASSWORD DATABASE
//
// Reads one JSON request per line and answers each with one JSON line:
//   {"sql": "...", "params": ["1", ...]}  -> {"columns": [[name, native_type], ...], "rows": [[...], ...]}
//   {"mode": "..."}                         -> {"ok": true}    (SET SESSION sql_mode = '...')
//   either, on an error                     -> {"error": [errno, message]}
// The first line written, before any request, says whether prepares are the server's:
//   {"native": true} (a syntax error is reported by prepare(), so the server saw it), or false.
// Values come as PDO gives them over the binary protocol: integers as numbers, DECIMAL, dates and
// strings as strings, floats as numbers, NULL as null.

if ($argc != 6) {
    fwrite(STDERR, "usage: php binary_runner.php HOST PORT USER PASSWORD DATABASE\n");
    exit(2);
}
[$host, $port, $user, $password, $db] = [$argv[1], (int)$argv[2], $argv[3], $argv[4], $argv[5]];

function emit($record) {
    echo json_encode($record, JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES | JSON_PRESERVE_ZERO_FRACTION
                              | JSON_INVALID_UTF8_SUBSTITUTE), "\n";
    flush();
}

function error_of($e) {
    $errno = is_array($e->errorInfo) && isset($e->errorInfo[1]) ? (int)$e->errorInfo[1] : 0;
    $msg = is_array($e->errorInfo) && isset($e->errorInfo[2]) ? $e->errorInfo[2] : $e->getMessage();
    return ['error' => [$errno, $msg]];
}

try {
    $pdo = new PDO("mysql:host=$host;port=$port;dbname=$db;charset=utf8mb4", $user, $password,
                   [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION, PDO::ATTR_EMULATE_PREPARES => false,
                    PDO::ATTR_TIMEOUT => 10]);
} catch (PDOException $e) {
    emit(error_of($e));
    exit(1);
}

// PDO silently emulates prepares when the server refuses COM_STMT_PREPARE (1295): then a
// syntax error would surface only at execute().
$native = false;
try {
    $pdo->prepare('SELEC 1');
} catch (PDOException $e) {
    $native = true;
}
emit(['native' => $native]);

while (($line = fgets(STDIN)) !== false) {
    $req = json_decode($line, true);
    if (!is_array($req)) {
        emit(['error' => [0, 'bad request line']]);
        continue;
    }
    try {
        if (array_key_exists('mode', $req)) {
            $pdo->exec("SET SESSION sql_mode = " . $pdo->quote($req['mode']));
            emit(['ok' => true]);
            continue;
        }
        $stmt = $pdo->prepare($req['sql']);
        $stmt->execute($req['params'] ?? []);
        $columns = [];
        for ($i = 0; $i < $stmt->columnCount(); $i++) {
            $meta = $stmt->getColumnMeta($i);
            $columns[] = [$meta['name'], $meta['native_type'] ?? null];
        }
        $rows = $stmt->fetchAll(PDO::FETCH_NUM);
        $stmt->closeCursor();
        $stmt = null;    // COM_STMT_CLOSE now, not at the next request
        emit(['columns' => $columns, 'rows' => $rows]);
    } catch (PDOException $e) {
        emit(error_of($e));
    }
}
