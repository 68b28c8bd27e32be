#include "rewriter/select_rewrite.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "parser/constant_text.h"

namespace shardproxy::rewriter {

namespace ast = parser::ast;

namespace {

// Text compared as MySQL compares written expressions for our purpose: case and spacing aside.
std::string squeeze(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    }
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) { return squeeze(a) == squeeze(b); }

// Where the comment starting at `i` ends (`/* */`, `#` or `-- ` to the end of the line); `i`
// itself when none starts there. (Between clauses there are no strings to mind.)
size_t afterComment(std::string_view sql, size_t i) {
  if (sql.compare(i, 2, "/*") == 0) {
    size_t close = sql.find("*/", i + 2);
    return close == std::string_view::npos ? sql.size() : close + 2;
  }
  if (sql.compare(i, 1, "#") == 0 ||
      (sql.compare(i, 2, "--") == 0 && i + 2 < sql.size() &&
       std::isspace(static_cast<unsigned char>(sql[i + 2])))) {
    size_t nl = sql.find('\n', i);
    return nl == std::string_view::npos ? sql.size() : nl + 1;
  }
  return i;
}

// The text between two clauses, comments left out.
std::string withoutComments(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size();) {
    size_t next = afterComment(text, i);
    if (next != i) {
      out.push_back(' ');
      i = next;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

// Names compared as MySQL compares a column alias: case aside, spaces kept.
bool strcaseEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::optional<uint64_t> integerLiteral(const ast::Statement& s, ast::ExprId id) {
  if (id == ast::kNone) return uint64_t{0};
  const ast::Expr& e = s.expr(id);
  if (e.kind != ast::ExprKind::Literal || e.literalType != ast::LiteralType::Integer) {
    return std::nullopt;
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(e.value.data(), e.value.data() + e.value.size(), v);
  if (ec != std::errc() || end != e.value.data() + e.value.size()) return std::nullopt;
  return v;
}

// The aggregates the merger combines across units, in its terms; any other (STD, VARIANCE,
// JSON_ARRAYAGG, ...) cannot be merged.
constexpr std::pair<ast::AggregateKind, merger::AggregateKind> kMergedAggregates[] = {
    {ast::AggregateKind::Count, merger::AggregateKind::Count},
    {ast::AggregateKind::Sum, merger::AggregateKind::Sum},
    {ast::AggregateKind::Avg, merger::AggregateKind::Avg},
    {ast::AggregateKind::Min, merger::AggregateKind::Min},
    {ast::AggregateKind::Max, merger::AggregateKind::Max},
    {ast::AggregateKind::BitAnd, merger::AggregateKind::BitAnd},
    {ast::AggregateKind::BitOr, merger::AggregateKind::BitOr},
    {ast::AggregateKind::BitXor, merger::AggregateKind::BitXor},
    {ast::AggregateKind::GroupConcat, merger::AggregateKind::GroupConcat},
};

std::optional<merger::AggregateKind> mergedAggregate(ast::AggregateKind kind) {
  for (const auto& [written, merged] : kMergedAggregates) {
    if (written == kind) return merged;
  }
  return std::nullopt;
}

// The comparisons HAVING may make after merging, with the operands as written and swapped
// (5 < x is x > 5).
struct HavingComparison {
  ast::BinaryOperator written;
  merger::CompareOp op;
  merger::CompareOp swapped;
};
constexpr HavingComparison kHavingComparisons[] = {
    {ast::BinaryOperator::Eq, merger::CompareOp::Eq, merger::CompareOp::Eq},
    {ast::BinaryOperator::NullSafeEq, merger::CompareOp::NullSafeEq, merger::CompareOp::NullSafeEq},
    {ast::BinaryOperator::Ne, merger::CompareOp::Ne, merger::CompareOp::Ne},
    {ast::BinaryOperator::Lt, merger::CompareOp::Lt, merger::CompareOp::Gt},
    {ast::BinaryOperator::Le, merger::CompareOp::Le, merger::CompareOp::Ge},
    {ast::BinaryOperator::Gt, merger::CompareOp::Gt, merger::CompareOp::Lt},
    {ast::BinaryOperator::Ge, merger::CompareOp::Ge, merger::CompareOp::Le},
};

std::optional<merger::CompareOp> havingComparison(ast::BinaryOperator op, bool swapped) {
  for (const HavingComparison& c : kHavingComparisons) {
    if (c.written == op) return swapped ? c.swapped : c.op;
  }
  return std::nullopt;
}

// "STD" for the client's message.
std::string upperName(ast::AggregateKind kind) {
  std::string out = ast::toString(kind);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

class SelectRewrite {
 public:
  SelectRewrite(const ast::Statement& s, const ast::Select& q, merger::MergeSpec& merge)
      : s_(s), q_(q), merge_(merge) {}

  std::vector<TextSplice> run() {
    merge_.distinct = q_.distinct;
    merge_.hasHaving = q_.having != ast::kNone;
    aggregates();
    // Each unit would filter its own partial groups, judging a group spread over units on a
    // part of its rows: HAVING moves to the merger, which filters the merged groups.
    if (merge_.hasHaving &&
        (!q_.groupBy.empty() || !merge_.aggregates.empty() || containsAggregate(q_.having, 0))) {
      if (havingToMerge()) {
        merge_.hasHaving = false;
      } else {
        merge_.having.clear();
        merge_.unsupported =
            "HAVING over groups from several shards (only arithmetic, comparisons, AND, OR, "
            "NOT, IS NULL, BETWEEN, IN and ABS, ROUND, FLOOR, CEILING, SIGN, IFNULL, COALESCE, "
            "IF over selected or aggregate values and constants are evaluated after merging)";
      }
    }
    for (const ast::OrderItem& item : q_.groupBy) {
      merge_.groupBy.push_back(sortItem(item, "GROUP_BY_DERIVED_", groupDerived_));
    }
    for (const ast::OrderItem& item : q_.orderBy) {
      merge_.orderBy.push_back(sortItem(item, "ORDER_BY_DERIVED_", orderDerived_));
    }
    if (!q_.groupBy.empty() && q_.orderBy.empty() && !q_.withRollup) {
      // Grouped rows come back sorted by the groups, so they can be merged as streams.
      std::string orderBy = " ORDER BY ";
      for (size_t i = 0; i < q_.groupBy.size(); ++i) {
        if (i > 0) orderBy += ", ";
        orderBy += s_.text(q_.groupBy[i].span);
      }
      uint32_t at = q_.having != ast::kNone ? clauseEnd(q_.groupBy.back().span.end, q_.having)
                                            : q_.groupBy.back().span.end;
      splices_.push_back({at, at, orderBy});
      merge_.orderBy = merge_.groupBy;
    }
    merge_.groupByEqualsOrderBy = sameItems(merge_.groupBy, merge_.orderBy);
    splitGroups();
    if (!derived_.empty() && !q_.items.empty()) {
      uint32_t at = q_.items.back().span.end;
      splices_.push_back({at, at, derived_});
    }
    pagination();
    return std::move(splices_);
  }

 private:
  // The name a backend gives an item's column.
  std::string label(const ast::SelectItem& item) const {
    if (!item.alias.empty()) return item.alias.value;
    const ast::Expr& e = s_.expr(item.expr);
    if (e.kind == ast::ExprKind::Column) return e.column.value;
    return std::string(s_.text(e.span));
  }

  void derive(const std::string& expression, const std::string& alias) {
    derived_ += ", " + expression + " AS " + alias;
    merge_.derivedLabels.push_back(alias);
  }

  static bool isAggregate(const ast::Expr& e) {
    return e.kind == ast::ExprKind::Function && e.aggregate != ast::AggregateKind::None && !e.over;
  }

  // The derived column holding a DISTINCT aggregate's argument (one per distinct text), and the
  // argument added to the keys the units group by.
  std::string distinctArgument(ast::ExprId arg) {
    std::string text(s_.text(s_.expr(arg).span));
    std::string key = squeeze(text);
    if (auto it = distinctDerived_.find(key); it != distinctDerived_.end()) return it->second;
    std::string alias = "AGGREGATION_DISTINCT_DERIVED_" + std::to_string(distinct_++);
    derive(text, alias);
    distinctDerived_[key] = alias;
    splitKey(text);
    return alias;
  }

  // The units group their rows finer, by this too (one group's rows then come in pieces).
  void splitKey(const std::string& text) {
    for (const std::string& k : splitKeys_) {
      if (iequals(k, text)) return;
    }
    splitKeys_.push_back(text);
  }

  // An aggregate column the merger combines across units (AVG from its derived COUNT and SUM;
  // DISTINCT aggregates from their derived arguments; GROUP_CONCAT's ORDER BY from derived
  // keys). The aggregate itself stays in the units' select list: its column definition is the
  // one MySQL gives the client.
  void aggregate(const ast::Expr& e, const std::string& columnLabel) {
    std::optional<merger::AggregateKind> kind = mergedAggregate(e.aggregate);
    if (!kind) {
      // The rules above name a more specific reason first.
      if (merge_.unsupported.empty()) {
        merge_.unsupported = upperName(e.aggregate) + " over several shards";
      }
      return;
    }
    merger::MergeSpec::Aggregate a;
    a.kind = *kind;
    a.label = columnLabel;
    // MIN, MAX, BIT_AND, BIT_OR of the distinct values are those of all values.
    bool distinct = e.distinct && e.aggregate != ast::AggregateKind::Min &&
                    e.aggregate != ast::AggregateKind::Max &&
                    e.aggregate != ast::AggregateKind::BitAnd &&
                    e.aggregate != ast::AggregateKind::BitOr;
    if (distinct) {
      if (e.aggregate == ast::AggregateKind::BitXor || e.args.empty() ||
          (e.args.size() != 1 && e.aggregate != ast::AggregateKind::Count &&
           e.aggregate != ast::AggregateKind::GroupConcat)) {
        if (merge_.unsupported.empty()) {
          merge_.unsupported = "aggregate " + std::string(s_.text(e.span)) + " over several shards";
        }
        return;
      }
      a.distinct = true;
      for (ast::ExprId arg : e.args) a.argLabels.push_back(distinctArgument(arg));
    }
    if (e.aggregate == ast::AggregateKind::Avg && !distinct && !e.args.empty()) {
      std::string args(s_.sql, s_.expr(e.args.front()).span.begin,
                       s_.expr(e.args.back()).span.end - s_.expr(e.args.front()).span.begin);
      a.countLabel = "AVG_DERIVED_COUNT_" + std::to_string(avg_);
      a.sumLabel = "AVG_DERIVED_SUM_" + std::to_string(avg_);
      ++avg_;
      derive("COUNT(" + args + ")", a.countLabel);
      derive("SUM(" + args + ")", a.sumLabel);
    }
    if (e.aggregate == ast::AggregateKind::GroupConcat) {
      if (e.separator != ast::kNone) a.separator = s_.expr(e.separator).value;
      for (const ast::OrderItem& item : e.orderBy) {
        if (item.position > 0) {
          if (merge_.unsupported.empty()) {
            merge_.unsupported = std::string(s_.text(e.span)) +
                                 " over several shards (ORDER BY a position inside GROUP_CONCAT)";
          }
          return;
        }
        std::string text(s_.text(s_.expr(item.expr).span));
        merger::MergeSpec::SortItem key;
        key.label = "GROUP_CONCAT_ORDER_DERIVED_" + std::to_string(concatOrder_++);
        key.desc = item.desc;
        derive(text, key.label);
        splitKey(text);
        a.orderBy.push_back(std::move(key));
      }
      // The full length of each unit row's value: a unit cuts it at group_concat_max_len too,
      // and a value cut there ends the merged one (MySQL adds no value after a cut).
      if (!e.args.empty()) {
        std::string element(s_.sql, s_.expr(e.args.front()).span.begin,
                            s_.expr(e.args.back()).span.end - s_.expr(e.args.front()).span.begin);
        if (e.args.size() > 1) element = "CONCAT(" + element + ")";
        a.lengthLabel = "GROUP_CONCAT_LENGTH_DERIVED_" + std::to_string(concatLength_++);
        derive(distinct ? "MAX(LENGTH(" + element + "))"
                        : "SUM(LENGTH(" + element + ")) + (COUNT(" + element + ") - 1) * " +
                              std::to_string(a.separator.size()),
               a.lengthLabel);
      }
    }
    merge_.aggregates.push_back(std::move(a));
  }

  void aggregates() {
    for (const ast::SelectItem& item : q_.items) {
      if (item.kind != ast::SelectItem::Kind::Expr) continue;
      const ast::Expr& e = s_.expr(item.expr);
      if (isAggregate(e)) {
        aggregate(e, label(item));
      } else if (containsAggregate(item.expr, 0)) {
        // Each unit computes it over its partial aggregates: the merger computes it again over
        // the merged ones, in the item's column.
        uint32_t root = 0;
        if (mergeExpr(item.expr, root, 0, "AGGREGATION_DERIVED_", expressionDerived_)) {
          merger::MergeSpec::SortItem column;
          if (positionsKnown()) {
            column.position = static_cast<uint32_t>(&item - q_.items.data()) + 1;
          } else {
            column.label = label(item);
          }
          merge_.computed.push_back({column, root});
        } else if (merge_.unsupported.empty()) {
          merge_.unsupported =
              "expression " + std::string(s_.text(e.span)) + " over aggregates of several shards";
        }
      }
    }
  }

  // The units group by the split keys as well: after the GROUP BY list, or in a GROUP BY of
  // their own after the WHERE (or FROM).
  void splitGroups() {
    if (splitKeys_.empty()) return;
    if (q_.withRollup) {
      merge_.unsupported =
          "DISTINCT or ordered GROUP_CONCAT aggregates WITH ROLLUP over several shards";
      return;
    }
    std::string keys;
    for (const std::string& k : splitKeys_) keys += (keys.empty() ? "" : ", ") + k;
    if (!q_.groupBy.empty()) {
      insertFirst({q_.groupBy.back().span.end, q_.groupBy.back().span.end, ", " + keys});
      return;
    }
    uint32_t at = 0;
    if (q_.where != ast::kNone) {
      at = whereEnd();
    } else if (!q_.from.empty()) {
      at = s_.tableRef(q_.from.back()).span.end;
    } else {
      merge_.unsupported = "DISTINCT aggregates without FROM over several shards";
      return;
    }
    insertFirst({at, at, " GROUP BY " + keys});
  }

  // A splice that goes before the others at its offset (an insertion before a replacement or
  // another insertion there).
  void insertFirst(TextSplice splice) {
    auto it = std::find_if(splices_.begin(), splices_.end(),
                           [&](const TextSplice& sp) { return sp.begin == splice.begin; });
    splices_.insert(it, std::move(splice));
  }

  // The select-list column an ORDER BY / GROUP BY item sorts on, derived when it has none.
  merger::MergeSpec::SortItem sortItem(const ast::OrderItem& item, const char* prefix,
                                       int& counter) {
    merger::MergeSpec::SortItem out;
    out.desc = item.desc;
    if (item.position > 0) {
      out.position = item.position;
      return out;
    }
    const ast::Expr& e = s_.expr(item.expr);
    std::string_view text = s_.text(e.span);
    // A matched select item is named by its position when positions are known (no `*` before
    // anything): two columns may share a label (o.user_id, i.user_id).
    bool positions = positionsKnown();
    auto matched = [&](const ast::SelectItem& si) {
      if (positions) {
        out.position = static_cast<uint32_t>(&si - q_.items.data()) + 1;
      } else {
        out.label = label(si);
      }
      return out;
    };
    for (const ast::SelectItem& si : q_.items) {
      if (si.kind == ast::SelectItem::Kind::Star) {
        if (e.kind == ast::ExprKind::Column) {
          out.label = e.column.value;
          return out;
        }
        continue;
      }
      if (si.kind == ast::SelectItem::Kind::TableStar) {
        if (e.kind == ast::ExprKind::Column && !e.table.empty() &&
            iequals(e.table.value, si.table.value)) {
          out.label = e.column.value;
          return out;
        }
        continue;
      }
      // An alias, written plain or quoted (`key`): the name, not the text, is compared.
      if (!si.alias.empty() &&
          (iequals(si.alias.value, text) || (e.kind == ast::ExprKind::Column && e.table.empty() &&
                                             strcaseEqual(si.alias.value, e.column.value)))) {
        return matched(si);
      }
      const ast::Expr& se = s_.expr(si.expr);
      bool same = false;
      if (e.kind == ast::ExprKind::Column && se.kind == ast::ExprKind::Column) {
        same = iequals(e.column.value, se.column.value) &&
               (e.table.empty() || se.table.empty() || iequals(e.table.value, se.table.value));
      } else {
        same = iequals(text, s_.text(se.span));
      }
      if (same) return matched(si);
    }
    // Already derived (GROUP BY x ORDER BY x with x not selected): one column serves both.
    if (auto it = derivedByText_.find(squeeze(text)); it != derivedByText_.end()) {
      out.label = it->second;
      return out;
    }
    out.label = prefix + std::to_string(counter++);
    derive(std::string(text), out.label);
    derivedByText_[squeeze(text)] = out.label;
    // ORDER BY COUNT(*) not selected: each unit's count is partial; the merger must add them up
    // before sorting, as for a selected aggregate.
    if (isAggregate(e)) {
      aggregate(e, out.label);
    } else if (containsAggregate(item.expr, 0)) {
      // Each unit computes it over its partial aggregates: the merger computes it again over
      // the merged ones.
      uint32_t root = 0;
      if (mergeExpr(item.expr, root, 0, prefix, counter)) {
        merger::MergeSpec::SortItem column = out;
        column.desc = false;
        merge_.computed.push_back({column, root});
      } else if (merge_.unsupported.empty()) {
        merge_.unsupported =
            "expression " + std::string(text) + " over aggregates of several shards";
      }
    }
    return out;
  }

  // Select items are known by position: no `*` among them.
  bool positionsKnown() const {
    return std::none_of(q_.items.begin(), q_.items.end(), [](const ast::SelectItem& si) {
      return si.kind != ast::SelectItem::Kind::Expr;
    });
  }

  bool containsAggregate(ast::ExprId id, int depth) const {
    if (id == ast::kNone || depth > 200) return depth > 200;
    const ast::Expr& e = s_.expr(id);
    if (isAggregate(e)) return true;
    for (ast::ExprId arg : e.args) {
      if (containsAggregate(arg, depth + 1)) return true;
    }
    return false;
  }

  // HAVING as a predicate for the merger, and the clause taken out of the units' statement.
  bool havingToMerge() {
    uint32_t root = 0;
    if (!havingNode(q_.having, root, 0) || root != 0) return false;
    // The clause runs from the HAVING keyword, which follows the GROUP BY list (or the WHERE,
    // or the FROM) and precedes the condition.
    uint32_t begin = s_.expr(q_.having).span.begin;
    uint32_t from = 0;
    if (!q_.groupBy.empty()) {
      from = q_.groupBy.back().span.end;
    } else if (q_.where != ast::kNone) {
      from = whereEnd();
    } else if (!q_.from.empty()) {
      from = s_.tableRef(q_.from.back()).span.end;
    } else {
      return false;
    }
    // Between them only the keyword (and spacing, and the condition's opening parentheses):
    // the clause goes with its leading space.
    std::string keyword =
        squeeze(withoutComments(std::string_view(s_.sql).substr(from, begin - from)));
    while (!keyword.empty() && keyword.back() == '(') keyword.pop_back();
    if (keyword != "having") return false;
    splices_.push_back({from, clauseEnd(from, q_.having), ""});
    return true;
  }

  // Where a clause whose condition is `id` ends: after the condition and the closing
  // parentheses of those opened between `from` (the end of what precedes the clause) and the
  // condition (an expression's span leaves out its enclosing parentheses).
  uint32_t clauseEnd(uint32_t from, ast::ExprId id) const {
    const ast::Span& span = s_.expr(id).span;
    const std::string_view sql(s_.sql);
    int open = 0;
    for (size_t i = from; i < span.begin && i < sql.size();) {
      size_t next = afterComment(sql, i);
      if (next != i) {
        i = next;
        continue;
      }
      open += sql[i++] == '(';
    }
    size_t at = span.end;
    size_t end = at;  // after the last closing parenthesis taken
    while (open > 0 && at < sql.size()) {
      size_t next = afterComment(sql, at);
      if (next != at) {
        at = next;
        continue;
      }
      char c = sql[at];
      if (c == ')') {
        --open;
        end = at + 1;
      } else if (!std::isspace(static_cast<unsigned char>(c))) {
        break;
      }
      ++at;
    }
    return static_cast<uint32_t>(end);
  }

  // The end of the WHERE clause.
  uint32_t whereEnd() const {
    uint32_t from = q_.from.empty() ? 0 : s_.tableRef(q_.from.back()).span.end;
    return clauseEnd(from, q_.where);
  }

  bool havingNode(ast::ExprId id, uint32_t& out, int depth) {
    if (depth > 64) return false;
    const ast::Expr& e = s_.expr(id);
    using Node = merger::MergeSpec::HavingNode;
    out = static_cast<uint32_t>(merge_.having.size());
    merge_.having.emplace_back();
    if (e.kind == ast::ExprKind::BinaryOp &&
        (e.binaryOp == ast::BinaryOperator::And || e.binaryOp == ast::BinaryOperator::Or)) {
      merge_.having[out].kind =
          e.binaryOp == ast::BinaryOperator::And ? Node::Kind::And : Node::Kind::Or;
      for (ast::ExprId arg : e.args) {
        uint32_t child = 0;
        if (!havingNode(arg, child, depth + 1)) return false;
        merge_.having[out].children.push_back(child);
      }
      return true;
    }
    if (e.kind == ast::ExprKind::UnaryOp && e.unaryOp == ast::UnaryOperator::Not) {
      merge_.having[out].kind = Node::Kind::Not;
      uint32_t child = 0;
      if (!havingNode(e.args[0], child, depth + 1)) return false;
      merge_.having[out].children.push_back(child);
      return true;
    }
    Node node;
    if (!comparisonNode(e, node)) {
      // Anything else the merger can evaluate: arithmetic, functions, comparisons of two
      // expressions (COUNT(*) * 2 > 4, SUM(x) / COUNT(*) > 1.5).
      uint32_t root = 0;
      if (!mergeExpr(id, root, 0, "HAVING_DERIVED_", havingDerived_)) return false;
      node = Node{};
      node.kind = Node::Kind::Expr;
      node.expr = root;
    }
    merge_.having[out] = std::move(node);
    return true;
  }

  // A comparison of one column (a selected or aggregate value) with constants.
  bool comparisonNode(const ast::Expr& e, merger::MergeSpec::HavingNode& node) {
    using Node = merger::MergeSpec::HavingNode;
    if (e.kind == ast::ExprKind::BinaryOp && e.args.size() == 2 &&
        e.quantifier == ast::Quantifier::None) {
      std::optional<std::string> value;
      ast::ExprId operand = e.args[0];
      bool swapped = false;
      if (!constant(e.args[1], value)) {
        if (!constant(e.args[0], value)) return false;
        operand = e.args[1];
        swapped = true;
      }
      std::optional<merger::CompareOp> op = havingComparison(e.binaryOp, swapped);
      if (!op) return false;
      if (!havingOperand(operand, node.column)) return false;
      node.kind = Node::Kind::Compare;
      node.op = *op;
      node.constants.push_back(std::move(value));
    } else if (e.kind == ast::ExprKind::Between && e.args.size() == 3) {
      node.kind = Node::Kind::Between;
      node.negated = e.negated;
      for (size_t i = 1; i < 3; ++i) {
        std::optional<std::string> value;
        if (!constant(e.args[i], value)) return false;
        node.constants.push_back(std::move(value));
      }
      if (!havingOperand(e.args[0], node.column)) return false;
    } else if (e.kind == ast::ExprKind::In && e.subquery == ast::kNone && e.args.size() >= 2) {
      node.kind = Node::Kind::In;
      node.negated = e.negated;
      for (size_t i = 1; i < e.args.size(); ++i) {
        std::optional<std::string> value;
        if (!constant(e.args[i], value)) return false;
        node.constants.push_back(std::move(value));
      }
      if (!havingOperand(e.args[0], node.column)) return false;
    } else if (e.kind == ast::ExprKind::Is && e.isTest == ast::IsTest::Null) {
      node.kind = Node::Kind::IsNull;
      node.negated = e.negated;
      if (!havingOperand(e.args[0], node.column)) return false;
    } else {
      return false;
    }
    return true;
  }

  // An expression over aggregates and grouped columns as a tree of the merger's (children
  // before their parent); false when a part of it cannot be evaluated after merging. Operands
  // that are not selected are derived (`prefix`).
  bool mergeExpr(ast::ExprId id, uint32_t& out, int depth, const char* prefix, int& counter) {
    using Node = merger::MergeSpec::ExprNode;
    if (depth > 64) return false;
    const ast::Expr& e = s_.expr(id);
    Node node;
    auto child = [&](ast::ExprId arg) {
      uint32_t c = 0;
      if (!mergeExpr(arg, c, depth + 1, prefix, counter)) return false;
      node.args.push_back(c);
      return true;
    };
    auto push = [&](Node n) {
      out = static_cast<uint32_t>(merge_.exprs.size());
      merge_.exprs.push_back(std::move(n));
      return true;
    };
    if (isAggregate(e) || e.kind == ast::ExprKind::Column) {
      ast::OrderItem item;
      item.span = e.span;
      item.expr = id;
      node.kind = Node::Kind::Column;
      node.column = sortItem(item, prefix, counter);
      return push(std::move(node));
    }
    switch (e.kind) {
      case ast::ExprKind::Literal:
        node.kind = Node::Kind::Literal;
        switch (e.literalType) {
          case ast::LiteralType::Integer:
          case ast::LiteralType::Decimal:
          case ast::LiteralType::Double:
            node.text = e.value;
            break;
          case ast::LiteralType::String:
            if (!e.charset.empty()) return false;
            node.text = e.value;
            node.string = true;
            break;
          case ast::LiteralType::Boolean:
            node.text = e.value == "TRUE" ? "1" : "0";
            break;
          case ast::LiteralType::Null:
            node.null = true;
            break;
          default:
            return false;
        }
        return push(std::move(node));
      case ast::ExprKind::UnaryOp:
        if (e.unaryOp == ast::UnaryOperator::Plus)
          return mergeExpr(e.args[0], out, depth + 1, prefix, counter);
        if (e.unaryOp != ast::UnaryOperator::Minus && e.unaryOp != ast::UnaryOperator::Not) {
          return false;
        }
        node.kind = e.unaryOp == ast::UnaryOperator::Minus ? Node::Kind::Negate : Node::Kind::Not;
        if (!child(e.args[0])) return false;
        return push(std::move(node));
      case ast::ExprKind::BinaryOp: {
        static const std::pair<ast::BinaryOperator, const char*> kOps[] = {
            {ast::BinaryOperator::Add, "+"},      {ast::BinaryOperator::Sub, "-"},
            {ast::BinaryOperator::Mul, "*"},      {ast::BinaryOperator::Div, "/"},
            {ast::BinaryOperator::IntDiv, "DIV"}, {ast::BinaryOperator::Mod, "%"},
            {ast::BinaryOperator::Eq, "="},       {ast::BinaryOperator::NullSafeEq, "<=>"},
            {ast::BinaryOperator::Ne, "<>"},      {ast::BinaryOperator::Lt, "<"},
            {ast::BinaryOperator::Le, "<="},      {ast::BinaryOperator::Gt, ">"},
            {ast::BinaryOperator::Ge, ">="},      {ast::BinaryOperator::And, "AND"},
            {ast::BinaryOperator::Or, "OR"},      {ast::BinaryOperator::Xor, "XOR"},
        };
        if (e.args.size() != 2 || e.quantifier != ast::Quantifier::None) return false;
        for (const auto& [op, name] : kOps) {
          if (op == e.binaryOp) node.op = name;
        }
        if (node.op.empty()) return false;
        node.kind = Node::Kind::Binary;
        if (!child(e.args[0]) || !child(e.args[1])) return false;
        return push(std::move(node));
      }
      case ast::ExprKind::Is:
        if (e.isTest != ast::IsTest::Null) return false;
        node.kind = Node::Kind::IsNull;
        node.negated = e.negated;
        if (!child(e.args[0])) return false;
        return push(std::move(node));
      case ast::ExprKind::Between:
      case ast::ExprKind::In: {
        // x BETWEEN a AND b is x >= a AND x <= b; x IN (a, b) is x = a OR x = b (the same in
        // three-valued logic).
        if (e.args.size() < 2 || e.subquery != ast::kNone) return false;
        if (e.kind == ast::ExprKind::Between && e.args.size() != 3) return false;
        uint32_t x = 0;
        if (!mergeExpr(e.args[0], x, depth + 1, prefix, counter)) return false;
        std::optional<uint32_t> acc;
        for (size_t i = 1; i < e.args.size(); ++i) {
          uint32_t v = 0;
          if (!mergeExpr(e.args[i], v, depth + 1, prefix, counter)) return false;
          Node cmp;
          cmp.kind = Node::Kind::Binary;
          cmp.op = e.kind == ast::ExprKind::In ? "=" : (i == 1 ? ">=" : "<=");
          cmp.args = {x, v};
          push(std::move(cmp));
          uint32_t c = out;
          if (acc) {
            Node join;
            join.kind = Node::Kind::Binary;
            join.op = e.kind == ast::ExprKind::In ? "OR" : "AND";
            join.args = {*acc, c};
            push(std::move(join));
            c = out;
          }
          acc = c;
        }
        out = *acc;
        if (e.negated) {
          Node neg;
          neg.kind = Node::Kind::Not;
          neg.args = {*acc};
          push(std::move(neg));
        }
        return true;
      }
      case ast::ExprKind::Function: {
        static const char* const kFunctions[] = {"ABS",  "ROUND",  "FLOOR",    "CEILING", "CEIL",
                                                 "SIGN", "IFNULL", "COALESCE", "IF"};
        if (e.over || e.distinct || e.star) return false;
        std::string name = e.name;
        for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        if (std::find(std::begin(kFunctions), std::end(kFunctions), name) == std::end(kFunctions)) {
          return false;
        }
        node.kind = Node::Kind::Function;
        node.op = name;
        for (ast::ExprId arg : e.args) {
          if (!child(arg)) return false;
        }
        return push(std::move(node));
      }
      default:
        return false;
    }
  }

  bool constant(ast::ExprId id, std::optional<std::string>& out) const {
    return ast::constantText(s_, id, out);
  }

  // The column a HAVING operand is: a select item (by alias or expression) or a derived one
  // (not non-aggregate expressions of non-grouped columns).
  bool havingOperand(ast::ExprId id, merger::MergeSpec::SortItem& out) {
    const ast::Expr& e = s_.expr(id);
    if (e.kind != ast::ExprKind::Column && !isAggregate(e)) return false;
    ast::OrderItem item;
    item.span = e.span;
    item.expr = id;
    out = sortItem(item, "HAVING_DERIVED_", havingDerived_);
    return true;
  }

  static bool sameItems(const std::vector<merger::MergeSpec::SortItem>& a,
                        const std::vector<merger::MergeSpec::SortItem>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i].position != b[i].position || !iequals(a[i].label, b[i].label) ||
          a[i].desc != b[i].desc) {
        return false;
      }
    }
    return true;
  }

  // Each unit must return the rows up to offset + count: which of them survive is only known
  // after merging. When groups are merged in memory (GROUP BY and ORDER BY differ), every group
  // is needed.
  void pagination() {
    if (!q_.limit.present()) return;
    auto offset = integerLiteral(s_, q_.limit.offset);
    auto count = integerLiteral(s_, q_.limit.count);
    if (!offset || !count) return;  // parameters: rewritten when they are bound
    merge_.offset = *offset;
    merge_.count = *count;
    uint64_t rows = 0;
    // Memory-merged groups need every group; split groups (a DISTINCT aggregate added x to the
    // units' GROUP BY) span several of the units' rows.
    if (!merge_.having.empty() || !splitKeys_.empty() ||
        (!q_.groupBy.empty() && !merge_.groupByEqualsOrderBy)) {
      rows = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());
    } else if (*offset == 0) {
      return;
    } else {
      rows = *offset + *count < *offset ? std::numeric_limits<uint64_t>::max() : *offset + *count;
    }
    splices_.push_back(
        {q_.limit.span.begin, q_.limit.span.end, "LIMIT 0, " + std::to_string(rows)});
  }

  const ast::Statement& s_;
  const ast::Select& q_;
  merger::MergeSpec& merge_;
  std::vector<TextSplice> splices_;
  std::string derived_;
  std::map<std::string, std::string> derivedByText_;
  // DISTINCT aggregates' arguments by text -> their derived columns; what the units also group by.
  std::map<std::string, std::string> distinctDerived_;
  std::vector<std::string> splitKeys_;
  int distinct_ = 0;
  int concatOrder_ = 0;
  int concatLength_ = 0;
  int expressionDerived_ = 0;
  int havingDerived_ = 0;
  int orderDerived_ = 0;
  int avg_ = 0;  // AVG_DERIVED_*_<n>
  int groupDerived_ = 0;
};

}  // namespace

std::vector<TextSplice> selectSplices(const ast::Statement& s, merger::MergeSpec& merge) {
  if (s.kind != ast::StatementKind::Select || s.select == ast::kNone) return {};
  const ast::Select& q = s.query(s.select);
  if (q.kind != ast::Select::Kind::Query) return {};
  return SelectRewrite(s, q, merge).run();
}

}  // namespace shardproxy::rewriter
