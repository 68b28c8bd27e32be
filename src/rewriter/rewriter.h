// The rewriter: the SQL each route unit runs, spliced from the original text at the AST's
// offsets (never by searching the text): logic table names become actual ones, the logical
// database qualifier goes (backend connections already use the data source's database), INSERT
// rows are split per unit and generated keys added.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "merger/merge_spec.h"
#include "parser/ast.h"
#include "router/router.h"

namespace shardproxy::rewriter {

struct SqlUnit {
  std::string dataSource;
  std::string sql;
};

// A change to the statement's text: [begin, end) of the original becomes `text`.
struct TextSplice {
  uint32_t begin = 0;
  uint32_t end = 0;  // begin == end: an insertion
  std::string text;
};

struct RewriteOptions {
  std::string database;             // the logical database, dropped where it qualifies a name
  bool noBackslashEscapes = false;  // how to write generated string keys
  std::vector<TextSplice> extra;    // the caller's own changes, made in every unit
};

// Where a statement's text sits in what the client sent: the body (its tokens, and an
// executable comment's opener when the statement starts inside one), what comes before it
// (leading comments, a hint) and after it (trailing comments; a `;` dropped). A body that ends
// inside an executable comment gets the comment's closer.
struct StatementFrame {
  uint32_t bodyBegin = 0;
  uint32_t bodyEnd = 0;
  std::string closer;  // `*/` (and the space before it) when the body ends in a comment
  std::string prefix;
  std::string suffix;
};
StatementFrame frameOf(std::string_view sql, parser::ast::Span span);

// One SqlUnit per route unit, in route order; units of one data source may be joined into one
// statement with UNION ALL. For a SELECT on several units, `merge` (when given) receives what
// merging their results needs.
Result<std::vector<SqlUnit>> rewrite(const parser::ast::Statement& s,
                                     const router::RouteResult& route,
                                     const RewriteOptions& options,
                                     merger::MergeSpec* merge = nullptr);

// For an UPDATE of a sharding column (RouteResult::mustNotMatch): per such node, a query that
// returns a row when the node holds a row the UPDATE matches (`SELECT 1 FROM <actual table>
// WHERE <the UPDATE's WHERE> LIMIT 1`).
std::vector<SqlUnit> guardQueries(const parser::ast::Statement& s,
                                  const router::RouteResult& route, const RewriteOptions& options);

}  // namespace shardproxy::rewriter
