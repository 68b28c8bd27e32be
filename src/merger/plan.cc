#include "merger/plan.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include "merger/aggregate.h"
#include "merger/compare.h"
#include "merger/streams.h"
#include "protocol/constants.h"

namespace shardproxy::merger {

namespace {

namespace ast = parser::ast;
using Op = ColumnMerge::Op;

using protocol::ColumnType;
// MySQL's cap on a DECIMAL's scale; 31 (NOT_FIXED_DEC) means "not fixed".
constexpr unsigned kMaxScale = 30;
// div_precision_increment's default: AVG's scale is its argument's plus this.
constexpr unsigned kDivPrecisionIncrement = 4;

bool isFloating(const ColumnInfo& c) {
  auto type = static_cast<ColumnType>(c.type);
  return type == ColumnType::kFloat || type == ColumnType::kDouble;
}

std::string lowerNoSpace(std::string_view s, bool dropSpaces) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (dropSpaces && std::isspace(u)) continue;
    out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

Status unsupported(const std::string& what) {
  return Status(er::kNotSupportedYet, "42000", "unsupported: " + what);
}

// Result columns by label, as the rewriter names them: case-insensitive; a label that differs
// only in spacing (the server may keep an expression's spacing, the rewriter's text too) is the
// fallback.
class Resolver {
 public:
  Resolver(const std::vector<ColumnInfo>& columns, size_t visible)
      : columns_(columns), visible_(visible) {}

  void setVisible(size_t visible) { visible_ = visible; }

  Result<size_t> label(const std::string& label, bool last = false) const {
    std::vector<size_t> all = matches(label);
    if (all.empty()) return notFound(label);
    return last ? all.back() : all.front();
  }

  // Every column with that label, in order: the exact (case-insensitive) matches, or else the
  // ones that differ only in spacing.
  std::vector<size_t> matches(const std::string& label) const {
    std::vector<size_t> out;
    for (bool squeeze : {false, true}) {
      std::string want = lowerNoSpace(label, squeeze);
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (lowerNoSpace(columns_[i].label, squeeze) == want) out.push_back(i);
      }
      if (!out.empty()) break;
    }
    return out;
  }

  static Status notFound(const std::string& label) {
    return makeError(er::kUnknownError, "merge: no column '" + label + "' in the shards' results");
  }

  Result<size_t> item(const rewriter::MergeContext::SortItem& item) const {
    if (item.position > 0 || item.label.empty()) {
      if (item.position == 0 || item.position > visible_) {
        return makeError(er::kUnknownError, "merge: select-list position " +
                                                std::to_string(item.position) +
                                                " is not in the shards' results");
      }
      return static_cast<size_t>(item.position - 1);
    }
    return label(item.label);
  }

