// A libmariadb client of mysql_change_user(), run by test_change_user.py against the proxy:
// session state is reset by a change (user variables, an open transaction, the database), the
// new user's authority applies, both auth plugins work (caching_sha2_password through an
// AuthSwitchRequest), and a failed change ends the connection.
//
//   change_user_client PORT
//
// Expects the proxy's users root/root (every database), app/app (db1 only) and
// sha2user/sha2pass (caching_sha2_password), and a table t (id INT PRIMARY KEY) in db1 without
// the id 100. One line per check ("ok ..." or "FAIL ..."); exit status 1 if any check failed, 2
// on bad usage.
#include <errmsg.h>
#include <mysql.h>

#include <cstdio>
#include <cstdlib>
#include <string>

namespace {

int failures = 0;

void check(bool ok, const std::string& what, const std::string& got = "") {
  if (ok) {
    std::printf("ok   %s\n", what.c_str());
  } else {
    std::printf("FAIL %s%s%s\n", what.c_str(), got.empty() ? "" : ": got ", got.c_str());
    ++failures;
  }
}

std::string error(MYSQL* m) {
  return std::to_string(mysql_errno(m)) + " (" + mysql_sqlstate(m) + ") " + mysql_error(m);
}

[[noreturn]] void die(const std::string& what, MYSQL* m) {
  std::printf("FAIL %s: %s\nstopping after %d failed check(s)\n", what.c_str(), error(m).c_str(),
              failures);
  std::exit(1);
}

void run(MYSQL* m, const std::string& sql) {
  if (mysql_query(m, sql.c_str()) != 0) die(sql, m);
}

// The one value of a one-row, one-column result; "NULL" for NULL.
std::string scalar(MYSQL* m, const std::string& sql) {
  run(m, sql);
  MYSQL_RES* res = mysql_store_result(m);
  if (!res) die(sql + " (no result)", m);
  MYSQL_ROW row = mysql_fetch_row(res);
  std::string v = !row ? "(no row)" : row[0] ? row[0] : "NULL";
  mysql_free_result(res);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: change_user_client PORT\n");
    return 2;
  }
  const unsigned port = static_cast<unsigned>(std::atoi(argv[1]));
  MYSQL* m = mysql_init(nullptr);
  unsigned timeout = 30;
  mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
  mysql_options(m, MYSQL_OPT_READ_TIMEOUT, &timeout);
  if (!mysql_real_connect(m, "127.0.0.1", "root", "root", "db1", port, nullptr, 0)) {
    die("connect as root", m);
  }
  // State that a change must not carry over: a user variable, an open transaction.
  run(m, "SET @v = 42");
  check(scalar(m, "SELECT @v") == "42", "user variable set");
  run(m, "BEGIN");
  run(m, "INSERT INTO t VALUES (100)");
  check(scalar(m, "SELECT COUNT(*) FROM t WHERE id = 100") == "1", "row inserted in a transaction");

  if (mysql_change_user(m, "app", "app", "db1") != 0) die("change to app", m);
  check(true, "changed to app (mysql_native_password)");
  check(scalar(m, "SELECT @v") == "NULL", "user variable gone", scalar(m, "SELECT @v"));
  check(scalar(m, "SELECT DATABASE()") == "db1", "database is db1");
  check(scalar(m, "SELECT COUNT(*) FROM t WHERE id = 100") == "0",
        "the open transaction was rolled back");
  // app may use db1 only.
  bool refused = mysql_select_db(m, "db2") != 0;
  check(refused && mysql_errno(m) == 1044, "app may not use db2", error(m));

  // caching_sha2_password: libmariadb starts with mysql_native_password and is switched.
  if (mysql_change_user(m, "sha2user", "sha2pass", nullptr) != 0) die("change to sha2user", m);
  check(true, "changed to sha2user (caching_sha2_password)");
  check(scalar(m, "SELECT DATABASE()") == "NULL", "no database after a change without one");
  check(scalar(m, "SELECT 6 * 7") == "42", "queries run as sha2user");

  if (mysql_change_user(m, "root", "root", "db2") != 0) die("change back to root", m);
  check(scalar(m, "SELECT DATABASE()") == "db2", "root in db2");

  // A failed change ends the connection.
  bool failed = mysql_change_user(m, "app", "wrong", nullptr) != 0;
  check(failed && mysql_errno(m) == 1045, "wrong password refused", error(m));
  check(std::string(mysql_error(m)) ==
            "Access denied for user 'app'@'127.0.0.1' (using password: YES)",
        "MySQL's message", mysql_error(m));
  bool gone = mysql_query(m, "SELECT 1") != 0;
  unsigned err = mysql_errno(m);
  check(gone && (err == CR_SERVER_LOST || err == CR_SERVER_GONE_ERROR),
        "the connection is closed after a failed change", error(m));
  mysql_close(m);

  std::printf("%s: %d failed check(s)\n", failures ? "FAILED" : "PASSED", failures);
  return failures ? 1 : 0;
}
