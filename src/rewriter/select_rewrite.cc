#include "rewriter/select_rewrite.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <limits>
#include <map>
#include <optional>
#include <utility>

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
            "HAVING over groups from several shards (only comparisons of "
            "selected or aggregate values with constants, joined by AND, OR, "
            "NOT, are evaluated after merging)";
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
      uint32_t at =
          q_.having != ast::kNone ? s_.expr(q_.having).span.end : q_.groupBy.back().span.end;
      splices_.push_back({at, at, orderBy});
      merge_.orderBy = merge_.groupBy;
    }
    merge_.groupByEqualsOrderBy = sameItems(merge_.groupBy, merge_.orderBy);
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
    if (auto it = relabeled_.find(&item); it != relabeled_.end()) return it->second;
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

  // An aggregate column the merger combines across units (AVG from its derived COUNT and SUM).
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
    a.distinct = e.distinct;
    a.label = columnLabel;
    if (e.aggregate == ast::AggregateKind::Avg && !e.args.empty()) {
      std::string args(s_.sql, s_.expr(e.args.front()).span.begin,
                       s_.expr(e.args.back()).span.end - s_.expr(e.args.front()).span.begin);
      std::string distinct = e.distinct ? "DISTINCT " : "";
      a.countLabel = "AVG_DERIVED_COUNT_" + std::to_string(avg_);
      a.sumLabel = "AVG_DERIVED_SUM_" + std::to_string(avg_);
      ++avg_;
      derive("COUNT(" + distinct + args + ")", a.countLabel);
      derive("SUM(" + distinct + args + ")", a.sumLabel);
    }
    merge_.aggregates.push_back(std::move(a));
  }

  void aggregates() {
    bool distinctRows = false;
    bool plainAggregates = false;
    for (const ast::SelectItem& item : q_.items) {
      if (item.kind != ast::SelectItem::Kind::Expr) continue;
      const ast::Expr& e = s_.expr(item.expr);
      if (!isAggregate(e)) continue;
      if (distinctAggregate(item, e)) {
        distinctRows = true;
        continue;
      }
      if (e.distinct) {
        merge_.unsupported = "aggregate " + std::string(s_.text(e.span)) + " over several shards";
      }
      if (e.aggregate == ast::AggregateKind::GroupConcat && !plainGroupConcat(e)) {
        merge_.unsupported = std::string(s_.text(e.span)) +
                             " over several shards (only GROUP_CONCAT(x) with the default "
                             "separator merges)";
      }
      plainAggregates = true;
      aggregate(e, label(item));
    }
    // Units return distinct rows for the DISTINCT aggregates; other aggregates would then come
    // back in several partial rows per unit.
    if (distinctRows && plainAggregates) {
      merge_.unsupported = "DISTINCT aggregates together with other aggregates over several shards";
    }
    // The units return the distinct values; the merger aggregates them across units.
    if (distinctRows && !q_.distinct) {
      // First among the splices at this offset: an insertion goes before a replacement there.
      uint32_t at = q_.items.front().span.begin;
      splices_.insert(splices_.begin(), TextSplice{at, at, "DISTINCT "});
    }
  }

  // GROUP_CONCAT(x): one argument, no ORDER BY, no SEPARATOR (written exactly so, spacing aside).
  bool plainGroupConcat(const ast::Expr& e) const {
    if (e.args.size() != 1) return false;
    std::string plain =
        squeeze(e.name) + "(" + squeeze(s_.text(s_.expr(e.args.front()).span)) + ")";
    return squeeze(s_.text(e.span)) == plain;
  }

  // COUNT / SUM / AVG (DISTINCT x) over several units: a value seen on two units counts once,
  // so each unit returns its distinct values of x instead (`x AS AGGREGATION_DISTINCT_DERIVED_n`,
  // under SELECT DISTINCT), and the merger aggregates them, as ShardingSphere rewrites it.
  bool distinctAggregate(const ast::SelectItem& item, const ast::Expr& e) {
    if (!e.distinct || e.args.size() != 1 ||
        (e.aggregate != ast::AggregateKind::Count && e.aggregate != ast::AggregateKind::Sum &&
         e.aggregate != ast::AggregateKind::Avg)) {
      return false;
    }
    merger::MergeSpec::Aggregate a;
    a.kind = *mergedAggregate(e.aggregate);  // COUNT, SUM or AVG
    a.distinct = true;
    std::string replacement(s_.text(s_.expr(e.args.front()).span));
    if (item.alias.empty()) {
      a.label = "AGGREGATION_DISTINCT_DERIVED_" + std::to_string(distinct_++);
      a.clientName = std::string(s_.text(item.span));
      replacement += " AS " + a.label;
    } else {
      a.label = item.alias.value;
    }
    splices_.push_back({e.span.begin, e.span.end, replacement});
    relabeled_[&item] = a.label;
    // With GROUP BY, each unit must keep every distinct x of a group, not one row per group.
    if (!q_.groupBy.empty()) {
      uint32_t at = q_.groupBy.back().span.end;
      splices_.push_back({at, at, ", " + std::string(s_.text(s_.expr(e.args.front()).span))});
    }
    merge_.aggregates.push_back(std::move(a));
    return true;
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
    bool positions = std::none_of(q_.items.begin(), q_.items.end(), [](const ast::SelectItem& si) {
      return si.kind != ast::SelectItem::Kind::Expr;
    });
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
      if (!si.alias.empty() && iequals(si.alias.value, text)) return matched(si);
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
    if (isAggregate(e)) aggregate(e, out.label);
    return out;
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
      from = s_.expr(q_.where).span.end;
    } else if (!q_.from.empty()) {
      from = s_.tableRef(q_.from.back()).span.end;
    } else {
      return false;
    }
    // Between them only the keyword (and spacing): the clause goes with its leading space.
    if (squeeze(std::string_view(s_.sql).substr(from, begin - from)) != "having") return false;
    splices_.push_back({from, s_.expr(q_.having).span.end, ""});
    return true;
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
    merge_.having[out] = std::move(node);
    return true;
  }

  // A number or string literal (a NULL literal is nullopt).
  bool constant(ast::ExprId id, std::optional<std::string>& out) const {
    const ast::Expr& e = s_.expr(id);
    if (e.kind == ast::ExprKind::UnaryOp && e.unaryOp == ast::UnaryOperator::Minus) {
      const ast::Expr& inner = s_.expr(e.args[0]);
      if (inner.kind != ast::ExprKind::Literal ||
          (inner.literalType != ast::LiteralType::Integer &&
           inner.literalType != ast::LiteralType::Decimal)) {
        return false;
      }
      out = "-" + inner.value;
      return true;
    }
    if (e.kind != ast::ExprKind::Literal) return false;
    switch (e.literalType) {
      case ast::LiteralType::Integer:
      case ast::LiteralType::Decimal:
      case ast::LiteralType::String:
        out = e.value;
        return true;
      case ast::LiteralType::Null:
        out.reset();
        return true;
      default:
        return false;
    }
  }

  // The column a HAVING operand is: a select item (by alias or expression) or a derived one.
  // DISTINCT aggregates that are not selected cannot be derived (their units would need other
  // rows); nor can non-aggregate expressions of non-grouped columns.
  bool havingOperand(ast::ExprId id, merger::MergeSpec::SortItem& out) {
    const ast::Expr& e = s_.expr(id);
    if (e.kind != ast::ExprKind::Column && !isAggregate(e)) return false;
    if (isAggregate(e) && e.distinct) {
      bool selected = false;
      for (const ast::SelectItem& si : q_.items) {
        if (si.kind == ast::SelectItem::Kind::Expr &&
            iequals(s_.text(s_.expr(si.expr).span), s_.text(e.span))) {
          selected = true;
        }
      }
      if (!selected) return false;
    }
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
    // Memory-merged groups need every group; groups split by distinct values (a DISTINCT
    // aggregate added x to the units' GROUP BY) span several of the units' rows.
    if (!merge_.having.empty() ||
        (!q_.groupBy.empty() && (!merge_.groupByEqualsOrderBy || !relabeled_.empty()))) {
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
  // Select items whose column the units name otherwise (rewritten DISTINCT aggregates).
  std::map<const ast::SelectItem*, std::string> relabeled_;
  int distinct_ = 0;
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
