// The shape of statements on tables that the AST keeps only as their kind and their names
// (Statement::objects): LOCK TABLES, FLUSH TABLES, the table maintenance statements (CHECK,
// ANALYZE, OPTIMIZE, REPAIR, CHECKSUM TABLE) and EXPLAIN of a statement. The executor sends
// them once per data source with actual table names in place of logical ones, so it needs to
// know what surrounds the names. Read from the tokens of a statement the grammar has taken
// already, so the shapes are those of valid statements.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "parser/ast.h"
#include "parser/lex_mode.h"

namespace shardproxy::parser {

enum class TableCommand : uint8_t {
  None,
  Check,
  Analyze,
  Optimize,
  Repair,
  Checksum,
  FlushTables,  // FLUSH [NO_WRITE_TO_BINLOG | LOCAL] TABLE[S] [t, ...] [WITH READ LOCK | FOR
                // EXPORT]
};

struct TableCommandShape {
  TableCommand command = TableCommand::None;
  // FlushTables: WITH READ LOCK or FOR EXPORT follows (the tables stay locked until UNLOCK
  // TABLES).
  bool flushLocks = false;
  bool forExport = false;
  // Indices into Statement::objects of the tables named, in text order (empty: FLUSH TABLES of
  // every table).
  std::vector<size_t> tables;
  // The text before the first table and after the last one (the statement's options); with no
  // tables, `head` runs to where the tables would be and `tail` holds the rest.
  ast::Span head;
  ast::Span tail;
};

// The command and its shape; command None for any other statement (other FLUSH options too).
TableCommandShape tableCommand(const ast::Statement& s, LexMode mode = {});

// LOCK TABLES: for each table locked, the index of its name in Statement::objects and the text
// after the name up to its comma (`[AS] alias` and the lock type, as written).
struct TableLockClause {
  size_t object = 0;
  ast::Span clause;
};
std::vector<TableLockClause> tableLockClauses(const ast::Statement& s, LexMode mode = {});
// Whether the clause names an alias before its lock type.
bool lockClauseHasAlias(const ast::Statement& s, const TableLockClause& clause, LexMode mode = {});

// EXPLAIN | DESCRIBE of a statement (not of a table, not FOR CONNECTION): where the explained
// statement starts, the options written between the keyword and it, and whether the plan comes
// as JSON (FORMAT=JSON) or with execution figures (ANALYZE).
struct ExplainShape {
  ast::Span keyword;       // EXPLAIN, DESCRIBE or DESC
  ast::Span options;       // EXTENDED, PARTITIONS, FORMAT=..., ANALYZE ...; may be empty
  uint32_t statement = 0;  // offset of the explained statement in Statement::sql
  bool json = false;
  bool analyze = false;
};
std::optional<ExplainShape> explainShape(const ast::Statement& s, LexMode mode = {});

}  // namespace shardproxy::parser
