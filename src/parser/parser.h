// SQL text -> syntax check and parse tree. The ANTLR tree stays inside parser/: callers get an
// opaque ParsedStatement, which the AST builder (also in parser/) turns into the project's AST.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "common/status.h"
#include "parser/lex_mode.h"

namespace shardproxy::parser {

// MySQL's ER_PARSE_ERROR and ER_EMPTY_QUERY.
inline constexpr uint16_t kErParseError = 1064;
inline constexpr uint16_t kErEmptyQuery = 1065;

// Deeper nesting of parentheses is refused before ANTLR runs, so hostile input cannot exhaust the
// stack of a worker thread.
inline constexpr int kMaxNestingDepth = 200;

struct ParseTreeImpl;  // defined in parse_tree.h, internal to parser/

class ParsedStatement {
 public:
  explicit ParsedStatement(std::unique_ptr<ParseTreeImpl> impl);
  ParsedStatement(ParsedStatement&&) noexcept;
  ParsedStatement& operator=(ParsedStatement&&) noexcept;
  ~ParsedStatement();

  // True when the text holds only comments and whitespace (MySQL answers ER_EMPTY_QUERY).
  bool isEmpty() const;
  // True when SLL prediction failed and the statement needed the full LL pass.
  bool neededFullLl() const;

  const ParseTreeImpl& impl() const { return *impl_; }

 private:
  std::unique_ptr<ParseTreeImpl> impl_;
};

// The server version executable comments are judged by (`/*!NNNNN ... */` and MariaDB's
// `/*M!NNNNNN ... */` run their content when NNNNN is at most this, as MySQL's and MariaDB's
// MYSQL_VERSION_ID: major * 10000 + minor * 100 + patch). Set once at start-up from the backends'
// version, before statements are parsed; MariaDB 10.11.0 until then.
void setServerVersionId(uint32_t id);
uint32_t serverVersionId();
// The version id of a server version string ("5.5.5-10.11.6-MariaDB-0+deb12u1" gives 101106,
// "8.0.36" 80036); 0 when it has none.
uint32_t versionIdOf(std::string_view version);
// Whether an executable comment whose text after the `!` is `afterBang` (`mariadbMarker`: it
// opened with MariaDB's `/*M!`) runs its content on this server: it has no version (fewer than
// five digits) or one of at most serverVersionId(), except that MariaDB servers leave MySQL 5.7+
// versions (50700 to 99999) of plain `/*!` comments alone.
bool executableCommentRuns(std::string_view afterBang, bool mariadbMarker);
// The same from the version and the number of its digits.
bool versionRuns(uint32_t version, size_t digits, bool mariadbMarker);

// Parses one statement, read as a server with `mode` reads it. A syntax error is ER_PARSE_ERROR
// (1064, SQLSTATE 42000) with MySQL's message: "... near '<text from the offending token, at most
// 80 characters>' at line N". Safe to call from several threads at once (ANTLR shares only its
// internally locked caches).
Result<ParsedStatement> parse(std::string_view sql, LexMode mode = {});

}  // namespace shardproxy::parser
