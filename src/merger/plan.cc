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

using Op = ColumnMerge::Op;

using protocol::ColumnType;
// MySQL's cap on a DECIMAL's scale; 31 (NOT_FIXED_DEC) means "not fixed".
constexpr unsigned kMaxScale = 30;

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

// `s` without its comments (`/* */`, `-- ` and `#` to the end of the line; quoted text kept): a
// server names an expression item by its text, comments included, while the rewriter labels it
// by the expression alone.
std::string withoutComments(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char c = s[i];
    if (c == '\'' || c == '"' || c == '`') {
      size_t j = i + 1;
      while (j < s.size() && s[j] != c) j += (s[j] == '\\' && c != '`') ? 2 : 1;
      j = std::min(j + 1, s.size());
      out.append(s.substr(i, j - i));
      i = j;
    } else if (s.compare(i, 2, "/*") == 0) {
      size_t close = s.find("*/", i + 2);
      i = close == std::string_view::npos ? s.size() : close + 2;
    } else if (c == '#' || (s.compare(i, 2, "--") == 0 && i + 2 < s.size() &&
                            std::isspace(static_cast<unsigned char>(s[i + 2])))) {
      size_t nl = s.find('\n', i);
      i = nl == std::string_view::npos ? s.size() : nl + 1;
    } else {
      out.push_back(c);
      ++i;
    }
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
      if (!out.empty()) return out;
    }
    // Last: the names without the comments written inside or before the item.
    std::string want = lowerNoSpace(withoutComments(label), true);
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (lowerNoSpace(withoutComments(columns_[i].label), true) == want) out.push_back(i);
    }
    return out;
  }

  static Status notFound(const std::string& label) {
    return makeError(er::kUnknownError, "merge: no column '" + label + "' in the shards' results");
  }

  Result<size_t> item(const MergeSpec::SortItem& item) const {
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

Result<RowComparator> sortKeys(const std::vector<MergeSpec::SortItem>& items,
                               const Resolver& resolver, const std::vector<ColumnInfo>& columns) {
  std::vector<SortKey> keys;
  for (const auto& item : items) {
    auto column = resolver.item(item);
    if (!column) return column.status();
    keys.push_back(SortKey{*column, item.desc, ColumnComparator(columns[*column])});
  }
  return RowComparator(std::move(keys));
}

Result<AggregateSpec> aggregateSpec(const MergeSpec& merge, const std::vector<ColumnInfo>& columns,
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
    // The argument columns of a DISTINCT aggregate, compared as their types say.
    std::vector<SortKey> argKeys;
    for (const std::string& label : a.argLabels) {
      auto arg = resolver.label(label, true);
      if (!arg) return arg.status();
      m.args.push_back(*arg);
      argKeys.push_back(SortKey{argKeys.size(), false, ColumnComparator(columns[*arg])});
    }
    m.argKey = RowComparator(std::move(argKeys));
    if (a.distinct && m.args.empty()) {
      return makeError(er::kUnknownError,
                       "merge: DISTINCT aggregate " + a.label + " without its argument columns");
    }
    switch (a.kind) {
      case AggregateKind::Count:
        m.op = a.distinct ? Op::CountDistinct : Op::Count;
        break;
      case AggregateKind::Sum:
        m.op = a.distinct ? Op::SumDistinct : Op::Sum;
        m.inDouble = isFloating(column);
        break;
      case AggregateKind::Avg:
        m.inDouble = isFloating(column);
        if (a.distinct) {
          // The column holds AVG(DISTINCT x) as the units computed it: its scale is the
          // result's (x's plus div_precision_increment).
          m.op = Op::AvgDistinct;
          m.scale = std::min<unsigned>(column.decimals, kMaxScale);
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
      case AggregateKind::Min:
        m.op = Op::Min;
        break;
      case AggregateKind::Max:
        m.op = Op::Max;
        break;
      case AggregateKind::BitAnd:
        m.op = Op::BitAnd;
        break;
      case AggregateKind::BitOr:
        m.op = Op::BitOr;
        break;
      case AggregateKind::BitXor:
        m.op = Op::BitXor;
        break;
      case AggregateKind::GroupConcat: {
        m.op = Op::GroupConcat;
        m.separator = a.separator;
        m.binary = column.collation == 63;
        m.pieces = a.distinct || !a.orderBy.empty();
        if (!a.lengthLabel.empty()) {
          auto length = resolver.label(a.lengthLabel, true);
          if (!length) return length.status();
          m.lengthColumn = *length;
        }
        std::vector<SortKey> orderKeys;
        for (const MergeSpec::SortItem& item : a.orderBy) {
          auto key = resolver.item(item);
          if (!key) return key.status();
          m.order.push_back(*key);
          orderKeys.push_back(
              SortKey{orderKeys.size(), item.desc, ColumnComparator(columns[*key])});
        }
        m.orderKey = RowComparator(std::move(orderKeys));
        break;
      }
    }
  }
  return spec;
}

bool isGrouped(const MergeSpec& spec) { return !spec.groupBy.empty() || !spec.aggregates.empty(); }

// An ORDER BY item on a computed column: sorted only after the expressions are evaluated.
bool ordersByComputed(const MergeSpec& spec) {
  for (const MergeSpec::SortItem& item : spec.orderBy) {
    for (const MergeSpec::Computed& c : spec.computed) {
      if (item.position == c.column.position &&
          lowerNoSpace(item.label, false) == lowerNoSpace(c.column.label, false)) {
        return true;
      }
    }
  }
  return false;
}

// The primitives `spec` needs, bottom first, or why its results cannot be merged. Decided by
// the spec alone: the columns only say where each label is and how to compare it.
Result<std::vector<MergeStep>> shape(const MergeSpec& spec) {
  if (!spec.unsupported.empty()) return unsupported(spec.unsupported);
  bool grouped = isGrouped(spec);
  if (spec.hasHaving && grouped) {
    // Each unit filtered its own partial groups: a group that spans units may be wrongly kept
    // or dropped.
    return unsupported("HAVING over groups from several shards");
  }
  for (const auto& a : spec.aggregates) {
    if (a.kind == AggregateKind::Avg && !a.distinct &&
        (a.countLabel.empty() || a.sumLabel.empty())) {
      return unsupported("AVG without its derived COUNT and SUM columns");
    }
  }
  if (!spec.having.empty() && !grouped) {
    return unsupported("HAVING without groups over several shards");
  }
  if (!spec.computed.empty() && !grouped) {
    return unsupported("expressions over aggregates without aggregates over several shards");
  }
  bool sortAfter = ordersByComputed(spec);
  std::vector<MergeStep> steps;
  if (grouped) {
    if (sortAfter) {
      // Groups first (in any order), then the expressions, then the sort.
      steps = {MergeStep::Concat,
               spec.groupBy.empty() ? MergeStep::Aggregate : MergeStep::MemoryGroupBy};
    } else if (spec.groupBy.empty()) {
      // One group, whatever order the units return their rows in.
      steps = {MergeStep::Concat, MergeStep::Aggregate};
    } else if (spec.groupByEqualsOrderBy && !spec.orderBy.empty()) {
      // Each unit's rows come sorted by the groups: merged in that order, a group's rows are
      // consecutive.
      steps = {MergeStep::MergeSort, MergeStep::StreamGroupBy};
    } else {
      steps = {MergeStep::Concat, MergeStep::MemoryGroupBy};
    }
  } else if (!spec.orderBy.empty()) {
    steps = {MergeStep::MergeSort};
  } else {
    steps = {MergeStep::Concat};
  }
  if (!spec.computed.empty()) steps.push_back(MergeStep::Compute);
  if (!spec.having.empty()) steps.push_back(MergeStep::Having);
  if (sortAfter) steps.push_back(MergeStep::Sort);
  if (spec.distinct) steps.push_back(MergeStep::Distinct);
  if (spec.offset.value_or(0) > 0 || spec.count) steps.push_back(MergeStep::Limit);
  // Every derived column comes after the client's.
  if (!spec.derivedLabels.empty()) steps.push_back(MergeStep::Project);
  return steps;
}

template <typename T, typename F>
std::string list(const std::vector<T>& items, F text) {
  std::string out = "[";
  for (size_t i = 0; i < items.size(); ++i) out += (i > 0 ? ", " : "") + text(items[i]);
  return out + "]";
}

std::string describeStep(MergeStep step, const MergeSpec& spec) {
  auto sortItems = [](const std::vector<MergeSpec::SortItem>& items) {
    return list(items, [](const MergeSpec::SortItem& i) { return describe(i); });
  };
  std::string aggregates = "aggregates=" + list(spec.aggregates, [](const MergeSpec::Aggregate& a) {
                             return describe(a);
                           });
  switch (step) {
    case MergeStep::Concat:
      return "Concat";
    case MergeStep::MergeSort:
      return "MergeSort(order=" + sortItems(spec.orderBy) + ")";
    case MergeStep::Aggregate:
      return "Aggregate(" + aggregates + ")";
    case MergeStep::StreamGroupBy:
      return "StreamGroupBy(group=" + sortItems(spec.groupBy) + ", " + aggregates + ")";
    case MergeStep::MemoryGroupBy:
      return "MemoryGroupBy(group=" + sortItems(spec.groupBy) +
             (spec.orderBy.empty() || ordersByComputed(spec)
                  ? ""
                  : ", order=" + sortItems(spec.orderBy)) +
             ", " + aggregates + ")";
    case MergeStep::Compute:
      return "Compute(" +
             list(spec.computed,
                  [&spec](const MergeSpec::Computed& c) {
                    return describe(c.column) + " = " + describeExpr(spec, c.expr);
                  }) +
             ")";
    case MergeStep::Sort:
      return "Sort(order=" + sortItems(spec.orderBy) + ")";
    case MergeStep::Having:
      return "Having(" + describeHaving(spec) + ")";
    case MergeStep::Distinct:
      return "Distinct";
    case MergeStep::Limit:
      return "Limit(offset=" + std::to_string(spec.offset.value_or(0)) +
             ",count=" + (spec.count ? std::to_string(*spec.count) : std::string("all")) + ")";
    case MergeStep::Project:
      return "Project(drop=" + list(spec.derivedLabels, [](const std::string& s) { return s; }) +
             ")";
  }
  return "?";
}

std::string describeSteps(const std::vector<MergeStep>& steps, const MergeSpec& spec) {
  std::string out;
  for (auto it = steps.rbegin(); it != steps.rend(); ++it) out += describeStep(*it, spec) + " <- ";
  return out + "units";
}

}  // namespace

