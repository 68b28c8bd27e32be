#include "merger/merge_spec.h"

namespace shardproxy::merger {

const char* toString(AggregateKind kind) {
  switch (kind) {
    case AggregateKind::Count:
      return "COUNT";
    case AggregateKind::Sum:
      return "SUM";
    case AggregateKind::Avg:
      return "AVG";
    case AggregateKind::Min:
      return "MIN";
    case AggregateKind::Max:
      return "MAX";
    case AggregateKind::BitAnd:
      return "BIT_AND";
    case AggregateKind::BitOr:
      return "BIT_OR";
    case AggregateKind::BitXor:
      return "BIT_XOR";
    case AggregateKind::GroupConcat:
      return "GROUP_CONCAT";
  }
  return "?";
}

const char* toString(CompareOp op) {
  switch (op) {
    case CompareOp::Eq:
      return "=";
    case CompareOp::NullSafeEq:
      return "<=>";
    case CompareOp::Ne:
      return "<>";
    case CompareOp::Lt:
      return "<";
    case CompareOp::Le:
      return "<=";
    case CompareOp::Gt:
      return ">";
    case CompareOp::Ge:
      return ">=";
  }
  return "?";
}

std::string describe(const MergeSpec::SortItem& item) {
  std::string out = item.position > 0 ? "#" + std::to_string(item.position) : item.label;
  return item.desc ? out + " DESC" : out;
}

std::string describe(const MergeSpec::Aggregate& a) {
  std::string out = toString(a.kind);
  out += " " + a.label;
  if (!a.countLabel.empty()) out += " (" + a.countLabel + ", " + a.sumLabel + ")";
  if (a.distinct) {
    out += " DISTINCT(";
    for (size_t i = 0; i < a.argLabels.size(); ++i) out += (i > 0 ? ", " : "") + a.argLabels[i];
    out += ")";
  }
  if (!a.orderBy.empty()) {
    out += " ORDER BY(";
    for (size_t i = 0; i < a.orderBy.size(); ++i)
      out += (i > 0 ? ", " : "") + describe(a.orderBy[i]);
    out += ")";
  }
  if (a.kind == AggregateKind::GroupConcat && a.separator != ",") {
    out += " SEPARATOR '" + a.separator + "'";
  }
  return out;
}

namespace {

std::string constantText(const std::optional<std::string>& constant) {
  return constant ? "'" + *constant + "'" : "NULL";
}

}  // namespace

std::string describeHaving(const MergeSpec& spec, uint32_t node) {
  using Kind = MergeSpec::HavingNode::Kind;
  if (node >= spec.having.size()) return "?";
  const MergeSpec::HavingNode& n = spec.having[node];
  std::string out;
  switch (n.kind) {
    case Kind::And:
    case Kind::Or:
      for (uint32_t child : n.children) {
        if (!out.empty()) out += n.kind == Kind::And ? " AND " : " OR ";
        out += describeHaving(spec, child);
      }
      return "(" + out + ")";
    case Kind::Not:
      return "NOT " + (n.children.empty() ? std::string("?") : describeHaving(spec, n.children[0]));
    case Kind::Compare:
      return describe(n.column) + " " + toString(n.op) + " " +
             (n.constants.empty() ? std::string("?") : constantText(n.constants[0]));
    case Kind::Between:
      if (n.constants.size() != 2) return "?";
      return describe(n.column) + (n.negated ? " NOT" : "") + " BETWEEN " +
             constantText(n.constants[0]) + " AND " + constantText(n.constants[1]);
    case Kind::In:
      for (const auto& constant : n.constants) {
        if (!out.empty()) out += ", ";
        out += constantText(constant);
      }
      return describe(n.column) + (n.negated ? " NOT IN (" : " IN (") + out + ")";
    case Kind::IsNull:
      return describe(n.column) + (n.negated ? " IS NOT NULL" : " IS NULL");
    case Kind::Expr:
      return describeExpr(spec, n.expr);
  }
  return "?";
}

std::string describeExpr(const MergeSpec& spec, uint32_t node) {
  using Kind = MergeSpec::ExprNode::Kind;
  if (node >= spec.exprs.size()) return "?";
  const MergeSpec::ExprNode& n = spec.exprs[node];
  auto arg = [&](size_t i) {
    return i < n.args.size() ? describeExpr(spec, n.args[i]) : std::string("?");
  };
  switch (n.kind) {
    case Kind::Column:
      return describe(n.column);
    case Kind::Literal:
      if (n.null) return "NULL";
      return n.string ? "'" + n.text + "'" : n.text;
    case Kind::Negate:
      return "-" + arg(0);
    case Kind::Binary:
      return "(" + arg(0) + " " + n.op + " " + arg(1) + ")";
    case Kind::Not:
      return "NOT " + arg(0);
    case Kind::IsNull:
      return arg(0) + (n.negated ? " IS NOT NULL" : " IS NULL");
    case Kind::Function: {
      std::string out = n.op + "(";
      for (size_t i = 0; i < n.args.size(); ++i) out += (i > 0 ? ", " : "") + arg(i);
      return out + ")";
    }
  }
  return "?";
}

}  // namespace shardproxy::merger
