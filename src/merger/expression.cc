#include "merger/expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "merger/decimal.h"
#include "protocol/constants.h"

namespace shardproxy::merger {

namespace {

using Type = Value::Type;
using Kind = MergeSpec::ExprNode::Kind;
using protocol::ColumnType;

// DECIMAL's largest scale, and div_precision_increment's default.
constexpr unsigned kMaxScale = 30;
constexpr unsigned kDivPrecisionIncrement = 4;

Status unsupported(const std::string& what) {
  return Status(er::kNotSupportedYet, "42000", "unsupported: " + what);
}

Status outOfRange(const std::string& what) {
  // ER_DATA_OUT_OF_RANGE, as a server reports an integer overflow.
  return Status(1690, "22003", "BIGINT value is out of range in '" + what + "'");
}

// ---- unscaled magnitudes: decimal digit strings without leading zeros -----------------------

std::string trimmed(std::string digits) {
  size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? "0" : digits.substr(first);
}

int compareMagnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string addMagnitude(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return trimmed(out);
}

// a - b with a >= b.
std::string subtractMagnitude(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    if (d < 0) d += 10;
    out.push_back(static_cast<char>('0' + d));
  }
  std::reverse(out.begin(), out.end());
  return trimmed(out);
}

std::string multiplyMagnitude(const std::string& a, const std::string& b) {
  std::vector<int> acc(a.size() + b.size(), 0);
  for (size_t i = 0; i < a.size(); ++i) {
    for (size_t j = 0; j < b.size(); ++j) {
      acc[i + j + 1] += (a[i] - '0') * (b[j] - '0');
    }
  }
  for (size_t k = acc.size(); k-- > 1;) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out;
  for (int d : acc) out.push_back(static_cast<char>('0' + d));
  return trimmed(out);
}

// Long division: quotient and remainder of a / b, b != "0".
std::pair<std::string, std::string> divideMagnitude(const std::string& a, const std::string& b) {
  std::string quotient;
  std::string rest = "0";
  for (char c : a) {
    rest = trimmed(rest + c);
    int d = 0;
    while (compareMagnitude(rest, b) >= 0) {
      rest = subtractMagnitude(rest, b);
      ++d;
    }
    quotient.push_back(static_cast<char>('0' + d));
  }
  return {trimmed(quotient), rest};
}

std::string shifted(const std::string& digits, unsigned zeros) {
  return digits == "0" ? digits : digits + std::string(zeros, '0');
}

// ---- DECIMAL values ----------------------------------------------------------------------------

Value decimal(std::string digits, bool negative, unsigned scale) {
  Value v;
  v.type = Type::Decimal;
  v.digits = trimmed(std::move(digits));
  v.negative = negative && v.digits != "0";
  v.scale = scale;
  return v;
}

Value toDecimal(const Value& v) {
  if (v.type == Type::Decimal) return v;
  // (Int only: the callers convert DOUBLE and strings to DOUBLE arithmetic first.)
  uint64_t magnitude =
      v.integer < 0 ? 0 - static_cast<uint64_t>(v.integer) : static_cast<uint64_t>(v.integer);
  return decimal(std::to_string(magnitude), v.integer < 0, 0);
}

// Rounded half away from zero to `scale` digits (padded when it grows).
Value rescale(const Value& v, unsigned scale) {
  if (scale >= v.scale) return decimal(shifted(v.digits, scale - v.scale), v.negative, scale);
  unsigned drop = v.scale - scale;
  std::string digits = v.digits;
  if (digits.size() <= drop) digits = std::string(drop - digits.size() + 1, '0') + digits;
  std::string kept = digits.substr(0, digits.size() - drop);
  bool up = digits[digits.size() - drop] >= '5';
  if (up) kept = addMagnitude(kept, "1");
  return decimal(kept, v.negative, scale);
}

// The digits of a DECIMAL with its scale: "-1.50", "0.0001".
std::string decimalText(const Value& v) {
  std::string digits = v.digits;
  if (digits.size() <= v.scale) digits = std::string(v.scale - digits.size() + 1, '0') + digits;
  std::string out = v.negative ? "-" : "";
  out += digits.substr(0, digits.size() - v.scale);
  if (v.scale > 0) out += "." + digits.substr(digits.size() - v.scale);
  return out;
}

Value addDecimals(const Value& a, const Value& b) {
  unsigned scale = std::max(a.scale, b.scale);
  std::string x = shifted(a.digits, scale - a.scale);
  std::string y = shifted(b.digits, scale - b.scale);
  if (a.negative == b.negative) return decimal(addMagnitude(x, y), a.negative, scale);
  if (compareMagnitude(x, y) >= 0) return decimal(subtractMagnitude(x, y), a.negative, scale);
  return decimal(subtractMagnitude(y, x), b.negative, scale);
}

Value negated(Value v) {
  if (v.type == Type::Decimal) {
    v.negative = !v.negative && v.digits != "0";
  } else if (v.type == Type::Double) {
    v.number = -v.number;
  }
  return v;
}

int compareDecimals(const Value& a, const Value& b) {
  if (a.negative != b.negative) return a.negative ? -1 : 1;
  unsigned scale = std::max(a.scale, b.scale);
  int c = compareMagnitude(shifted(a.digits, scale - a.scale), shifted(b.digits, scale - b.scale));
  return a.negative ? -c : c;
}

// |a| / |b| to `scale` digits, rounded half away from zero; b is not zero.
std::string quotient(const Value& a, const Value& b, unsigned scale) {
  auto [q, rest] = divideMagnitude(shifted(a.digits, b.scale + scale), shifted(b.digits, a.scale));
  if (compareMagnitude(addMagnitude(rest, rest), shifted(b.digits, a.scale)) >= 0) {
    q = addMagnitude(q, "1");
  }
  return q;
}

// ---- conversions
// ---------------------------------------------------------------------------------

double toDouble(const Value& v) {
  switch (v.type) {
    case Type::Int:
      return static_cast<double>(v.integer);
    case Type::Decimal:
      return std::strtod(decimalText(v).c_str(), nullptr);
    case Type::Double:
      return v.number;
    case Type::String:
      // The number the string starts with, as MySQL converts it (0 when none).
      return std::strtod(v.text.c_str(), nullptr);
    case Type::Null:
      break;
  }
  return 0;
}

bool isExact(const Value& v) { return v.type == Type::Int || v.type == Type::Decimal; }

// A column's merged cell as a value of the column's type.
Value columnValue(const Cell& cell, const ColumnInfo& info) {
  if (cell.null) {
    Value v = Value::null();
    switch (static_cast<ColumnType>(info.type)) {
      case ColumnType::kTiny:
      case ColumnType::kShort:
      case ColumnType::kLong:
      case ColumnType::kLongLong:
      case ColumnType::kInt24:
      case ColumnType::kYear:
        v.hint = Type::Int;
        break;
      case ColumnType::kDecimal:
      case ColumnType::kNewDecimal:
        v.hint = Type::Decimal;
        v.scale = info.decimals;
        break;
      case ColumnType::kFloat:
      case ColumnType::kDouble:
        v.hint = Type::Double;
        break;
      default:
        v.hint = Type::String;
        break;
    }
    return v;
  }
  switch (static_cast<ColumnType>(info.type)) {
    case ColumnType::kTiny:
    case ColumnType::kShort:
    case ColumnType::kLong:
    case ColumnType::kLongLong:
    case ColumnType::kInt24:
    case ColumnType::kYear:
    case ColumnType::kDecimal:
    case ColumnType::kNewDecimal:
    case ColumnType::kFloat:
    case ColumnType::kDouble: {
      auto v = Value::ofNumber(cell.text);
      if (v) {
        if (static_cast<ColumnType>(info.type) == ColumnType::kFloat ||
            static_cast<ColumnType>(info.type) == ColumnType::kDouble) {
          return Value::ofDouble(toDouble(*v));
        }
        return *v;
      }
      break;
    }
    default:
      break;
  }
  return Value::ofString(cell.text, ColumnComparator(info));
}

Value boolean(bool b) { return Value::ofInt(b ? 1 : 0); }

std::optional<bool> truthOf(const Value& v) {
  switch (v.type) {
    case Type::Null:
      return std::nullopt;
    case Type::Int:
      return v.integer != 0;
    case Type::Decimal:
      return v.digits != "0";
    case Type::Double:
    case Type::String:
      return toDouble(v) != 0;
  }
  return std::nullopt;
}

// <0, 0, >0 as MySQL compares two non-NULL values: numbers exactly (DOUBLE when either is one,
// or when a number meets a string), strings by the collation of the column among them.
int compareValues(const Value& a, const Value& b) {
  if (a.type == Type::String && b.type == Type::String) {
    // A column's collation wins over a literal's.
    const ColumnComparator& c =
        a.comparator.kind() != ColumnComparator::Kind::CaseFolded ? a.comparator : b.comparator;
    int r = c.compareText(a.text, b.text);
    return r < 0 ? -1 : (r > 0 ? 1 : 0);
  }
  if (isExact(a) && isExact(b)) {
    if (a.type == Type::Int && b.type == Type::Int) {
      return a.integer < b.integer ? -1 : (a.integer > b.integer ? 1 : 0);
    }
    return compareDecimals(toDecimal(a), toDecimal(b));
  }
  double x = toDouble(a);
  double y = toDouble(b);
  return x < y ? -1 : (x > y ? 1 : 0);
}

// The NULL an arithmetic operation gives, typed as its result would have been.
Value nullResult(const std::string& op, const Value& a, const Value& b) {
  Value out = Value::null();
  Type x = a.type == Type::Null ? a.hint : a.type;
  Type y = b.type == Type::Null ? b.hint : b.type;
  if (x == Type::Null || y == Type::Null) return out;
  if (x == Type::Double || y == Type::Double || x == Type::String || y == Type::String) {
    out.hint = Type::Double;
  } else if (op == "DIV") {
    out.hint = Type::Int;
  } else if (op == "/") {
    out.hint = Type::Decimal;
    out.scale = std::min(a.scale + kDivPrecisionIncrement, kMaxScale);
  } else if (x == Type::Decimal || y == Type::Decimal) {
    out.hint = Type::Decimal;
    out.scale = op == "*" ? std::min(a.scale + b.scale, kMaxScale) : std::max(a.scale, b.scale);
  } else {
    out.hint = Type::Int;
  }
  return out;
}

Result<Value> arithmetic(const std::string& op, const Value& a, const Value& b) {
  if (a.type == Type::Null || b.type == Type::Null) return nullResult(op, a, b);
  bool exact = isExact(a) && isExact(b);
  if (!exact) {
    double x = toDouble(a);
    double y = toDouble(b);
    if (op == "+") return Value::ofDouble(x + y);
    if (op == "-") return Value::ofDouble(x - y);
    if (op == "*") return Value::ofDouble(x * y);
    if (op == "/") return y == 0 ? Value::null() : Value::ofDouble(x / y);
    if (op == "%") return y == 0 ? Value::null() : Value::ofDouble(std::fmod(x, y));
    if (op == "DIV") {
      if (y == 0) return Value::null();
      double q = std::trunc(x / y);
      if (!(std::fabs(q) < 9.2e18)) return outOfRange("DIV");
      return Value::ofInt(static_cast<int64_t>(q));
    }
    return unsupported("operator " + op + " after merging");
  }
  if (a.type == Type::Int && b.type == Type::Int && op != "/") {
    int64_t x = a.integer;
    int64_t y = b.integer;
    int64_t r = 0;
    if (op == "+") {
      if (__builtin_add_overflow(x, y, &r))
        return outOfRange(std::to_string(x) + " + " + std::to_string(y));
      return Value::ofInt(r);
    }
    if (op == "-") {
      if (__builtin_sub_overflow(x, y, &r))
        return outOfRange(std::to_string(x) + " - " + std::to_string(y));
      return Value::ofInt(r);
    }
    if (op == "*") {
      if (__builtin_mul_overflow(x, y, &r))
        return outOfRange(std::to_string(x) + " * " + std::to_string(y));
      return Value::ofInt(r);
    }
    if (op == "DIV" || op == "%") {
      if (y == 0) return Value::null();
      if (x == std::numeric_limits<int64_t>::min() && y == -1) {
        if (op == "%") return Value::ofInt(0);
        return outOfRange(std::to_string(x) + " DIV -1");
      }
      return Value::ofInt(op == "DIV" ? x / y : x % y);
    }
    return unsupported("operator " + op + " after merging");
  }
  Value x = toDecimal(a);
  Value y = toDecimal(b);
  if (op == "+") return addDecimals(x, y);
  if (op == "-") return addDecimals(x, negated(y));
  if (op == "*") {
    Value r =
        decimal(multiplyMagnitude(x.digits, y.digits), x.negative != y.negative, x.scale + y.scale);
    return r.scale > kMaxScale ? rescale(r, kMaxScale) : r;
  }
  if (y.digits == "0") return Value::null();  // division by zero: NULL (and a warning)
  if (op == "/") {
    unsigned scale = std::min(x.scale + kDivPrecisionIncrement, kMaxScale);
    return decimal(quotient(x, y, scale), x.negative != y.negative, scale);
  }
  if (op == "DIV") {
    Value q = decimal(divideMagnitude(shifted(x.digits, y.scale), shifted(y.digits, x.scale)).first,
                      x.negative != y.negative, 0);
    if (q.digits.size() > 18) return outOfRange("DIV");
    int64_t n = std::stoll(q.digits);
    return Value::ofInt(q.negative ? -n : n);
  }
  if (op == "%") {
    // x - trunc(x / y) * y, with the larger scale; the sign of x.
    unsigned scale = std::max(x.scale, y.scale);
    std::string rest =
        divideMagnitude(shifted(x.digits, scale - x.scale), shifted(y.digits, scale - y.scale))
            .second;
    return decimal(rest, x.negative, scale);
  }
  return unsupported("operator " + op + " after merging");
}

// MySQL's rounding of a DOUBLE (my_double_round): rint, half to even.
double roundDouble(double value, int64_t places) {
  double factor = std::pow(10.0, static_cast<double>(places < 0 ? -places : places));
  if (places < 0) return std::isinf(factor) ? 0.0 : std::rint(value / factor) * factor;
  double scaled = value * factor;
  if (std::isinf(scaled)) return value;
  return std::rint(scaled) / factor;
}

// The type MySQL gives IFNULL / COALESCE / IF over these arguments: DOUBLE, DECIMAL (the
// largest scale), BIGINT, or a string; the chosen value converted to it.
Value unified(const Value& chosen, const std::vector<Value>& all) {
  if (chosen.type == Type::Null) return chosen;
  bool anyString = false;
  bool anyDouble = false;
  bool anyDecimal = false;
  unsigned scale = 0;
  for (const Value& v : all) {
    Type t = v.type == Type::Null ? v.hint : v.type;
    anyString |= t == Type::String;
    anyDouble |= t == Type::Double;
    anyDecimal |= t == Type::Decimal;
    if (t == Type::Decimal) scale = std::max(scale, v.scale);
  }
  if (anyString) {
    if (chosen.type == Type::String) return chosen;
    return Value::ofString(ExprEvaluator::toCell(chosen).text,
                           ColumnComparator(ColumnComparator::Kind::CaseFolded));
  }
  if (anyDouble) return Value::ofDouble(toDouble(chosen));
  if (anyDecimal) return rescale(toDecimal(chosen), scale);
  return chosen;
}

}  // namespace

