// MariaDB Connector/J (2.7, Debian libmariadb-java) with server-side prepared statements, run by
// test_prepared_clients.py first against a plain MariaDB server (which proves this program) and
// then against the proxy on a sharded logical database:
//
//   java -cp /usr/share/java/mariadb-java-client.jar tests/integration/PreparedClient.java \
//       'jdbc:mariadb://127.0.0.1:PORT/DB?user=root&password=root&useServerPrepStmts=true&useSSL=false' \
//       [TABLE]
//
// TABLE (default j_types) is dropped and created through the connection under test with a BIGINT
// primary key `id`, the column the proxy configuration must shard by; TABLE_ai, an AUTO_INCREMENT
// table, must be an unsharded (single) table. Ids used: 1..4, 101..106, 201..204. The program
// leaves TABLE holding ids 1..4 and TABLE_ai holding ids 1..3.
//
// Connector/J quietly falls back to client-side (text protocol) statements when the server refuses
// COM_STMT_PREPARE, so every statement is checked to be a ServerSidePreparedStatement.
// One line per check ("ok ..." or "FAIL ...: expected ..., got ..."); exit status 1 on any failure.

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.TimeZone;

public class PreparedClient {
  static int failures = 0;

  static void ok(String what) {
    System.out.println("ok   " + what);
  }

  static void check(boolean cond, String what, Object expected, Object got) {
    if (cond) {
      ok(what);
    } else {
      System.out.println("FAIL " + what + ": expected " + show(expected) + ", got " + show(got));
      failures++;
    }
  }

  static void checkEq(String what, Object expected, Object got) {
    boolean same = expected instanceof byte[] && got instanceof byte[]
        ? Arrays.equals((byte[]) expected, (byte[]) got)
        : Objects.equals(expected, got);
    check(same, what, expected, got);
  }

  static String show(Object o) {
    if (o == null) return "null";
    if (o instanceof byte[]) {
      byte[] b = (byte[]) o;
      StringBuilder s = new StringBuilder("0x");
      for (int i = 0; i < b.length && i < 32; i++) s.append(String.format("%02x", b[i] & 0xff));
      if (b.length > 32) s.append("...(").append(b.length).append(" bytes)");
      return s.toString();
    }
    if (o instanceof String) return "'" + o + "'";
    if (o instanceof int[]) return Arrays.toString((int[]) o);
    return o.toString() + " (" + o.getClass().getSimpleName() + ")";
  }

  static final String EMOJI = "\uD83D\uDE00"; // U+1F600

  final Connection conn;
  final String url;
  final String table;

  PreparedClient(Connection conn, String url, String table) {
    this.conn = conn;
    this.url = url;
    this.table = table;
  }

  // A statement the server prepared: Connector/J would silently run a refused one as text.
  PreparedStatement prep(String sql) throws SQLException {
    return prep(sql, Statement.NO_GENERATED_KEYS);
  }

  PreparedStatement prep(String sql, int keys) throws SQLException {
    PreparedStatement ps = conn.prepareStatement(sql, keys);
    String kind = ps.getClass().getSimpleName();
    String shortSql = sql.length() > 60 ? sql.substring(0, 60) + "..." : sql;
    check(kind.equals("ServerSidePreparedStatement"), "server-side prepare of " + shortSql,
        "ServerSidePreparedStatement", kind + " (the driver fell back to the text protocol)");
    return ps;
  }