 private:
  const std::vector<ColumnInfo>& columns_;
  size_t visible_;
};

Result<RowComparator> sortKeys(const std::vector<rewriter::MergeContext::SortItem>& items,
                               const Resolver& resolver, const std::vector<ColumnInfo>& columns) {
  std::vector<SortKey> keys;
  for (const auto& item : items) {
    auto column = resolver.item(item);
    if (!column) return column.status();
    keys.push_back(SortKey{*column, item.desc, ColumnComparator(columns[*column])});
  }
  return RowComparator(std::move(keys));
}

const char* aggregateName(ast::AggregateKind kind) {
  switch (kind) {
    case ast::AggregateKind::Std:
      return "STD";
    case ast::AggregateKind::Stddev:
      return "STDDEV";
    case ast::AggregateKind::StddevPop:
      return "STDDEV_POP";
    case ast::AggregateKind::StddevSamp:
      return "STDDEV_SAMP";
    case ast::AggregateKind::Variance:
      return "VARIANCE";
    case ast::AggregateKind::VarPop:
      return "VAR_POP";
    case ast::AggregateKind::VarSamp:
      return "VAR_SAMP";
    case ast::AggregateKind::JsonArrayAgg:
      return "JSON_ARRAYAGG";
    case ast::AggregateKind::JsonObjectAgg:
      return "JSON_OBJECTAGG";
    default:
      return "this aggregate";
  }
}

Result<AggregateSpec> aggregateSpec(const rewriter::MergeContext& merge,
                                    const std::vector<ColumnInfo>& columns,
                                    const Resolver& resolver) {
  AggregateSpec spec;
  spec.columns.resize(columns.size());
  for (size_t i = 0; i < columns.size(); ++i) {
    spec.columns[i].comparator = ColumnComparator(columns[i]);
  }
  for (const auto& a : merge.aggregates) {
    // SELECT COUNT(*), COUNT(*): two columns with one label, one aggregate each.
    std::vector<size_t> candidates = resolver.matches(a.label);
    if (candidates.empty()) return Resolver::notFound(a.label);
    size_t at = candidates.front();
    for (size_t c : candidates) {
      if (spec.columns[c].op == Op::First) {
        at = c;
        break;
      }
    }
    ColumnMerge& m = spec.columns[at];
    const ColumnInfo& column = columns[at];
    switch (a.kind) {
      case ast::AggregateKind::Count:
        m.op = a.distinct ? Op::CountDistinct : Op::Count;
        break;
      case ast::AggregateKind::Sum:
        m.op = a.distinct ? Op::SumDistinct : Op::Sum;
        m.inDouble = isFloating(column);
        break;
      case ast::AggregateKind::Avg:
        m.inDouble = isFloating(column);
        if (a.countLabel.empty() || a.sumLabel.empty()) {
          if (!a.distinct) return unsupported("AVG without its derived COUNT and SUM columns");
          // The column holds x's distinct values: AVG's scale is x's plus the increment.
          m.op = Op::AvgDistinct;
          m.scale = std::min<unsigned>(column.decimals + kDivPrecisionIncrement, kMaxScale);
        } else {
          auto count = resolver.label(a.countLabel, true);
          if (!count) return count.status();
          auto sum = resolver.label(a.sumLabel, true);
          if (!sum) return sum.status();
          m.op = Op::Avg;
          m.countColumn = *count;
          m.sumColumn = *sum;
          m.scale = std::min<unsigned>(column.decimals, kMaxScale);
          spec.columns[*count].op = Op::Count;
          spec.columns[*sum].op = Op::Sum;
          spec.columns[*sum].inDouble = isFloating(columns[*sum]);
        }
        break;
      case ast::AggregateKind::Min:
        m.op = Op::Min;
        break;
      case ast::AggregateKind::Max:
        m.op = Op::Max;
        break;
      case ast::AggregateKind::BitAnd:
        m.op = Op::BitAnd;
        break;
      case ast::AggregateKind::BitOr:
        m.op = Op::BitOr;
        break;
      case ast::AggregateKind::BitXor:
        m.op = Op::BitXor;
        break;
      case ast::AggregateKind::GroupConcat:
        // A value two shards both hold would appear twice.
        if (a.distinct) return unsupported("GROUP_CONCAT(DISTINCT ...) over several shards");
        m.op = Op::GroupConcat;
        break;
      default:
        return unsupported(std::string(aggregateName(a.kind)) + " over several shards");
    }
  }
  return spec;
}

}  // namespace