Value Value::ofInt(int64_t v) {
  Value out;
  out.type = Type::Int;
  out.integer = v;
  return out;
}

Value Value::ofDouble(double v) {
  Value out;
  out.type = Type::Double;
  out.number = v;
  return out;
}

Value Value::ofString(std::string v, ColumnComparator comparator) {
  Value out;
  out.type = Type::String;
  out.text = std::move(v);
  out.comparator = comparator;
  return out;
}

std::optional<Value> Value::ofNumber(std::string_view text) {
  if (text.find_first_of("eE") != std::string_view::npos) {
    std::string copy(text);
    char* end = nullptr;
    double d = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size()) return std::nullopt;
    return ofDouble(d);
  }
  auto d = parseDecimal(text);
  if (!d) return std::nullopt;
  std::string digits = std::string(d->intDigits) + std::string(d->fracDigits);
  Value v = decimal(digits, d->negative, static_cast<unsigned>(d->fracDigits.size()));
  if (d->fracDigits.empty() && text.find('.') == std::string_view::npos && v.digits.size() <= 19) {
    // An integer: BIGINT when it fits.
    int64_t n = 0;
    std::string signedText = (v.negative ? "-" : "") + v.digits;
    auto [end, ec] = std::from_chars(signedText.data(), signedText.data() + signedText.size(), n);
    if (ec == std::errc() && end == signedText.data() + signedText.size()) return ofInt(n);
  }
  return v;
}