  static byte[] pattern(int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) b[i] = (byte) (i * 7 + i / 256);
    return b;
  }

  // One row of TABLE as the program sets and expects it; null fields are NULL.
  static final class Row {
    long id;
    Integer g;
    Integer i;
    Long bi;
    BigDecimal bu;
    BigDecimal dc;
    Double d;
    Float f;
    String vc;
    byte[] vb;
    byte[] bl;
    Date dt;
    Time tm;
    String tmText; // TIME(6) set with setString: negative, over 24 hours, with microseconds
    Timestamp dtm;
    Timestamp ts;
  }

  static final String COLUMNS = "id, g, i, bi, bu, dc, d, f, vc, vb, bl, dt, tm, tt, dtm, ts";

  static List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    Row r = new Row();
    r.id = 1;
    r.g = 1;
    r.i = Integer.MIN_VALUE;
    r.bi = Long.MIN_VALUE;
    r.bu = new BigDecimal("18446744073709551615");
    r.dc = new BigDecimal("-12345678901234567890.0123456789");
    r.d = -Double.MAX_VALUE;
    // Not Float.MAX_VALUE: the proxy reads backends in the text protocol, where MariaDB writes a
    // FLOAT with 6 significant digits, so only such values come back exactly.
    r.f = 3.40282e38f;
    r.vc = "gr\u00fcn " + EMOJI + " 'q' \\ \"dq\"";
    r.vb = new byte[] {0x00, 0x27, 0x5c, (byte) 0xff};
    r.bl = pattern(3000);
    r.dt = Date.valueOf("1999-12-31");
    r.tm = Time.valueOf("23:59:58");
    r.tmText = "-100:11:12.345678";
    r.dtm = Timestamp.valueOf("2021-03-04 05:06:07.123456789"); // stored as .123456
    r.ts = Timestamp.valueOf("2001-02-03 04:05:06.5");
    rows.add(r);

    r = new Row();
    r.id = 2;
    r.g = 2;
    r.i = Integer.MAX_VALUE;
    r.bi = Long.MAX_VALUE;
    r.bu = BigDecimal.ZERO;
    r.dc = new BigDecimal("99999999999999999999.9999999999");
    r.d = 0.1;
    r.f = 3.14159f;
    r.vc = EMOJI + EMOJI + " \u20ac";
    r.vb = new byte[0];
    r.bl = new byte[] {0x00, 0x27, 0x5c, (byte) 0xff, 0x00};
    r.dt = Date.valueOf("2024-02-29");
    r.tm = Time.valueOf("00:00:00");
    r.tmText = "838:59:59.000000";
    r.dtm = Timestamp.valueOf("2020-06-15 00:00:00");
    r.ts = Timestamp.valueOf("2037-12-31 23:59:59.999999");
    rows.add(r);

    r = new Row();
    r.id = 3;
    r.g = 1;
    r.i = 42;
    r.bi = 9000000000L;
    r.bu = new BigDecimal("9223372036854775808");
    r.dc = new BigDecimal("0.0000000001");
    r.d = 1e-300;
    r.f = -1.5e-10f;
    r.vc = "";
    r.vb = pattern(64);
    r.bl = new byte[0];
    r.dt = Date.valueOf("2000-01-01");
    r.tm = Time.valueOf("12:34:56");
    r.tmText = "00:00:00.000001";
    r.dtm = Timestamp.valueOf("1999-12-31 23:59:59.999999");
    r.ts = Timestamp.valueOf("1980-01-01 00:00:00");
    rows.add(r);

    r = new Row(); // NULL in every column but id
    r.id = 4;
    rows.add(r);
    return rows;
  }

  interface Step {
    void run() throws SQLException;
  }

  // An exception ends its step, not the run: the later steps still report what they see.
  static void step(String name, Step body) {
    try {
      body.run();
    } catch (SQLException e) {
      System.out.println("FAIL " + name + " stopped by " + e.getClass().getSimpleName() + ": error "
          + e.getErrorCode() + " (" + e.getSQLState() + ") " + e.getMessage());
      failures++;
    }
  }

  void run() throws SQLException {
    createTables();
    List<Row> rows = rows();
    step("insertRows", () -> insertRows(rows));
    step("readBack", () -> readBack(rows));
    step("batch", this::batch);
    step("orderedAndGrouped", () -> orderedAndGrouped(rows));
    step("generatedKeys", this::generatedKeys);
    step("transactions", this::transactions);
    step("updateAndDelete", this::updateAndDelete);
    step("errors", this::errors);
  }

  void createTables() throws SQLException {
    try (Statement st = conn.createStatement()) {
      st.execute("DROP TABLE IF EXISTS " + table);
      st.execute("CREATE TABLE " + table + " (id BIGINT NOT NULL PRIMARY KEY, g INT, i INT,"
          + " bi BIGINT, bu BIGINT UNSIGNED, dc DECIMAL(30,10), d DOUBLE, f FLOAT, vc VARCHAR(100),"
          + " vb VARBINARY(64), bl BLOB, dt DATE, tm TIME, tt TIME(6), dtm DATETIME(6),"
          + " ts TIMESTAMP(6) NULL DEFAULT NULL) DEFAULT CHARSET=utf8mb4");
      st.execute("DROP TABLE IF EXISTS " + table + "_ai");
      st.execute("CREATE TABLE " + table + "_ai (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
          + " v VARCHAR(20))");
    }
    ok("created " + table + " and " + table + "_ai (text protocol)");
  }

  void insertRows(List<Row> rows) throws SQLException {
    try (PreparedStatement ps = prep("INSERT INTO " + table + " (" + COLUMNS
        + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
      checkEq("INSERT parameter count", 16, ps.getParameterMetaData().getParameterCount());
      for (Row r : rows) {
        ps.setLong(1, r.id);
        if (r.g == null) ps.setNull(2, Types.INTEGER); else ps.setInt(2, r.g);
        if (r.i == null) ps.setNull(3, Types.INTEGER); else ps.setInt(3, r.i);
        if (r.bi == null) ps.setNull(4, Types.BIGINT); else ps.setLong(4, r.bi);
        if (r.bu == null) ps.setNull(5, Types.DECIMAL); else ps.setBigDecimal(5, r.bu);
        if (r.dc == null) ps.setNull(6, Types.DECIMAL); else ps.setBigDecimal(6, r.dc);
        if (r.d == null) ps.setNull(7, Types.DOUBLE); else ps.setDouble(7, r.d);
        if (r.f == null) ps.setNull(8, Types.FLOAT); else ps.setFloat(8, r.f);
        if (r.vc == null) ps.setNull(9, Types.VARCHAR); else ps.setString(9, r.vc);
        if (r.vb == null) ps.setNull(10, Types.VARBINARY); else ps.setBytes(10, r.vb);
        if (r.bl == null) ps.setNull(11, Types.BLOB); else ps.setBytes(11, r.bl);
        if (r.dt == null) ps.setNull(12, Types.DATE); else ps.setDate(12, r.dt);
        if (r.tm == null) ps.setNull(13, Types.TIME); else ps.setTime(13, r.tm);
        if (r.tmText == null) ps.setNull(14, Types.VARCHAR); else ps.setString(14, r.tmText);
        if (r.dtm == null) ps.setNull(15, Types.TIMESTAMP); else ps.setTimestamp(15, r.dtm);
        if (r.ts == null) ps.setNull(16, Types.TIMESTAMP); else ps.setTimestamp(16, r.ts);
        checkEq("INSERT id " + r.id + ": executeUpdate", 1, ps.executeUpdate());
      }
    }
  }

  static Timestamp micros(Timestamp t) {
    if (t == null) return null;
    Timestamp out = new Timestamp(t.getTime());
    out.setNanos(t.getNanos() / 1000 * 1000);
    return out;
  }

  void readBack(List<Row> rows) throws SQLException {
    try (PreparedStatement ps = prep("SELECT " + COLUMNS + " FROM " + table + " WHERE id = ?")) {
      checkEq("SELECT parameter count", 1, ps.getParameterMetaData().getParameterCount());
      for (Row r : rows) {
        ps.setLong(1, r.id);
        try (ResultSet rs = ps.executeQuery()) {
          String at = "id " + r.id + ": ";
          check(rs.next(), at + "one row", "a row", "none");
          checkEq(at + "getLong(id)", r.id, rs.getLong("id"));
          int g = rs.getInt("g");
          checkEq(at + "getInt(g)", r.g, rs.wasNull() ? null : g);
          int i = rs.getInt("i");
          checkEq(at + "getInt(i)", r.i, rs.wasNull() ? null : i);
          long bi = rs.getLong("bi");
          checkEq(at + "getLong(bi)", r.bi, rs.wasNull() ? null : bi);
          checkEq(at + "getBigDecimal(bu) (BIGINT UNSIGNED)", r.bu, rs.getBigDecimal("bu"));
          checkEq(at + "getString(bu)", r.bu == null ? null : r.bu.toPlainString(),
              rs.getString("bu"));
          checkEq(at + "getBigDecimal(dc)", r.dc == null ? null : r.dc.setScale(10),
              rs.getBigDecimal("dc"));
          double d = rs.getDouble("d");
          checkEq(at + "getDouble(d)", r.d, rs.wasNull() ? null : d);
          float f = rs.getFloat("f");
          checkEq(at + "getFloat(f)", r.f, rs.wasNull() ? null : f);
          checkEq(at + "getString(vc)", r.vc, rs.getString("vc"));
          checkEq(at + "getBytes(vb)", r.vb, rs.getBytes("vb"));
          checkEq(at + "getBytes(bl)", r.bl, rs.getBytes("bl"));
          checkEq(at + "getDate(dt)", r.dt, rs.getDate("dt"));
          checkEq(at + "getTime(tm)", r.tm, rs.getTime("tm"));
          checkEq(at + "getString(tt) (TIME(6))", r.tmText, rs.getString("tt"));
          checkEq(at + "getTimestamp(dtm) (nanos cut to micros)", micros(r.dtm),
              rs.getTimestamp("dtm"));
          checkEq(at + "getTimestamp(ts)", micros(r.ts), rs.getTimestamp("ts"));
          check(!rs.next(), at + "no second row", "no row", "another row");
        }
      }
      ResultSetMetaData md = ps.getMetaData();
      int[] want = {Types.BIGINT, Types.INTEGER, Types.INTEGER, Types.BIGINT, Types.BIGINT,
          Types.DECIMAL, Types.DOUBLE, Types.REAL, Types.VARCHAR, Types.VARBINARY,
          Types.VARBINARY, Types.DATE, Types.TIME, Types.TIME, Types.TIMESTAMP,
          Types.TIMESTAMP};
      int[] got = new int[md.getColumnCount()];
      for (int k = 0; k < got.length; k++) got[k] = md.getColumnType(k + 1);
      check(Arrays.equals(want, got), "ResultSetMetaData column types", want, got);
      check(!md.isSigned(5) && md.isSigned(4), "ResultSetMetaData bu unsigned, bi signed",
          "false, true", md.isSigned(5) + ", " + md.isSigned(4));
      checkEq("ResultSetMetaData table of vc", table, md.getTableName(9));
      checkEq("ResultSetMetaData scale of dc", 10, md.getScale(6));
    }
  }

  // Six rows over both shards in one executeBatch.
  void batch() throws SQLException {
    try (PreparedStatement ps = prep("INSERT INTO " + table + " (id, g, i, vc) VALUES (?, ?, ?, ?)")) {
      for (long id = 101; id <= 106; id++) {
        ps.setLong(1, id);
        ps.setInt(2, (int) (id % 3));
        ps.setInt(3, (int) id * 10);
        ps.setString(4, "batch " + id + " " + EMOJI);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      boolean each = counts.length == 6;
      for (int n : counts) each &= n == 1 || n == Statement.SUCCESS_NO_INFO;
      check(each, "executeBatch of 6 INSERTs: update counts",
          "6 times 1 (or SUCCESS_NO_INFO)", counts);
    }
    try (PreparedStatement ps = prep("SELECT COUNT(*), SUM(i) FROM " + table
        + " WHERE id BETWEEN ? AND ?")) {
      ps.setLong(1, 101);
      ps.setLong(2, 106);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        checkEq("batch rows: COUNT(*) over both shards", 6L, rs.getLong(1));
        checkEq("batch rows: SUM(i)", new BigDecimal("6210"), rs.getBigDecimal(2));
      }
    }
  }

  void orderedAndGrouped(List<Row> rows) throws SQLException {
    List<Long> want = new ArrayList<>();
    for (long id = 106; id >= 101; id--) want.add(id);
    for (long id = 4; id >= 1; id--) want.add(id);
    try (PreparedStatement ps = prep("SELECT id, vc FROM " + table + " WHERE id > ? ORDER BY id DESC")) {
      ps.setLong(1, 0);
      List<Long> got = new ArrayList<>();
      List<String> vcs = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          got.add(rs.getLong(1));
          vcs.add(rs.getString(2));
        }
      }
      checkEq("SELECT ORDER BY id DESC over both shards", want, got);
      checkEq("SELECT ORDER BY: vc of id 103", "batch 103 " + EMOJI, vcs.get(3));
    }
    // groups: g NULL {4}, 0 {102, 105}, 1 {1, 3, 103, 106}, 2 {2, 101, 104}
    try (PreparedStatement ps = prep("SELECT g, COUNT(*), SUM(i), MAX(bi), MIN(vc) FROM " + table
        + " WHERE id >= ? GROUP BY g ORDER BY g")) {
      ps.setLong(1, 1);
      List<String> got = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          got.add(rs.getString(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|"
              + rs.getString(4) + "|" + rs.getString(5));
        }
      }
      List<String> expect = List.of(
          "null|1|null|null|null",
          "0|2|2070|null|batch 102 " + EMOJI,
          "1|4|" + ((long) Integer.MIN_VALUE + 42 + 1030 + 1060) + "|" + 9000000000L + "|",
          "2|3|" + ((long) Integer.MAX_VALUE + 1010 + 1040) + "|" + Long.MAX_VALUE + "|batch 101 "
              + EMOJI);
      checkEq("SELECT g, COUNT, SUM, MAX, MIN GROUP BY g over both shards", expect, got);
    }
  }

  void generatedKeys() throws SQLException {
    String ai = table + "_ai";
    try (PreparedStatement ps = prep("INSERT INTO " + ai + " (v) VALUES (?)",
        Statement.RETURN_GENERATED_KEYS)) {
      for (long want = 1; want <= 3; want++) {
        ps.setString(1, "v" + want);
        checkEq("INSERT INTO " + ai + ": executeUpdate", 1, ps.executeUpdate());
        try (ResultSet keys = ps.getGeneratedKeys()) {
          check(keys.next(), "getGeneratedKeys has a row", "a row", "none");
          checkEq("INSERT INTO " + ai + ": generated key", want, keys.getLong(1));
        }
      }
    }
  }

  long countIds(Connection c, long lo, long hi) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table
        + " WHERE id BETWEEN ? AND ?")) {
      ps.setLong(1, lo);
      ps.setLong(2, hi);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  // Rows on both shards in one transaction: committed, then rolled back.
  void transactions() throws SQLException {
    try (Connection other = DriverManager.getConnection(url)) {
      conn.setAutoCommit(false);
      try (PreparedStatement ps = prep("INSERT INTO " + table + " (id, g, vc) VALUES (?, ?, ?)")) {
        for (long id = 201; id <= 202; id++) {
          ps.setLong(1, id);
          ps.setInt(2, 9);
          ps.setString(3, "tx");
          ps.executeUpdate();
        }
        checkEq("uncommitted rows 201, 202 seen inside the transaction", 2L,
            countIds(conn, 201, 202));
        checkEq("uncommitted rows 201, 202 not seen by another connection", 0L,
            countIds(other, 201, 202));
        conn.commit();
        checkEq("committed rows 201, 202 seen by another connection", 2L,
            countIds(other, 201, 202));
        for (long id = 203; id <= 204; id++) {
          ps.setLong(1, id);
          ps.setInt(2, 9);
          ps.setString(3, "rolled back");
          ps.executeUpdate();
        }
        checkEq("rows 203, 204 inside the transaction", 2L, countIds(conn, 203, 204));
        conn.rollback();
        checkEq("rows 203, 204 after rollback", 0L, countIds(conn, 203, 204));
        checkEq("rows 203, 204 after rollback, another connection", 0L, countIds(other, 203, 204));
      } finally {
        conn.setAutoCommit(true);
      }
    }
  }

  void updateAndDelete() throws SQLException {
    try (PreparedStatement ps = prep("UPDATE " + table + " SET vc = ? WHERE id BETWEEN ? AND ?")) {
      ps.setString(1, "updated " + EMOJI);
      ps.setLong(2, 101);
      ps.setLong(3, 106);
      checkEq("UPDATE id BETWEEN 101 AND 106: executeUpdate", 6, ps.executeUpdate());
      // Connector/J connects with CLIENT_FOUND_ROWS: the count is of matched rows, not changed ones
      checkEq("UPDATE again, nothing changes (CLIENT_FOUND_ROWS): executeUpdate", 6,
          ps.executeUpdate());
    }
    try (PreparedStatement ps = prep("DELETE FROM " + table + " WHERE id >= ?")) {
      ps.setLong(1, 101);
      checkEq("DELETE id >= 101: executeUpdate", 8, ps.executeUpdate());
    }
    try (PreparedStatement ps = prep("DELETE FROM " + table + " WHERE id = ?")) {
      ps.setLong(1, 404);
      checkEq("DELETE a missing id: executeUpdate", 0, ps.executeUpdate());
    }
    checkEq("rows left", 4L, countIds(conn, 0, 1000));
  }

  void errors() throws SQLException {
    expectError("SELEC 1", 1064, "42000");
    expectError("SELECT * FROM no_such_table WHERE id = ?", 1146, "42S02");
    try (PreparedStatement ps = prep("INSERT INTO " + table + " (id) VALUES (?)")) {
      ps.setLong(1, 1);
      try {
        ps.executeUpdate();
        check(false, "INSERT duplicate id 1", "error 1062", "success");
      } catch (SQLException e) {
        check(e.getErrorCode() == 1062 && "23000".equals(e.getSQLState()),
            "INSERT duplicate id 1 fails", "1062 (23000)",
            e.getErrorCode() + " (" + e.getSQLState() + ") " + e.getMessage());
      }
    }
  }

  void expectError(String sql, int code, String state) {
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      if (ps.getParameterMetaData().getParameterCount() > 0) ps.setLong(1, 1);
      ps.executeQuery().close();
      check(false, "prepare and execute " + sql, "error " + code, "success");
    } catch (SQLException e) {
      check(e.getErrorCode() == code && state.equals(e.getSQLState()), "prepare " + sql + " fails",
          code + " (" + state + ")", e.getErrorCode() + " (" + e.getSQLState() + ") "
              + e.getMessage());
    }
  }

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: java -cp mariadb-java-client.jar PreparedClient.java JDBC_URL [TABLE]");
      System.exit(2);
    }
    // java.sql.Date/Time/Timestamp go through the JVM's zone: fix it, the test data has no DST gaps
    TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
    String table = args.length > 1 ? args[1] : "j_types";
    try (Connection conn = DriverManager.getConnection(args[0])) {
      System.out.println("connected to " + conn.getMetaData().getDatabaseProductVersion()
          + " with " + conn.getMetaData().getDriverName() + " "
          + conn.getMetaData().getDriverVersion());
      new PreparedClient(conn, args[0], table).run();
    } catch (SQLException e) {
      System.out.println("FAIL stopped by " + e.getClass().getSimpleName() + ": error "
          + e.getErrorCode() + " (" + e.getSQLState() + ") " + e.getMessage());
      failures++;
    }
    if (failures > 0) {
      System.out.println(failures + " check(s) failed");
      System.exit(1);
    }
    System.out.println("all checks passed");
  }
}