Result<PlannedMerge> PlannedMerge::plan(const MergeSpec& spec,
                                        const std::vector<ColumnInfo>& columns) {
  auto steps = shape(spec);
  if (!steps) return steps.status();
  PlannedMerge p;
  p.spec_ = spec;
  p.steps_ = std::move(steps.value());
  p.width_ = columns.size();

  Resolver resolver(columns, columns.size());
  // The derived columns come after the client's: the first of them ends what the client sees.
  p.visible_ = columns.size();
  for (const std::string& label : spec.derivedLabels) {
    auto at = resolver.label(label, true);
    if (!at) return at.status();
    p.visible_ = std::min(p.visible_, *at);
  }
  resolver.setVisible(p.visible_);

  bool grouped = isGrouped(spec);
  // (Every aggregate's column holds the aggregate as the units computed it: its type is the
  // merged value's.)
  const std::vector<ColumnInfo>& merged = columns;
  auto groupKeys = sortKeys(spec.groupBy, resolver, columns);
  if (!groupKeys) return groupKeys.status();
  p.groupKeys_ = std::move(groupKeys.value());
  auto orderKeys = sortKeys(spec.orderBy, resolver, grouped ? merged : columns);
  if (!orderKeys) return orderKeys.status();
  p.orderKeys_ = std::move(orderKeys.value());
  if (grouped) {
    auto aggregates = aggregateSpec(spec, columns, resolver);
    if (!aggregates) return aggregates.status();
    p.aggregates_ = std::move(aggregates.value());
  }
  if (!spec.exprs.empty()) {
    std::vector<size_t> at(spec.exprs.size(), 0);
    for (size_t i = 0; i < spec.exprs.size(); ++i) {
      if (spec.exprs[i].kind != MergeSpec::ExprNode::Kind::Column) continue;
      auto column = resolver.item(spec.exprs[i].column);
      if (!column) return column.status();
      at[i] = *column;
    }
    auto bound = ExprEvaluator::bind(spec, columns, at);
    if (!bound) return bound.status();
    p.expressions_ = std::make_shared<const ExprEvaluator>(std::move(bound.value()));
  }
  for (const MergeSpec::Computed& c : spec.computed) {
    auto column = resolver.item(c.column);
    if (!column) return column.status();
    if (!p.expressions_ || c.expr >= spec.exprs.size()) {
      return makeError(er::kUnknownError, "merge: a computed column without its expression");
    }
    p.computed_.push_back({*column, c.expr});
  }
  for (const auto& node : spec.having) {
    HavingNode bound;
    if (node.kind == MergeSpec::HavingNode::Kind::Expr) {
      if (!p.expressions_ || node.expr >= spec.exprs.size()) {
        return makeError(er::kUnknownError, "merge: HAVING without its expression");
      }
    } else if (node.kind != MergeSpec::HavingNode::Kind::And &&
               node.kind != MergeSpec::HavingNode::Kind::Or &&
               node.kind != MergeSpec::HavingNode::Kind::Not) {
      auto at = resolver.item(node.column);
      if (!at) return at.status();
      bound.column = *at;
      bound.comparator = ColumnComparator(merged[*at]);
    }
    p.having_.push_back(bound);
  }
  if (spec.distinct) {
    std::vector<SortKey> keys;
    for (size_t i = 0; i < p.visible_; ++i) keys.push_back({i, false, ColumnComparator(merged[i])});
    p.distinctKeys_ = RowComparator(std::move(keys));
  }
  return p;
}