Result<ExprEvaluator> ExprEvaluator::bind(const MergeSpec& spec,
                                          const std::vector<ColumnInfo>& columns,
                                          const std::vector<size_t>& at) {
  static const std::pair<const char*, std::pair<size_t, size_t>> kFunctions[] = {
      {"ABS", {1, 1}},     {"ROUND", {1, 2}},      {"FLOOR", {1, 1}},
      {"CEILING", {1, 1}}, {"CEIL", {1, 1}},       {"SIGN", {1, 1}},
      {"IFNULL", {2, 2}},  {"COALESCE", {1, 255}}, {"IF", {3, 3}},
  };
  ExprEvaluator out;
  for (size_t i = 0; i < spec.exprs.size(); ++i) {
    const MergeSpec::ExprNode& n = spec.exprs[i];
    Node node{n, 0, {}};
    for (uint32_t arg : n.args) {
      if (arg >= i) {  // children come before their parent
        return makeError(er::kUnknownError, "merge: a malformed expression");
      }
    }
    if (n.kind == Kind::Column) {
      if (i >= at.size() || at[i] >= columns.size()) {
        return makeError(er::kUnknownError, "merge: an expression's column is not in the results");
      }
      node.column = at[i];
      node.info = columns[at[i]];
    } else if (n.kind == Kind::Function) {
      bool known = false;
      for (const auto& [name, arity] : kFunctions) {
        if (n.op == name) {
          known = n.args.size() >= arity.first && n.args.size() <= arity.second;
        }
      }
      if (!known) return unsupported("function " + n.op + " over aggregates of several shards");
    } else if (n.kind == Kind::Literal && !n.null && !n.string && !Value::ofNumber(n.text)) {
      return unsupported("literal " + n.text + " over aggregates of several shards");
    }
    out.nodes_.push_back(std::move(node));
  }
  return out;
}

