#include "router/conditions.h"

#include <limits>

#include "router/value_conversion.h"

namespace shardproxy::router {

namespace ast = parser::ast;

namespace {

// Deeper condition trees count as unconstrained (the AST allows up to kMaxExprDepth).
constexpr int kMaxDepth = 200;

bool inRange(const Value& v, const Range& r) {
  if (r.lower) {
    auto c = compare(v, *r.lower);
    if (c && (*c < 0 || (*c == 0 && !r.lowerClosed))) return false;
  }
  if (r.upper) {
    auto c = compare(v, *r.upper);
    if (c && (*c > 0 || (*c == 0 && !r.upperClosed))) return false;
  }
  return true;
}

// The tighter of two lower (or upper) bounds; incomparable bounds keep the first.
void tighten(std::optional<Value>& bound, bool& closed, const std::optional<Value>& other,
             bool otherClosed, bool lower) {
  if (!other) return;
  if (!bound) {
    bound = other;
    closed = otherClosed;
    return;
  }
  auto c = compare(*other, *bound);
  if (!c) return;
  if ((lower && *c > 0) || (!lower && *c < 0)) {
    bound = other;
    closed = otherClosed;
  } else if (*c == 0) {
    closed = closed && otherClosed;
  }
}

bool emptyRange(const Range& r) {
  if (!r.lower || !r.upper) return false;
  auto c = compare(*r.lower, *r.upper);
  return c && (*c > 0 || (*c == 0 && !(r.lowerClosed && r.upperClosed)));
}

bool isColumn(const ast::Expr& e) { return e.kind == ast::ExprKind::Column; }

std::optional<int64_t> checkedInteger(ast::BinaryOperator op, int64_t a, int64_t b) {
  int64_t out = 0;
  bool overflow = false;
  switch (op) {
    case ast::BinaryOperator::Add:
      overflow = __builtin_add_overflow(a, b, &out);
      break;
    case ast::BinaryOperator::Sub:
      overflow = __builtin_sub_overflow(a, b, &out);
      break;
    case ast::BinaryOperator::Mul:
      overflow = __builtin_mul_overflow(a, b, &out);
      break;
    default:
      return std::nullopt;
  }
  if (overflow) return std::nullopt;
  return out;
}

}  // namespace

void intersect(ColumnCondition& into, const ColumnCondition& other) {
  if (into.alwaysFalse || other.alwaysFalse) {
    into = ColumnCondition{true, false, {}, std::nullopt};
    return;
  }
  if (other.hasValues) {
    if (!into.hasValues) {
      into.hasValues = true;
      into.values = other.values;
    } else {
      std::vector<Value> kept;
      for (const Value& v : into.values) {
        for (const Value& w : other.values) {
          auto c = compare(v, w);
          if (c && *c == 0) {
            kept.push_back(v);
            break;
          }
        }
      }
      into.values = std::move(kept);
    }
  }
  if (other.range) {
    if (!into.range) {
      into.range = other.range;
    } else {
      tighten(into.range->lower, into.range->lowerClosed, other.range->lower,
              other.range->lowerClosed, true);
      tighten(into.range->upper, into.range->upperClosed, other.range->upper,
              other.range->upperClosed, false);
    }
  }
  if (into.hasValues && into.range) {
    std::vector<Value> kept;
    for (const Value& v : into.values) {
      if (inRange(v, *into.range)) kept.push_back(v);
    }
    into.values = std::move(kept);
    into.range.reset();
  }
  if ((into.hasValues && into.values.empty()) || (into.range && emptyRange(*into.range))) {
    into = ColumnCondition{true, false, {}, std::nullopt};
  }
}

Conditions conjoin(const Conditions& a, const Conditions& b) {
  if (a.clauses.size() * b.clauses.size() > kMaxClauses) return a;
  Conditions out;
  for (const Clause& x : a.clauses) {
    for (const Clause& y : b.clauses) {
      Clause merged = x;
      for (const auto& [key, condition] : y) {
        auto [it, inserted] = merged.emplace(key, condition);
        if (!inserted) intersect(it->second, condition);
      }
      out.clauses.push_back(std::move(merged));
    }
  }
  return out;
}

std::optional<Value> ConditionExtractor::constant(ast::ExprId id) const {
  const ast::Expr& e = s_.expr(id);
  switch (e.kind) {
    case ast::ExprKind::Literal:
      switch (e.literalType) {
        case ast::LiteralType::Integer:
        case ast::LiteralType::Decimal:
        case ast::LiteralType::Double:
          return Value::ofNumberText(e.value);
        case ast::LiteralType::String:
        case ast::LiteralType::Temporal:
          return Value::ofString(e.value);
        case ast::LiteralType::Null:
          return Value::null();
        default:
          return std::nullopt;  // hex, bit, boolean: not what sharding columns compare with
      }
    case ast::ExprKind::ParameterMarker:
      if (e.paramIndex < parameters_.size()) return parameters_[e.paramIndex];
      return std::nullopt;
    case ast::ExprKind::UnaryOp: {
      if (e.unaryOp != ast::UnaryOperator::Minus && e.unaryOp != ast::UnaryOperator::Plus) {
        return std::nullopt;
      }
      auto v = constant(e.args[0]);
      if (!v || e.unaryOp == ast::UnaryOperator::Plus) return v;
      if (v->isIntegral()) {
        if (v->integer == std::numeric_limits<int64_t>::min()) return std::nullopt;
        return Value::ofInteger(-v->integer);
      }
      if (v->type == Value::Type::Decimal) {
        const std::string& t = v->text;
        return Value::ofNumberText(t[0] == '-' ? t.substr(1) : "-" + t);
      }
      return std::nullopt;
    }
    case ast::ExprKind::BinaryOp: {
      if (e.args.empty()) return std::nullopt;
      auto acc = constant(e.args[0]);
      if (!acc || !acc->isIntegral()) return std::nullopt;
      int64_t total = acc->integer;
      for (size_t i = 1; i < e.args.size(); ++i) {
        auto v = constant(e.args[i]);
        if (!v || !v->isIntegral()) return std::nullopt;
        auto next = checkedInteger(e.binaryOp, total, v->integer);
        if (!next) return std::nullopt;
        total = *next;
      }
      return Value::ofInteger(total);
    }
    default:
      return std::nullopt;
  }
}

Conditions ConditionExtractor::extract(ast::ExprId where) const {
  if (where == ast::kNone) return Conditions::unconstrained();
  auto clauses = dnf(where, 0);
  if (!clauses) return Conditions::unconstrained();
  return Conditions{std::move(*clauses)};
}

std::optional<std::vector<Clause>> ConditionExtractor::dnf(ast::ExprId id, int depth) const {
  if (depth > kMaxDepth) return std::nullopt;
  const ast::Expr& e = s_.expr(id);
  if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::And) {
    std::vector<Clause> out{Clause{}};
    for (ast::ExprId arg : e.args) {
      auto part = dnf(arg, depth + 1);
      // An unconstrained conjunct, or one that would multiply the alternatives past the cap,
      // is left out: the route can only get wider.
      if (!part || out.size() * part->size() > kMaxClauses) continue;
      std::vector<Clause> product;
      for (const Clause& a : out) {
        for (const Clause& b : *part) {
          Clause merged = a;
          for (const auto& [key, condition] : b) {
            auto [it, inserted] = merged.emplace(key, condition);
            if (!inserted) intersect(it->second, condition);
          }
          product.push_back(std::move(merged));
        }
      }
      out = std::move(product);
    }
    return out;
  }
  if (e.kind == ast::ExprKind::BinaryOp && e.binaryOp == ast::BinaryOperator::Or) {
    std::vector<Clause> out;
    for (ast::ExprId arg : e.args) {
      auto part = dnf(arg, depth + 1);
      if (!part) return std::nullopt;  // one unconstrained alternative: all of it is
      out.insert(out.end(), part->begin(), part->end());
      if (out.size() > kMaxClauses) return std::nullopt;
    }
    return out;
  }
  return leaf(e);
}

