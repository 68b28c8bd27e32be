#include "rewriter/rewriter.h"

#include <strings.h>

#include <algorithm>
#include <optional>
#include <set>

#include "common/sql_text.h"
#include "parser/normalizer.h"
#include "parser/parser.h"
#include "rewriter/select_rewrite.h"

namespace shardproxy::rewriter {

namespace ast = parser::ast;

namespace {

// `name` written in the style of `written`: backquoted if it was.
std::string likeWritten(std::string_view written, const std::string& name) {
  if (written.empty() || (written.front() != '`' && written.front() != '"')) return name;
  return quoteIdentifier(name);
}

std::string sqlLiteral(const router::Value& v, bool noBackslashEscapes) {
  switch (v.type) {
    case router::Value::Type::Null:
      return "NULL";
    case router::Value::Type::String:
      return quoteString(v.text, noBackslashEscapes);
    default:
      return v.toString();
  }
}

class UnitWriter {
 public:
  UnitWriter(const ast::Statement& s, const router::RouteResult& route,
             const router::RouteUnit& unit, const RewriteOptions& options,
             const std::set<std::string>& aliases, const std::vector<TextSplice>& common)
      : s_(s), route_(route), unit_(unit), options_(options), aliases_(aliases), splices_(common) {}

  // The statement's own text [begin, end) with the splices made (insertions at `end` included).
  std::string write(uint32_t begin, uint32_t end) {
    tableNames();
    insertRows();
    indexNames();
    // Stable: insertions at one offset keep the order they were made in.
    std::stable_sort(splices_.begin(), splices_.end(),
                     [](const TextSplice& a, const TextSplice& b) { return a.begin < b.begin; });
    // Sized first: a large statement's unit is written once, not regrown (which would hold up
    // to twice its size).
    size_t size = 0;
    uint32_t pos = begin;
    for (const TextSplice& sp : splices_) {
      if (sp.begin < pos || sp.begin > end) continue;  // nested in an earlier splice, or outside
      size += sp.begin - pos + sp.text.size();
      pos = std::max(pos, std::min(sp.end, end));
    }
    size += end - pos;
    std::string out;
    out.reserve(size);
    pos = begin;
    for (const TextSplice& sp : splices_) {
      if (sp.begin < pos || sp.begin > end) continue;
      out.append(s_.sql, pos, sp.begin - pos);
      out += sp.text;
      pos = std::max(pos, std::min(sp.end, end));
    }
    out.append(s_.sql, pos, end - pos);
    return out;
  }

 private:
  bool isLogicalDatabase(const ast::Name& schema) const {
    return !schema.empty() &&
           router::lowerAscii(schema.value) == router::lowerAscii(options_.database);
  }

  // `db.` before a name: gone.
  void dropQualifier(const ast::Name& schema, const ast::Name& next) {
    if (isLogicalDatabase(schema) && !next.span.empty()) {
      splices_.push_back({schema.span.begin, next.span.begin, ""});
    }
  }

  void rename(const ast::Name& table) {
    if (table.span.empty()) return;
    std::string lower = router::lowerAscii(table.value);
    if (aliases_.count(lower)) return;  // an alias, not a table name
    if (const std::string* actual = unit_.actualTable(table.value)) {
      splices_.push_back(
          {table.span.begin, table.span.end, likeWritten(s_.text(table.span), *actual)});
    }
  }

  void tableNames() {
    for (const ast::TableRef& ref : s_.tableRefs) {
      if (ref.kind != ast::TableRef::Kind::Table) continue;
      if (!ref.schema.empty() && !isLogicalDatabase(ref.schema)) continue;
      dropQualifier(ref.schema, ref.name);
      if (const std::string* actual = unit_.actualTable(ref.name.value)) {
        splices_.push_back(
            {ref.name.span.begin, ref.name.span.end, likeWritten(s_.text(ref.name.span), *actual)});
      }
    }
    for (const ast::Expr& e : s_.exprs) {
      if (e.kind != ast::ExprKind::Column || e.table.empty()) continue;
      if (!e.schema.empty() && !isLogicalDatabase(e.schema)) continue;
      dropQualifier(e.schema, e.table);
      rename(e.table);
    }
    for (const ast::Select& q : s_.selects) {
      for (const ast::SelectItem& item : q.items) {
        if (item.kind != ast::SelectItem::Kind::TableStar) continue;
        if (!item.schema.empty() && !isLogicalDatabase(item.schema)) continue;
        dropQualifier(item.schema, item.table);
        rename(item.table);
      }
    }
  }

  // DDL on a sharded table: index and constraint names get the actual table's name appended
  // (idx_status on t_order_1 is idx_status_t_order_1), as ShardingSphere writes them, so they
  // stay unique where a database wants them unique per schema.
  void indexNames() {
    if (s_.kind != ast::StatementKind::Ddl || s_.ddl.indexes.empty()) return;
    const std::string* actual = nullptr;
    for (const ast::DdlTable& d : s_.ddl.tables) {
      if (d.role != ast::DdlTable::Role::Target) continue;
      actual = unit_.actualTable(s_.tableRef(d.table).name.value);
      if (actual) break;
    }
    if (!actual) return;
    for (const ast::Name& index : s_.ddl.indexes) {
      // The primary key's index is always PRIMARY.
      if (router::lowerAscii(index.value) == "primary") continue;
      splices_.push_back({index.span.begin, index.span.end,
                          likeWritten(s_.text(index.span), index.value + "_" + *actual)});
    }
  }