Result<Value> ExprEvaluator::eval(const Row& row, uint32_t index) const {
  if (index >= nodes_.size()) return makeError(er::kUnknownError, "merge: no such expression");
  const Node& n = nodes_[index];
  auto arg = [&](size_t i) { return eval(row, n.spec.args[i]); };
  switch (n.spec.kind) {
    case Kind::Column:
      if (n.column >= row.size()) return makeError(er::kUnknownError, "merge: a short row");
      return columnValue(row[n.column], n.info);
    case Kind::Literal:
      if (n.spec.null) return Value::null();
      if (n.spec.string) {
        return Value::ofString(n.spec.text, ColumnComparator(ColumnComparator::Kind::CaseFolded));
      }
      return *Value::ofNumber(n.spec.text);
    case Kind::Negate: {
      auto v = arg(0);
      if (!v) return v;
      if (v->type == Type::Int) {
        if (v->integer == std::numeric_limits<int64_t>::min()) {
          return negated(toDecimal(*v));
        }
        return Value::ofInt(-v->integer);
      }
      if (v->type == Type::String) return Value::ofDouble(-toDouble(*v));
      return negated(*v);
    }
    case Kind::Not: {
      auto v = arg(0);
      if (!v) return v;
      auto t = truthOf(*v);
      return t ? boolean(!*t) : Value::null();
    }
    case Kind::IsNull: {
      auto v = arg(0);
      if (!v) return v;
      return boolean((v->type == Type::Null) != n.spec.negated);
    }
    case Kind::Binary: {
      const std::string& op = n.spec.op;
      auto a = arg(0);
      if (!a) return a;
      if (op == "AND" || op == "OR") {
        // Three-valued, and the second operand only when the first does not decide.
        auto x = truthOf(*a);
        if (op == "AND" && x && !*x) return boolean(false);
        if (op == "OR" && x && *x) return boolean(true);
        auto b = arg(1);
        if (!b) return b;
        auto y = truthOf(*b);
        if (op == "AND") {
          if (y && !*y) return boolean(false);
          return x && y ? boolean(true) : Value::null();
        }
        if (y && *y) return boolean(true);
        return x && y ? boolean(false) : Value::null();
      }
      auto b = arg(1);
      if (!b) return b;
      if (op == "XOR") {
        auto x = truthOf(*a);
        auto y = truthOf(*b);
        return x && y ? boolean(*x != *y) : Value::null();
      }
      if (op == "<=>") {
        if (a->type == Type::Null || b->type == Type::Null) {
          return boolean(a->type == Type::Null && b->type == Type::Null);
        }
        return boolean(compareValues(*a, *b) == 0);
      }
      if (op == "=" || op == "<>" || op == "<" || op == "<=" || op == ">" || op == ">=") {
        if (a->type == Type::Null || b->type == Type::Null) return Value::null();
        int c = compareValues(*a, *b);
        bool r = op == "="    ? c == 0
                 : op == "<>" ? c != 0
                 : op == "<"  ? c < 0
                 : op == "<=" ? c <= 0
                 : op == ">"  ? c > 0
                              : c >= 0;
        return boolean(r);
      }
      return arithmetic(op, *a, *b);
    }
    case Kind::Function:
      return function(row, n);
  }
  return Value::null();
}