std::string PlannedMerge::describe() const { return describeSteps(steps_, spec_); }

Result<std::unique_ptr<RowStream>> PlannedMerge::open(std::vector<std::unique_ptr<RowStream>> units,
                                                      const MergeLimits& limits,
                                                      std::shared_ptr<AggregateNotes> notes) const {
  for (const auto& unit : units) {
    if (!unit) return makeError(er::kUnknownError, "merge: a unit has no result stream");
  }
  // One budget for every memory merge of the run.
  auto budget =
      std::make_shared<MemoryBudget>(limits.maxMemoryRows, limits.memory, limits.maxMemoryBytes);
  AggregateSpec aggregates = aggregates_;
  aggregates.groupConcatMaxLen = limits.groupConcatMaxLen;
  aggregates.notes = notes;
  std::unique_ptr<RowStream> rows;
  for (MergeStep step : steps_) {
    switch (step) {
      case MergeStep::Concat:
        rows = std::make_unique<ConcatStream>(std::move(units), width_);
        break;
      case MergeStep::MergeSort:
        rows = std::make_unique<MergeSortStream>(std::move(units), width_, orderKeys_);
        break;
      case MergeStep::Aggregate:
        rows = std::make_unique<StreamGroupByStream>(std::move(rows), RowComparator(), aggregates,
                                                     budget);
        break;
      case MergeStep::StreamGroupBy:
        rows =
            std::make_unique<StreamGroupByStream>(std::move(rows), groupKeys_, aggregates, budget);
        break;
      case MergeStep::MemoryGroupBy:
        rows = std::make_unique<MemoryGroupByStream>(
            std::move(rows), groupKeys_, ordersByComputed(spec_) ? RowComparator() : orderKeys_,
            aggregates, budget);
        break;
      case MergeStep::Compute: {
        std::vector<ComputeStream::Target> targets;
        for (const auto& [column, expr] : computed_) targets.push_back({column, expr});
        rows = std::make_unique<ComputeStream>(std::move(rows), expressions_, std::move(targets));
        break;
      }
      case MergeStep::Sort:
        rows = std::make_unique<SortStream>(std::move(rows), orderKeys_, budget);
        break;
      case MergeStep::Having: {
        std::vector<HavingStream::Node> nodes;
        for (size_t i = 0; i < spec_.having.size(); ++i) {
          nodes.push_back({spec_.having[i], having_[i].column, having_[i].comparator});
        }
        rows = std::make_unique<HavingStream>(std::move(rows), std::move(nodes), expressions_);
        break;
      }
      case MergeStep::Distinct:
        rows = std::make_unique<DistinctStream>(std::move(rows), distinctKeys_, budget);
        break;
      case MergeStep::Limit:
        rows =
            std::make_unique<LimitStream>(std::move(rows), spec_.offset.value_or(0), spec_.count);
        break;
      case MergeStep::Project:
        rows = std::make_unique<ProjectStream>(std::move(rows), visible_);
        break;
    }
  }
  return rows;
}

std::string describeMerge(const MergeSpec& spec) {
  auto steps = shape(spec);
  if (!steps) return steps.status().message();
  return describeSteps(*steps, spec);
}

Result<MergePlan> buildMergePlan(const MergeSpec& merge, const std::vector<ColumnInfo>& columns,
                                 std::vector<std::unique_ptr<RowStream>> units,
                                 const MergeLimits& limits) {
  auto planned = PlannedMerge::plan(merge, columns);
  if (!planned) return planned.status();
  auto notes = std::make_shared<AggregateNotes>();
  auto rows = planned->open(std::move(units), limits, notes);
  if (!rows) return rows.status();
  return MergePlan{std::move(rows.value()), planned->visibleColumns(), std::move(notes)};
}

}  // namespace shardproxy::merger
