// MariaDB Connector/J (2.7, Debian libmariadb-java) DatabaseMetaData on one database, run by
// test_tool_jdbc.py through the proxy and on a reference MariaDB:
//
//   java -cp /usr/share/java/mariadb-java-client.jar tests/integration/MetadataClient.java \
//       'jdbc:mariadb://127.0.0.1:PORT/DB?user=root&password=root&useSSL=false'
//
// Prints one line per row of getCatalogs, getTables, getColumns, getPrimaryKeys, getIndexInfo,
// getImportedKeys and getExportedKeys (the last four for each table getTables lists), as
// "call<TAB>COLUMN=value<TAB>...", leaving out what may differ between a sharded and an unsharded
// copy of the same tables: REMARKS of tables (comments), CARDINALITY and PAGES of indexes (sizes).
// Exit status 1 when a call throws (its message is printed as "error<TAB>call<TAB>message").

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

public class MetadataClient {
  static final Set<String> SKIP = Set.of("getTables.REMARKS", "getIndexInfo.CARDINALITY",
      "getIndexInfo.PAGES");
  static int errors = 0;

  interface Call {
    ResultSet run() throws SQLException;
  }

  static List<String> dump(String name, Call call, String keep) {
    List<String> firstColumn = new ArrayList<>();
    try (ResultSet rs = call.run()) {
      ResultSetMetaData md = rs.getMetaData();
      while (rs.next()) {
        StringBuilder line = new StringBuilder(name);
        for (int i = 1; i <= md.getColumnCount(); i++) {
          String label = md.getColumnLabel(i);
          if (SKIP.contains(name + "." + label)) {
            continue;
          }
          line.append('\t').append(label).append('=').append(rs.getString(i));
        }
        System.out.println(line);
        if (keep != null) {
          firstColumn.add(rs.getString(keep));
        }
      }
    } catch (SQLException e) {
      errors++;
      System.out.println("error\t" + name + "\t" + e.getErrorCode() + " " + e.getMessage());
    }
    return firstColumn;
  }

  public static void main(String[] args) throws Exception {
    try (Connection conn = DriverManager.getConnection(args[0])) {
      DatabaseMetaData md = conn.getMetaData();
      String db = conn.getCatalog();
      dump("getCatalogs", md::getCatalogs, null);
      List<String> tables = dump("getTables", () -> md.getTables(db, null, "%", null), "TABLE_NAME");
      dump("getColumns", () -> md.getColumns(db, null, "%", "%"), null);
      for (String t : tables) {
        dump("getPrimaryKeys", () -> md.getPrimaryKeys(db, null, t), null);
        dump("getIndexInfo", () -> md.getIndexInfo(db, null, t, false, false), null);
        dump("getImportedKeys", () -> md.getImportedKeys(db, null, t), null);
        dump("getExportedKeys", () -> md.getExportedKeys(db, null, t), null);
      }
    }
    System.exit(errors == 0 ? 0 : 1);
  }
}