Result<Value> ExprEvaluator::function(const Row& row, const Node& n) const {
  const std::string& name = n.spec.op;
  std::vector<Value> args;
  if (name == "IF") {
    auto c = eval(row, n.spec.args[0]);
    if (!c) return c;
    for (size_t i = 1; i < 3; ++i) {
      auto v = eval(row, n.spec.args[i]);
      if (!v) return v;
      args.push_back(std::move(*v));
    }
    auto t = truthOf(*c);
    return unified(t && *t ? args[0] : args[1], args);
  }
  for (uint32_t a : n.spec.args) {
    auto v = eval(row, a);
    if (!v) return v;
    args.push_back(std::move(*v));
  }
  if (name == "IFNULL" || name == "COALESCE") {
    for (const Value& v : args) {
      if (v.type != Type::Null) return unified(v, args);
    }
    return Value::null();
  }
  Value x = args[0];
  if (x.type == Type::Null) return x;
  if (x.type == Type::String) x = Value::ofDouble(toDouble(x));
  if (name == "ABS") {
    if (x.type == Type::Int) {
      if (x.integer == std::numeric_limits<int64_t>::min()) return outOfRange("ABS");
      return Value::ofInt(x.integer < 0 ? -x.integer : x.integer);
    }
    if (x.type == Type::Decimal) {
      x.negative = false;
      return x;
    }
    return Value::ofDouble(std::fabs(x.number));
  }
  if (name == "SIGN") {
    double d = toDouble(x);
    return Value::ofInt(d > 0 ? 1 : (d < 0 ? -1 : 0));
  }
  if (name == "FLOOR" || name == "CEILING" || name == "CEIL") {
    bool up = name != "FLOOR";
    if (x.type == Type::Int) return x;
    if (x.type == Type::Double)
      return Value::ofDouble(up ? std::ceil(x.number) : std::floor(x.number));
    // Truncate, then one more away from zero when a fraction was dropped in that direction.
    std::string digits =
        x.digits.size() > x.scale ? x.digits.substr(0, x.digits.size() - x.scale) : "0";
    bool fraction = x.scale > 0 && compareMagnitude(shifted(digits, x.scale), x.digits) != 0;
    if (fraction && (up != x.negative)) digits = addMagnitude(digits, "1");
    return decimal(digits, x.negative, 0);
  }
  if (name == "ROUND") {
    int64_t places = 0;
    if (args.size() == 2) {
      if (args[1].type == Type::Null) return Value::null();
      if (args[1].type != Type::Int) return unsupported("ROUND with a non-integer places argument");
      places = std::clamp<int64_t>(args[1].integer, -64, kMaxScale);
    }
    if (x.type == Type::Double) return Value::ofDouble(roundDouble(x.number, places));
    if (x.type == Type::Int && places >= 0) return x;
    Value d = toDecimal(x);
    if (places >= 0) return rescale(d, static_cast<unsigned>(places));
    // To tens, hundreds, ...: round at the units, then restore the zeros.
    unsigned drop = static_cast<unsigned>(-places);
    Value r = rescale(decimal(d.digits, d.negative, d.scale + drop), 0);
    r = decimal(shifted(r.digits, drop), r.negative, 0);
    if (x.type == Type::Int) {
      if (r.digits.size() > 18) return outOfRange("ROUND");
      int64_t v = std::stoll(r.digits);
      return Value::ofInt(r.negative ? -v : v);
    }
    return r;
  }
  return unsupported("function " + name + " over aggregates of several shards");
}

Result<std::optional<bool>> ExprEvaluator::truth(const Row& row, uint32_t node) const {
  auto v = eval(row, node);
  if (!v) return v.status();
  return truthOf(*v);
}

Cell ExprEvaluator::toCell(const Value& v) {
  switch (v.type) {
    case Type::Null:
      return Cell{};
    case Type::Int:
      return Cell{false, std::to_string(v.integer)};
    case Type::Decimal:
      return Cell{false, decimalText(v)};
    case Type::Double:
      return Cell{false, formatDouble(v.number)};
    case Type::String:
      return Cell{false, v.text};
  }
  return Cell{};
}

}  // namespace shardproxy::merger