  void insertRows() {
    if (unit_.insertRows.empty()) return;
    const ast::InsertStatement& ins = s_.insert;
    const router::GeneratedKeys* keys = route_.generatedKeys ? &*route_.generatedKeys : nullptr;
    if (ins.source == ast::InsertStatement::Source::Set) {
      if (keys && !ins.set.empty()) {
        uint32_t at = ins.set.back().span.end;
        splices_.push_back({at, at,
                            ", " + keys->column + " = " +
                                sqlLiteral(keys->values.front(), options_.noBackslashEscapes)});
      }
      return;
    }
    if (keys && !ins.columnsSpan.empty()) {
      uint32_t at = ins.columnsSpan.end;
      splices_.push_back({at, at, ", " + keys->column});
    }
    std::string rows;
    size_t size = 0;
    for (size_t r : unit_.insertRows) size += ins.rows[r].span.end - ins.rows[r].span.begin + 2;
    if (keys) size += unit_.insertRows.size() * 48;
    rows.reserve(size);
    for (size_t r : unit_.insertRows) {
      std::string_view row = s_.text(ins.rows[r].span);
      if (!rows.empty()) rows += ", ";
      if (keys && !row.empty() && row.back() == ')') {
        rows.append(row.substr(0, row.size() - 1));
        rows += ", " + sqlLiteral(keys->values[r], options_.noBackslashEscapes) + ")";
      } else {
        rows.append(row);
      }
    }
    // Table names inside the rows (subqueries) are not rewritten: the router refuses them.
    splices_.push_back({ins.valuesSpan.begin, ins.valuesSpan.end, std::move(rows)});
  }

