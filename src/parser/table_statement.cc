#include "parser/table_statement.h"

#include <strings.h>

#include <string>
#include <utility>

#include "parser/normalizer.h"

namespace shardproxy::parser {

namespace {

using Bounds = std::vector<std::pair<uint32_t, uint32_t>>;

// The statement's tokens (comments skipped, executable comments' bodies included), within its
// span.
Bounds tokensOf(const ast::Statement& s, LexMode mode) {
  Bounds all;
  Bounds out;
  if (!tokenBounds(s.sql, all, mode)) return out;
  for (const auto& t : all) {
    if (t.first >= s.span.begin && t.second <= s.span.end) out.push_back(t);
  }
  return out;
}

bool is(const ast::Statement& s, const std::pair<uint32_t, uint32_t>& token, const char* word) {
  std::string_view text = std::string_view(s.sql).substr(token.first, token.second - token.first);
  size_t n = std::char_traits<char>::length(word);
  return text.size() == n && strncasecmp(text.data(), word, n) == 0;
}

// The index of the first token at or after `offset`.
size_t tokenAt(const Bounds& tokens, uint32_t offset) {
  size_t i = 0;
  while (i < tokens.size() && tokens[i].first < offset) ++i;
  return i;
}

// The end of a piece of `s` that ends at `end`: past the closer of an executable comment the
// piece opened and the statement ends in (`... READ /*!32311 LOCAL */`), whose body the span
// covers but not its `*/`.
uint32_t closedEnd(const ast::Statement& s, uint32_t begin, uint32_t end) {
  std::string_view piece = std::string_view(s.sql).substr(begin, end - begin);
  size_t open = piece.rfind("/*");
  if (open == std::string_view::npos || piece.find("*/", open) != std::string_view::npos) {
    return end;
  }
  size_t at = end;
  while (at < s.sql.size() && (s.sql[at] == ' ' || s.sql[at] == '\t' || s.sql[at] == '\n')) ++at;
  if (s.sql.compare(at, 2, "*/") == 0) return static_cast<uint32_t>(at + 2);
  return end;
}

}  // namespace

TableCommandShape tableCommand(const ast::Statement& s, LexMode mode) {
  TableCommandShape out;
  if (s.kind != ast::StatementKind::Other) return out;
  Bounds tokens = tokensOf(s, mode);
  if (tokens.size() < 2) return out;
  TableCommand command = TableCommand::None;
  if (is(s, tokens[0], "CHECK")) {
    command = TableCommand::Check;
  } else if (is(s, tokens[0], "ANALYZE")) {
    command = TableCommand::Analyze;
  } else if (is(s, tokens[0], "OPTIMIZE")) {
    command = TableCommand::Optimize;
  } else if (is(s, tokens[0], "REPAIR")) {
    command = TableCommand::Repair;
  } else if (is(s, tokens[0], "CHECKSUM")) {
    command = TableCommand::Checksum;
  } else if (is(s, tokens[0], "FLUSH")) {
    command = TableCommand::FlushTables;
  } else {
    return out;
  }
  size_t next = 1;
  if (command != TableCommand::Check && command != TableCommand::Checksum &&
      (is(s, tokens[next], "NO_WRITE_TO_BINLOG") || is(s, tokens[next], "LOCAL"))) {
    ++next;
  }
  if (next >= tokens.size() || !(is(s, tokens[next], "TABLE") || is(s, tokens[next], "TABLES"))) {
    return out;
  }
  for (size_t i = 0; i < s.objects.size(); ++i) {
    if (s.objects[i].kind == ast::ObjectName::Kind::Table) out.tables.push_back(i);
  }
  if (out.tables.empty()) {
    out.head = ast::Span{s.span.begin, tokens[next].second};
    out.tail = ast::Span{tokens[next].second, s.span.end};
  } else {
    out.head = ast::Span{s.span.begin, s.objects[out.tables.front()].span.begin};
    out.tail = ast::Span{s.objects[out.tables.back()].span.end, s.span.end};
  }
  out.tail.end = closedEnd(s, s.span.begin, out.tail.end);
  if (command == TableCommand::FlushTables) {
    // Only FLUSH TABLES itself, alone: `FLUSH TABLES, LOGS` and the other options act on the
    // server.
    size_t rest = tokenAt(tokens, out.tail.begin);
    size_t left = tokens.size() - rest;
    if (left == 3 && is(s, tokens[rest], "WITH") && is(s, tokens[rest + 1], "READ") &&
        is(s, tokens[rest + 2], "LOCK")) {
      out.flushLocks = true;
    } else if (left == 2 && is(s, tokens[rest], "FOR") && is(s, tokens[rest + 1], "EXPORT")) {
      out.flushLocks = true;
      out.forExport = true;
    } else if (left != 0) {
      return TableCommandShape{};
    }
  }
  out.command = command;
  return out;
}

std::vector<TableLockClause> tableLockClauses(const ast::Statement& s, LexMode mode) {
  std::vector<TableLockClause> out;
  if (s.kind != ast::StatementKind::Tcl || s.tclKind != ast::TclKind::LockTables) return out;
  Bounds tokens = tokensOf(s, mode);
  for (size_t i = 0; i < s.objects.size(); ++i) {
    const ast::ObjectName& o = s.objects[i];
    if (o.kind != ast::ObjectName::Kind::Table) continue;
    // The lock type has no commas of its own: the clause ends at the next one.
    uint32_t end = s.span.end;
    for (size_t t = tokenAt(tokens, o.span.end); t < tokens.size(); ++t) {
      if (is(s, tokens[t], ",")) {
        end = tokens[t].first;
        break;
      }
    }
    out.push_back(TableLockClause{i, ast::Span{o.span.end, closedEnd(s, o.span.end, end)}});
  }
  return out;
}

bool lockClauseHasAlias(const ast::Statement& s, const TableLockClause& clause, LexMode mode) {
  Bounds tokens = tokensOf(s, mode);
  size_t first = tokenAt(tokens, clause.clause.begin);
  if (first >= tokens.size() || tokens[first].first >= clause.clause.end) return false;
  return !(is(s, tokens[first], "READ") || is(s, tokens[first], "WRITE") ||
           is(s, tokens[first], "LOW_PRIORITY"));
}

std::optional<ExplainShape> explainShape(const ast::Statement& s, LexMode mode) {
  if (s.kind != ast::StatementKind::Explain || s.show.kind == ast::ShowStatement::Kind::Columns) {
    return std::nullopt;
  }
  Bounds tokens = tokensOf(s, mode);
  if (tokens.size() < 2) return std::nullopt;
  ExplainShape out;
  out.keyword = ast::Span{tokens[0].first, tokens[0].second};
  size_t i = 1;
  // explainOption: EXTENDED | PARTITIONS | ANALYZE [FORMAT = name] | FORMAT = name
  auto format = [&]() {
    if (i + 2 < tokens.size() && is(s, tokens[i], "FORMAT") && is(s, tokens[i + 1], "=")) {
      out.json = is(s, tokens[i + 2], "JSON");
      i += 3;
    }
  };
  if (is(s, tokens[i], "EXTENDED") || is(s, tokens[i], "PARTITIONS")) {
    ++i;
  } else if (is(s, tokens[i], "ANALYZE")) {
    out.analyze = true;
    ++i;
    format();
  } else {
    format();
  }
  if (i >= tokens.size() || is(s, tokens[i], "FOR")) return std::nullopt;  // FOR CONNECTION
  out.options = ast::Span{out.keyword.end, tokens[i].first};
  out.statement = tokens[i].first;
  return out;
}

}  // namespace shardproxy::parser