std::optional<std::vector<Clause>> ConditionExtractor::leaf(const ast::Expr& e) const {
  // The column and the condition on it; nullopt (unconstrained) for anything else.
  const ast::Expr* column = nullptr;
  ColumnCondition condition;
  if (e.kind == ast::ExprKind::BinaryOp && e.args.size() == 2 && e.quantifier == ast::Quantifier::None) {
    const ast::Expr& l = s_.expr(e.args[0]);
    const ast::Expr& r = s_.expr(e.args[1]);
    ast::BinaryOperator op = e.binaryOp;
    std::optional<Value> v;
    if (isColumn(l) && (v = constant(e.args[1]))) {
      column = &l;
    } else if (isColumn(r) && (v = constant(e.args[0]))) {
      column = &r;
      // 5 < col is col > 5.
      switch (op) {
        case ast::BinaryOperator::Lt: op = ast::BinaryOperator::Gt; break;
        case ast::BinaryOperator::Le: op = ast::BinaryOperator::Ge; break;
        case ast::BinaryOperator::Gt: op = ast::BinaryOperator::Lt; break;
        case ast::BinaryOperator::Ge: op = ast::BinaryOperator::Le; break;
        default: break;
      }
    } else {
      return std::nullopt;
    }
    switch (op) {
      case ast::BinaryOperator::Eq:
        // col = NULL matches no row.
        if (v->isNull()) {
          condition.alwaysFalse = true;
        } else {
          condition.hasValues = true;
          condition.values = {*v};
        }
        break;
      case ast::BinaryOperator::NullSafeEq:
        if (v->isNull()) return std::nullopt;
        condition.hasValues = true;
        condition.values = {*v};
        break;
      case ast::BinaryOperator::Lt:
      case ast::BinaryOperator::Le:
      case ast::BinaryOperator::Gt:
      case ast::BinaryOperator::Ge: {
        if (v->isNull()) {
          condition.alwaysFalse = true;
          break;
        }
        Range range;
        if (op == ast::BinaryOperator::Lt || op == ast::BinaryOperator::Le) {
          range.upper = *v;
          range.upperClosed = op == ast::BinaryOperator::Le;
        } else {
          range.lower = *v;
          range.lowerClosed = op == ast::BinaryOperator::Ge;
        }
        condition.range = std::move(range);
        break;
      }
      default:
        return std::nullopt;
    }
  } else if (e.kind == ast::ExprKind::In && !e.negated && e.subquery == ast::kNone &&
             e.args.size() >= 2 && isColumn(s_.expr(e.args[0]))) {
    column = &s_.expr(e.args[0]);
    condition.hasValues = true;
    for (size_t i = 1; i < e.args.size(); ++i) {
      auto v = constant(e.args[i]);
      if (!v) return std::nullopt;
      if (!v->isNull()) condition.values.push_back(std::move(*v));  // IN (NULL) matches nothing
    }
    if (condition.values.empty()) condition = ColumnCondition{true, false, {}, std::nullopt};
  } else if (e.kind == ast::ExprKind::Between && !e.negated && e.args.size() == 3 &&
             isColumn(s_.expr(e.args[0]))) {
    column = &s_.expr(e.args[0]);
    auto low = constant(e.args[1]);
    auto high = constant(e.args[2]);
    if (!low || !high) return std::nullopt;
    if (low->isNull() || high->isNull()) {
      condition.alwaysFalse = true;
    } else {
      condition.range = Range{*low, true, *high, true};
    }
  } else {
    return std::nullopt;
  }
  std::vector<std::string> tables = resolver_(*column);
  if (tables.empty()) return std::nullopt;
  Clause clause;
  std::string name = column->column.value;
  for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const std::string& table : tables) {
    ColumnCondition c = condition;
    const metadata::ColumnSchema* type = typer_ ? typer_(table, name) : nullptr;
    if (type && !typed(c, *type)) return std::nullopt;
    // Only in the column's terms can a range be judged empty ('843' > '1274' as strings, not as
    // the numbers an INT column compares).
    if (c.range && emptyRange(*c.range)) c = ColumnCondition{true, false, {}, std::nullopt};
    clause.emplace(ColumnKey{table, name}, std::move(c));
  }
  return std::vector<Clause>{std::move(clause)};
}

bool ConditionExtractor::typed(ColumnCondition& c, const metadata::ColumnSchema& column) const {
  auto convert = [&](Value& v, bool bound) {
    Converted out = forComparison(v, column, bound);
    if (out.kind == Converted::Kind::Exact) {
      v = normalizeStrings_ ? normalizedByCollation(out.value, column) : std::move(out.value);
    }
    return out.kind;
  };
  if (c.hasValues) {
    std::vector<Value> kept;
    for (Value& v : c.values) {
      switch (convert(v, false)) {
        case Converted::Kind::Unknown:
          return false;
        case Converted::Kind::NoMatch:
          break;
        case Converted::Kind::Exact:
          kept.push_back(std::move(v));
          break;
      }
    }
    c.values = std::move(kept);
    if (c.values.empty()) c = ColumnCondition{true, false, {}, std::nullopt};
  }
  if (c.range) {
    for (std::optional<Value>* bound : {&c.range->lower, &c.range->upper}) {
      if (*bound && !(*bound)->isNull() && convert(**bound, true) != Converted::Kind::Exact) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace shardproxy::router
