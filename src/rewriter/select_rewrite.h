// Internal to rewriter/: the changes a SELECT needs when it runs on several route units, the
// same for every unit: derived columns (AVG's COUNT and SUM, ORDER BY / GROUP BY items missing
// from the select list), the ORDER BY a GROUP BY implies, and the widened LIMIT.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "merger/merge_spec.h"
#include "parser/ast.h"
#include "rewriter/rewriter.h"

namespace shardproxy::rewriter {

// The splices for a multi-unit SELECT, and what the merger will need. Only the outermost query
// block of a plain SELECT is rewritten (set operations across shards are refused by the router
// or executed as written).
std::vector<TextSplice> selectSplices(const parser::ast::Statement& s, merger::MergeSpec& merge);

}  // namespace shardproxy::rewriter