Result<MergePlan> buildMergePlan(const rewriter::MergeContext& merge,
                                 const std::vector<ColumnInfo>& columns,
                                 std::vector<std::unique_ptr<RowStream>> units,
                                 const MergeLimits& limits) {
  for (const auto& unit : units) {
    if (!unit) return makeError(er::kUnknownError, "merge: a unit has no result stream");
  }
  Resolver resolver(columns, columns.size());
  // The derived columns come after the client's: the first of them ends what the client sees.
  size_t visible = columns.size();
  for (const std::string& label : merge.derivedLabels) {
    auto at = resolver.label(label, true);
    if (!at) return at.status();
    visible = std::min(visible, *at);
  }
  resolver.setVisible(visible);

  bool grouped = !merge.groupBy.empty() || !merge.aggregates.empty();
  if (merge.hasHaving && grouped) {
    // Each unit filtered its own partial groups: a group that spans units may be wrongly kept
    // or dropped.
    return unsupported("HAVING over groups from several shards");
  }
  // After grouping, a COUNT / SUM / AVG (DISTINCT x) column holds a number, not an x: sorting
  // and DISTINCT on merged rows compare it as one.
  std::vector<ColumnInfo> merged = columns;
  if (grouped) {
    for (const auto& a : merge.aggregates) {
      if (!a.distinct) continue;
      for (size_t at : resolver.matches(a.label)) {
        merged[at].type = static_cast<uint8_t>(ColumnType::kNewDecimal);
        merged[at].isUnsigned = false;
      }
    }
  }
  auto groupKeys = sortKeys(merge.groupBy, resolver, columns);
  if (!groupKeys) return groupKeys.status();
  auto orderKeys = sortKeys(merge.orderBy, resolver, grouped ? merged : columns);
  if (!orderKeys) return orderKeys.status();

  auto budget = std::make_shared<MemoryBudget>(limits.maxMemoryRows);
  std::unique_ptr<RowStream> rows;
  size_t width = columns.size();
  if (grouped) {
    auto spec = aggregateSpec(merge, columns, resolver);
    if (!spec) return spec.status();
    if (merge.groupBy.empty()) {
      // One group, whatever order the units return their rows in.
      rows = std::make_unique<StreamGroupByStream>(
          std::make_unique<ConcatStream>(std::move(units), width), RowComparator(),
          std::move(spec.value()), budget);
    } else if (merge.groupByEqualsOrderBy && !merge.orderBy.empty()) {
      // Each unit's rows come sorted by the groups: merged in that order, a group's rows are
      // consecutive.
      rows = std::make_unique<StreamGroupByStream>(
          std::make_unique<MergeSortStream>(std::move(units), width, std::move(orderKeys.value())),
          std::move(groupKeys.value()), std::move(spec.value()), budget);
    } else {
      rows = std::make_unique<MemoryGroupByStream>(
          std::make_unique<ConcatStream>(std::move(units), width), std::move(groupKeys.value()),
          std::move(orderKeys.value()), std::move(spec.value()), budget);
    }
  } else if (!merge.orderBy.empty()) {
    rows = std::make_unique<MergeSortStream>(std::move(units), width, std::move(orderKeys.value()));
  } else {
    rows = std::make_unique<ConcatStream>(std::move(units), width);
  }

  if (!merge.having.empty()) {
    if (!grouped) return unsupported("HAVING without groups over several shards");
    std::vector<HavingStream::Node> nodes;
    for (const auto& spec : merge.having) {
      HavingStream::Node node;
      node.spec = spec;
      if (spec.kind != rewriter::MergeContext::HavingNode::Kind::And &&
          spec.kind != rewriter::MergeContext::HavingNode::Kind::Or &&
          spec.kind != rewriter::MergeContext::HavingNode::Kind::Not) {
        auto at = resolver.item(spec.column);
        if (!at) return at.status();
        node.column = *at;
        node.comparator = ColumnComparator(merged[*at]);
      }
      nodes.push_back(std::move(node));
    }
    rows = std::make_unique<HavingStream>(std::move(rows), std::move(nodes));
  }
  if (merge.distinct) {
    std::vector<SortKey> keys;
    for (size_t i = 0; i < visible; ++i) keys.push_back({i, false, ColumnComparator(merged[i])});
    rows =
        std::make_unique<DistinctStream>(std::move(rows), RowComparator(std::move(keys)), budget);
  }
  if (merge.offset.value_or(0) > 0 || merge.count) {
    rows = std::make_unique<LimitStream>(std::move(rows), merge.offset.value_or(0), merge.count);
  }
  if (visible < width) rows = std::make_unique<ProjectStream>(std::move(rows), visible);
  return MergePlan{std::move(rows), visible};
}

}  // namespace shardproxy::merger
