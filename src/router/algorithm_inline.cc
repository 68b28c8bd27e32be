// INLINE (standard), COMPLEX_INLINE (complex) and HINT_INLINE (hint), ShardingSphere 5.4/5.5:
// the algorithm-expression evaluated with the sharding values bound to its variables. The
// expression is parsed once, here; `$->{...}` and `${...}` are the same (handlePlaceHolder).
//
// A name an expression yields must be one of the targets (compared exactly, then ignoring
// ASCII case), else the statement fails: ShardingSphere checks data sources the same way and
// would send SQL to a table that does not exist.
#include <algorithm>

#include "router/algorithm_internal.h"
#include "router/inline_expression.h"

namespace shardproxy::router::algo {

namespace {

const char* const kAllowRangeKey = "allow-range-query-with-inline-sharding";

Status rangeRefused(std::string_view type) {
  return Status(er::kNotSupportedYet, "42000",
                std::string(type) +
                    ": Since the property of `allow-range-query-with-inline-sharding` is false, "
                    "inline sharding algorithm can not tackle with range query");
}

std::string trimmed(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

Result<InlineExpression> parseExpression(std::string_view type, const std::string& text) {
  Result<InlineExpression> parsed = InlineExpression::parse(text);
  if (!parsed) {
    return configError(type,
                       "algorithm-expression " + quoted(text) + ": " + parsed.status().message());
  }
  return parsed;
}

Result<InlineExpression> requiredExpression(std::string_view type, const Props& props) {
  const std::string* text = findProp(props, "algorithm-expression");
  std::string expression = text == nullptr ? std::string() : trimmed(*text);
  if (expression.empty()) {
    return configError(type,
                       "algorithm-expression is required (an inline expression such as "
                       "t_order_${order_id % 2})");
  }
  return parseExpression(type, expression);
}

// ShardingRouteAlgorithmException (20081), as ShardingSphere's strategies raise it when an
// algorithm names a target that is not there.
Status notATarget(std::string_view, const std::string&, const std::string& name,
                  const std::vector<std::string>& targets) {
  std::string list;
  for (size_t i = 0; i < targets.size(); ++i) list += (i ? ", " : "") + targets[i];
  return Status(
      er::kSsRouteTargetMissing, "HY000",
      "Routed target `" + name + "` does not exist, available targets are `[" + list + "]`.");
}

// Evaluates once per combination and collects the targets in target order.
class TargetCollector {
 public:
  TargetCollector(std::string_view type, const InlineExpression& expression,
                  const std::vector<std::string>& targets)
      : type_(type), expression_(expression), targets_(targets), selected_(targets.size()) {}

  Status add(const std::map<std::string, Value>& variables) {
    Result<std::string> name = expression_.evaluate(variables);
    if (!name) {
      return shardingError(type_, "algorithm-expression " + quoted(expression_.text()) + ": " +
                                      name.status().message());
    }
    std::optional<size_t> index = findTarget(targets_, *name);
    if (!index) return notATarget(type_, expression_.text(), *name, targets_);
    selected_[*index] = true;
    return Status::ok();
  }

  std::vector<std::string> result() const { return selectedTargets(targets_, selected_); }

 private:
  std::string_view type_;
  const InlineExpression& expression_;
  const std::vector<std::string>& targets_;
  std::vector<bool> selected_;
};

// -------------------------------------------------------------------------------------------
class InlineAlgorithm final : public ShardingAlgorithm {
 public:
  InlineAlgorithm(InlineExpression expression, bool allowRange)
      : expression_(std::move(expression)), allowRange_(allowRange) {}

  Kind kind() const override { return Kind::Standard; }
  const char* type() const override { return "INLINE"; }

  Result<std::string> shardPrecise(const std::vector<std::string>& targets,
                                   const PreciseShardingValue& value) const override {
    if (value.value.isNull()) return nullValueError(type());
    Result<std::string> name = expression_.evaluate({{value.column, value.value}});
    if (!name) {
      // MismatchedInlineShardingAlgorithmExpressionAndColumnException, with the cause.
      return shardingError(type(), "Inline sharding algorithms expression `" + expression_.text() +
                                       "` and sharding column `" + value.column +
                                       "` do not match: " + name.status().message());
    }
    std::optional<size_t> index = findTarget(targets, *name);
    if (!index) return notATarget(type(), expression_.text(), *name, targets);
    return targets[*index];
  }

  Result<std::vector<std::string>> shardRange(const std::vector<std::string>& targets,
                                              const RangeShardingValue&) const override {
    if (!allowRange_) return rangeRefused(type());
    return targets;
  }

 private:
  InlineExpression expression_;
  bool allowRange_;
};

// -------------------------------------------------------------------------------------------
// Any range condition: every target when allowed, else ShardingSphere's error. Otherwise the
// Cartesian product of every column's values, each combination evaluated. When sharding-columns
// is set, every one of its columns must have values (ShardingSphere's
// MismatchedComplexInlineShardingAlgorithmColumnAndValueSizeException).
class ComplexInlineAlgorithm final : public ShardingAlgorithm {
 public:
  ComplexInlineAlgorithm(InlineExpression expression, std::vector<std::string> columns,
                         bool allowRange)
      : expression_(std::move(expression)), columns_(std::move(columns)), allowRange_(allowRange) {}

  Kind kind() const override { return Kind::Complex; }
  const char* type() const override { return "COMPLEX_INLINE"; }

  Result<std::vector<std::string>> shardComplex(const std::vector<std::string>& targets,
                                                const ComplexShardingValue& value) const override {
    if (!value.ranges.empty()) {
      if (!allowRange_) return rangeRefused(type());
      return targets;
    }
    if (!columns_.empty() && columns_.size() != value.values.size()) {
      return shardingError(
          type(), "Complex inline algorithm need " + std::to_string(columns_.size()) +
                      " sharding columns, but only found " + std::to_string(value.values.size()));
    }
    TargetCollector collector(type(), expression_, targets);
    std::vector<std::pair<const std::string*, const std::vector<Value>*>> columns;
    for (const auto& [column, values] : value.values) {
      if (values.empty()) return std::vector<std::string>{};  // no combination at all
      for (const Value& v : values) {
        if (v.isNull()) return nullValueError(type());
      }
      columns.emplace_back(&column, &values);
    }
    if (columns.empty()) return std::vector<std::string>{};
    // Odometer over the value lists.
    std::vector<size_t> at(columns.size(), 0);
    std::map<std::string, Value> variables;
    for (;;) {
      for (size_t c = 0; c < columns.size(); ++c) {
        variables[*columns[c].first] = (*columns[c].second)[at[c]];
      }
      if (Status s = collector.add(variables); !s) return s;
      size_t c = columns.size();
      while (c > 0) {
        --c;
        if (++at[c] < columns[c].second->size()) break;
        at[c] = 0;
        if (c == 0) return collector.result();
      }
    }
  }

 private:
  InlineExpression expression_;
  std::vector<std::string> columns_;
  bool allowRange_;
};

// -------------------------------------------------------------------------------------------
// Each hint value bound as `value`; no value means every target.
class HintInlineAlgorithm final : public ShardingAlgorithm {
 public:
  explicit HintInlineAlgorithm(InlineExpression expression) : expression_(std::move(expression)) {}

  Kind kind() const override { return Kind::Hint; }
  const char* type() const override { return "HINT_INLINE"; }

  Result<std::vector<std::string>> shardHint(const std::vector<std::string>& targets,
                                             const HintShardingValue& value) const override {
    if (value.values.empty()) return targets;
    TargetCollector collector(type(), expression_, targets);
    for (const Value& v : value.values) {
      if (v.isNull()) return nullValueError(type());
      if (Status s = collector.add({{"value", v}}); !s) return s;
    }
    return collector.result();
  }

 private:
  InlineExpression expression_;
};

}  // namespace

Result<std::unique_ptr<ShardingAlgorithm>> createInline(const Props& props) {
  Result<InlineExpression> expression = requiredExpression("INLINE", props);
  if (!expression) return expression.status();
  Result<bool> allowRange = boolProp("INLINE", props, kAllowRangeKey, false);
  if (!allowRange) return allowRange.status();
  return std::unique_ptr<ShardingAlgorithm>(
      std::make_unique<InlineAlgorithm>(std::move(*expression), *allowRange));
}

Result<std::unique_ptr<ShardingAlgorithm>> createComplexInline(const Props& props) {
  Result<InlineExpression> expression = requiredExpression("COMPLEX_INLINE", props);
  if (!expression) return expression.status();
  Result<bool> allowRange = boolProp("COMPLEX_INLINE", props, kAllowRangeKey, false);
  if (!allowRange) return allowRange.status();
  std::vector<std::string> columns;
  if (const std::string* text = findProp(props, "sharding-columns")) {
    std::string_view rest = *text;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string column = trimmed(rest.substr(0, comma));
      if (column.empty()) {
        return configError(
            "COMPLEX_INLINE",
            "sharding-columns must be comma-separated column names, got " + quoted(*text));
      }
      columns.push_back(std::move(column));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return std::unique_ptr<ShardingAlgorithm>(std::make_unique<ComplexInlineAlgorithm>(
      std::move(*expression), std::move(columns), *allowRange));
}

Result<std::unique_ptr<ShardingAlgorithm>> createHintInline(const Props& props) {
  const std::string* text = findProp(props, "algorithm-expression");
  std::string expression = text == nullptr ? "${value}" : trimmed(*text);
  if (expression.empty()) {
    return configError("HINT_INLINE", "algorithm-expression must not be empty (default ${value})");
  }
  Result<InlineExpression> parsed = parseExpression("HINT_INLINE", expression);
  if (!parsed) return parsed.status();
  return std::unique_ptr<ShardingAlgorithm>(
      std::make_unique<HintInlineAlgorithm>(std::move(*parsed)));
}

}  // namespace shardproxy::router::algo
