// What a backend account may do, read from the lines of SHOW GRANTS (MariaDB 10.x, also MySQL's
// form), and what of it goes beyond what the proxy needs on its data source. Pure: no I/O; the
// start-up probe (startup_probe.h) asks the servers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace shardproxy::executor {

// Who a grant line gives privileges (or roles) to.
struct Grantee {
  std::string name;  // user or role; empty for PUBLIC
  std::string host;  // empty for a MariaDB role and for PUBLIC
  bool isPublic = false;
  bool operator==(const Grantee&) const = default;
};

// One GRANT line of SHOW GRANTS.
struct GrantLine {
  enum class Kind {
    kPrivileges,  // GRANT privileges ON object TO grantee
    kRoles,       // GRANT `role` TO grantee
    kProxy,       // GRANT PROXY ON 'user'@'host' TO grantee
  };
  Kind kind = Kind::kPrivileges;
  // Upper case, as the server spells them ("SELECT", "ALL PRIVILEGES", "BINLOG MONITOR"),
  // column lists dropped.
  std::vector<std::string> privileges;
  // The object, unquoted: `database` "*" is every database (*.*); `table` "*" every table of
  // the database, else a table or, with `routineKind` ("PROCEDURE", "FUNCTION", "PACKAGE",
  // "PACKAGE BODY"), a routine. A database pattern keeps its `\_` and `\%` escapes.
  std::string database;
  std::string table;
  std::string routineKind;
  std::vector<Grantee> roles;  // kRoles: the roles granted
  Grantee proxied;             // kProxy: whose identity the grantee may take
  Grantee grantee;
  bool grantOption = false;  // WITH GRANT OPTION; for kRoles, WITH ADMIN OPTION
};

// The line read, or nullopt when it is not a GRANT line this parser understands.
std::optional<GrantLine> parseGrantLine(std::string_view line);

// Roles granted in `lines` whose own grants are not among them: SHOW GRANTS lists those of the
// current role (and the roles it holds) only, and MariaDB lets an account without SELECT on
// `mysql` read no other role's with SHOW GRANTS FOR. So each of these is read by taking it on
// with `setRole` and asking SHOW GRANTS again.
std::vector<Grantee> rolesWithoutGrants(const std::vector<GrantLine>& lines);

// `SET ROLE <role>`, the name quoted.
std::string setRole(const Grantee& role);

// What the account `user` may do beyond what the proxy needs from a data source on `database`:
// every privilege on that database (tables and routines in it included), and on *.* only
// USAGE, PROCESS, RELOAD, REPLICATION CLIENT (BINLOG MONITOR), SLAVE MONITOR (REPLICA MONITOR)
// and MySQL's XA_RECOVER_ADMIN. Anything else is one phrase each, in the order of `lines`:
// "FILE, SUPER on *.*", "SELECT on `mysql`.*", "GRANT OPTION on `shop`.*",
// "PROXY on ''@'%'", "ADMIN OPTION on role `r`", with " (through role `r`)" or
// " (granted to PUBLIC)" when the line is not the user's own, and "a grant line not understood:
// ..." for a GRANT line the parser does not read (cut before TO, so no password hash is shown).
// SET DEFAULT ROLE and other lines that grant nothing are skipped.
std::vector<std::string> excessGrants(const std::vector<std::string>& lines,
                                      std::string_view database, std::string_view user);

}  // namespace shardproxy::executor