  const ast::Statement& s_;
  const router::RouteResult& route_;
  const router::RouteUnit& unit_;
  const RewriteOptions& options_;
  const std::set<std::string>& aliases_;
  std::vector<TextSplice> splices_;
};

// ShardingSphere runs several units of one data source as one statement joined by UNION ALL
// when the query is simple enough for that to change nothing: one table, no ORDER BY, LIMIT,
// locking, subquery or aggregate-dependent clause. GROUP BY and DISTINCT count as ordered: the
// rewrite adds an ORDER BY for GROUP BY (which UNION ALL would turn into a syntax error), and
// ShardingSphere generates one for both, which rules out its UNION ALL too.
bool unionAllApplies(const ast::Statement& s) {
  if (s.kind != ast::StatementKind::Select) return false;
  const ast::Select& q = s.query(s.select);
  if (q.kind != ast::Select::Kind::Query || !q.orderBy.empty() || !q.groupBy.empty() ||
      q.distinct || q.limit.present() || q.lock != ast::LockKind::None || !q.with.empty() ||
      s.selects.size() != 1 || s.tableRefs.size() != 1 || s.usesUserVariables) {
    return false;
  }
  // SQL_CACHE, SQL_NO_CACHE and SQL_CALC_FOUND_ROWS belong to a statement's first SELECT only:
  // after UNION ALL they are an error (1234), and mysqldump writes SQL_NO_CACHE in every read.
  std::vector<std::pair<uint32_t, uint32_t>> tokens;
  if (!parser::tokenBounds(s.sql, tokens)) return false;
  for (const auto& [begin, end] : tokens) {
    std::string_view token = std::string_view(s.sql).substr(begin, end - begin);
    for (std::string_view option : {"SQL_CACHE", "SQL_NO_CACHE", "SQL_CALC_FOUND_ROWS"}) {
      if (token.size() == option.size() &&
          strncasecmp(token.data(), option.data(), option.size()) == 0) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace

StatementFrame frameOf(std::string_view sql, parser::ast::Span span) {
  StatementFrame f;
  f.bodyBegin = std::min<uint32_t>(span.begin, sql.size());
  f.bodyEnd = std::min<uint32_t>(std::max(span.end, span.begin), sql.size());
  // Before the first token there are only whitespace, comments and executable-comment openers.
  // An opener not closed before the statement begins opens the statement: it goes with it.
  size_t i = 0;
  std::optional<size_t> open;
  const size_t head = f.bodyBegin;
  while (i < head) {
    if (sql[i] == '#' || (sql.compare(i, 2, "--") == 0)) {
      size_t nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? head : nl + 1;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t j = i + 2;
      if (j + 1 < head && (sql[j] == 'M' || sql[j] == 'm') && sql[j + 1] == '!') ++j;
      size_t close = sql.find("*/", j);
      bool runs =
          j < head && sql[j] == '!' && parser::executableCommentRuns(sql.substr(j + 1), j > i + 2);
      if (runs && (close == std::string_view::npos || close + 2 > head)) {
        open = i;  // its content is SQL and the statement starts inside it
        break;
      }
      i = close == std::string_view::npos ? head : close + 2;
    } else if (sql.compare(i, 2, "*/") == 0) {
      open.reset();
      i += 2;
    } else {
      ++i;
    }
  }
  f.prefix = std::string(sql.substr(0, open ? *open : head));
  if (open) f.bodyBegin = static_cast<uint32_t>(*open);
  // After the last token: whitespace, comments, `;` and the closer of an executable comment the
  // statement ends in. The `;` goes; a closer goes with the statement.
  i = span.end;
  while (i < sql.size()) {
    if (sql[i] == '#' || sql.compare(i, 3, "-- ") == 0 || sql.compare(i, 3, "--\t") == 0 ||
        sql.compare(i, 3, "--\n") == 0 || sql.compare(i, 3, "--\r") == 0 ||
        (sql.compare(i, 2, "--") == 0 && i + 2 == sql.size())) {
      size_t nl = sql.find('\n', i);
      size_t end = nl == std::string_view::npos ? sql.size() : nl + 1;
      f.suffix.append(sql.substr(i, end - i));
      i = end;
    } else if (sql.compare(i, 2, "*/") == 0) {
      f.closer = std::move(f.suffix) + "*/";
      f.suffix.clear();
      i += 2;
    } else if (sql.compare(i, 2, "/*") == 0) {
      size_t close = sql.find("*/", i + 2);
      size_t end = close == std::string_view::npos ? sql.size() : close + 2;
      f.suffix.append(sql.substr(i, end - i));
      i = end;
    } else {
      if (sql[i] != ';') f.suffix.push_back(sql[i]);
      ++i;
    }
  }
  return f;
}

Result<std::vector<SqlUnit>> rewrite(const ast::Statement& s, const router::RouteResult& route,
                                     const RewriteOptions& options, merger::MergeSpec* merge) {
  merger::MergeSpec unused;
  std::vector<TextSplice> common;
  if (route.units.size() > 1 && !route.skipRewrite) {
    common = selectSplices(s, merge ? *merge : unused);
  }
  common.insert(common.end(), options.extra.begin(), options.extra.end());
  std::set<std::string> aliases;
  for (const ast::TableRef& ref : s.tableRefs) {
    if (!ref.alias.empty()) aliases.insert(router::lowerAscii(ref.alias.value));
  }
  // Each unit is built from the statement's own text: comments around it are kept once around
  // the whole unit, a trailing `;` is dropped, so joining units never lets a comment or a `;`
  // swallow the next one.
  const StatementFrame frame = frameOf(s.sql, s.span);
  std::vector<SqlUnit> out;
  for (const router::RouteUnit& unit : route.units) {
    std::string body = route.skipRewrite
                           ? std::string(s.sql, frame.bodyBegin, frame.bodyEnd - frame.bodyBegin)
                           : UnitWriter(s, route, unit, options, aliases, common)
                                 .write(frame.bodyBegin, frame.bodyEnd);
    body += frame.closer;
    out.push_back({unit.dataSource, std::move(body)});
  }
  if (out.size() > 1 && !route.skipRewrite && unionAllApplies(s)) {
    std::vector<SqlUnit> combined;
    for (SqlUnit& unit : out) {
      auto same = std::find_if(combined.begin(), combined.end(),
                               [&](const SqlUnit& c) { return c.dataSource == unit.dataSource; });
      if (same == combined.end()) {
        combined.push_back(std::move(unit));
      } else {
        same->sql += " UNION ALL " + unit.sql;
      }
    }
    out = std::move(combined);
  }
  // In place: a unit of a large statement is not copied again for comments it rarely has.
  for (SqlUnit& unit : out) {
    if (!frame.prefix.empty()) unit.sql.insert(0, frame.prefix);
    unit.sql += frame.suffix;
  }
  return out;
}

std::vector<SqlUnit> guardQueries(const ast::Statement& s, const router::RouteResult& route,
                                  const RewriteOptions& options) {
  std::vector<SqlUnit> out;
  if (s.kind != ast::StatementKind::Update || s.update.tables.size() != 1) return out;
  const ast::TableRef& table = s.tableRef(s.update.tables.front());
  std::set<std::string> aliases;
  if (!table.alias.empty()) aliases.insert(router::lowerAscii(table.alias.value));
  for (const router::RouteUnit& unit : route.mustNotMatch) {
    std::string sql =
        "SELECT 1 FROM " +
        UnitWriter(s, route, unit, options, aliases, {}).write(table.span.begin, table.span.end);
    if (s.update.where != ast::kNone) {
      const ast::Span where = s.expr(s.update.where).span;
      sql += " WHERE " +
             UnitWriter(s, route, unit, options, aliases, {}).write(where.begin, where.end);
    }
    out.push_back({unit.dataSource, sql + " LIMIT 1"});
  }
  return out;
}

}  // namespace shardproxy::rewriter
