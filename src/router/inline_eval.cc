#include "router/inline_eval.h"

#include <algorithm>
#include <charconv>
#include <limits>
#include <unordered_set>
#include <utility>

#include "router/inline_decimal.h"
#include "router/inline_java.h"

namespace shardproxy::router::inline_expr {

namespace {

// Groovy: BigDecimalMath.DIVISION_EXTRA_PRECISION and DIVISION_MIN_SCALE.
constexpr int kDivisionExtraPrecision = 10;
constexpr int kDivisionMinScale = 10;

const char* javaTypeName(const EV& v) {
  switch (v.k) {
    case EV::K::Null:
      return "null";
    case EV::K::Bool:
      return "java.lang.Boolean";
    case EV::K::Int:
      return "java.lang.Integer";
    case EV::K::Long:
      return "java.lang.Long";
    case EV::K::Dec:
      return "java.math.BigDecimal";
    case EV::K::Str:
      return "java.lang.String";
  }
  return "?";
}

EV makeInt(int32_t v) {
  EV e;
  e.k = EV::K::Int;
  e.i = v;
  return e;
}
EV makeLong(int64_t v) {
  EV e;
  e.k = EV::K::Long;
  e.i = v;
  return e;
}
EV makeBool(bool v) {
  EV e;
  e.k = EV::K::Bool;
  e.i = v ? 1 : 0;
  return e;
}
EV makeDec(Dec d) {
  EV e;
  e.k = EV::K::Dec;
  e.d = d;
  return e;
}
EV makeStr(std::string s) {
  EV e;
  e.k = EV::K::Str;
  e.own = std::move(s);
  return e;
}

std::string textOf(const EV& v) {
  std::string s;
  appendText(v, s);
  return s;
}

java::DecimalParts partsOf(const EV& v) {
  java::DecimalParts p;
  if (v.k == EV::K::Dec) {
    if (v.ref != nullptr) {
      if (!java::parseDecimal(*v.ref, p)) p = java::DecimalParts{};
      return p;
    }
    p.negative = v.d.unscaled < 0;
    p.digits = u128ToString(absU(v.d.unscaled));
    p.scale = v.d.scale;
    return p;
  }
  p.negative = v.i < 0;
  p.digits = u128ToString(absU(v.i));
  return p;
}

bool truthy(const EV& v) {
  switch (v.k) {
    case EV::K::Null:
      return false;
    case EV::K::Bool:
    case EV::K::Int:
    case EV::K::Long:
      return v.i != 0;
    case EV::K::Dec:
      return v.ref != nullptr ? partsOf(v).digits != "0" : v.d.unscaled != 0;
    case EV::K::Str:
      return !v.str().empty();
  }
  return false;
}

bool parseJavaInt(std::string_view s, int64_t lo, int64_t hi, int64_t& out) {
  // Integer.parseInt / Long.parseLong: optional sign, ASCII digits, in range.
  size_t i = 0;
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    i = 1;
  }
  if (i >= s.size()) return false;
  u128 v = 0;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + static_cast<u128>(s[i] - '0');
    if (v > (u128{1} << 64)) return false;
  }
  const i128 signedV = negative ? -static_cast<i128>(v) : static_cast<i128>(v);
  if (signedV < lo || signedV > hi) return false;
  out = static_cast<int64_t>(signedV);
  return true;
}

std::string utf16Substring(std::string_view s, int64_t begin, int64_t end) {
  // Re-encode the selected UTF-16 units; a lone surrogate (a pair cut in two) becomes '?', as
  // Java's getBytes(UTF_8) would write it.
  std::u16string units;
  java::forEachUtf16(s, [&units](uint16_t u) { units.push_back(static_cast<char16_t>(u)); });
  std::string out;
  for (int64_t k = begin; k < end; ++k) {
    uint32_t cp = units[static_cast<size_t>(k)];
    if (cp >= 0xD800 && cp <= 0xDBFF && k + 1 < end &&
        units[static_cast<size_t>(k + 1)] >= 0xDC00 &&
        units[static_cast<size_t>(k + 1)] <= 0xDFFF) {
      cp = 0x10000 + ((cp - 0xD800) << 10) + (units[static_cast<size_t>(k + 1)] - 0xDC00);
      ++k;
    } else if (cp >= 0xD800 && cp <= 0xDFFF) {
      cp = '?';
    }
    java::appendUtf8(out, cp);
  }
  return out;
}

int64_t utf16Length(std::string_view s) {
  int64_t n = 0;
  java::forEachUtf16(s, [&n](uint16_t) { ++n; });
  return n;
}

}  // namespace

void appendText(const EV& v, std::string& out) {
  switch (v.k) {
    case EV::K::Null:
      out += "null";
      return;
    case EV::K::Bool:
      out += v.i != 0 ? "true" : "false";
      return;
    case EV::K::Int:
    case EV::K::Long: {
      char buf[24];
      auto res = std::to_chars(buf, buf + sizeof buf, v.i);
      out.append(buf, res.ptr);
      return;
    }
    case EV::K::Dec:
      if (v.ref != nullptr) {
        out += *v.ref;
      } else {
        out += decToString(v.d);
      }
      return;
    case EV::K::Str:
      out += v.str();
      return;
  }
}

bool Evaluator::toDec(const EV& v, const Node& n, Dec& out) {
  if (v.k == EV::K::Dec) {
    if (!v.decOk) return fail("decimal " + textOf(v) + " too large for arithmetic", n.offset);
    out = v.d;
    return true;
  }
  out = Dec{v.i, 0};
  return true;
}

bool Evaluator::decResult(const std::string& digits, bool negative, int64_t scale, const Node& n,
                          EV& out) {
  i128 mag = 0;
  if (!digitsToI128(digits, mag) || scale < std::numeric_limits<int32_t>::min() ||
      scale > std::numeric_limits<int32_t>::max()) {
    return fail("decimal result out of range", n.offset);
  }
  out = makeDec(Dec{negative ? -mag : mag, static_cast<int32_t>(scale)});
  return true;
}

bool Evaluator::compareValues(const Node& n, const EV& l, const EV& r, int& out) {
  if (l.isIntegral() && r.isIntegral()) {
    out = l.i < r.i ? -1 : (l.i > r.i ? 1 : 0);
    return true;
  }
  if (l.isNumber() && r.isNumber()) {
    out = java::compareDecimal(partsOf(l), partsOf(r));
    return true;
  }
  if (l.k == EV::K::Str && r.k == EV::K::Str) {
    out = java::compareUtf16(l.str(), r.str());
    return true;
  }
  if (l.k == EV::K::Bool && r.k == EV::K::Bool) {
    out = static_cast<int>(l.i) - static_cast<int>(r.i);
    return true;
  }
  return fail(std::string("cannot compare ") + javaTypeName(l) + " with " + javaTypeName(r),
              n.offset);
}

bool Evaluator::arithmetic(const Node& n, const EV& l, const EV& r, EV& out) {
  if (n.op == BinOp::Add && (l.k == EV::K::Str || r.k == EV::K::Str)) {
    std::string s;
    appendText(l, s);
    appendText(r, s);
    out = makeStr(std::move(s));
    return true;
  }
  if (!l.isNumber() || !r.isNumber()) {
    return fail(std::string("operator '") + opName(n.op) + "' cannot take " + javaTypeName(l) +
                    " and " + javaTypeName(r),
                n.offset);
  }
  if (n.op == BinOp::Div) return divide(n, l, r, out);
  if (n.op == BinOp::Mod) return remainder(n, l, r, out);
  if (l.k == EV::K::Int && r.k == EV::K::Int) {
    // Java int arithmetic wraps.
    const auto a = static_cast<uint32_t>(l.i);
    const auto b = static_cast<uint32_t>(r.i);
    const uint32_t v = n.op == BinOp::Add ? a + b : n.op == BinOp::Sub ? a - b : a * b;
    out = makeInt(static_cast<int32_t>(v));
    return true;
  }
  if (l.isIntegral() && r.isIntegral()) {
    const auto a = static_cast<uint64_t>(l.i);
    const auto b = static_cast<uint64_t>(r.i);
    const uint64_t v = n.op == BinOp::Add ? a + b : n.op == BinOp::Sub ? a - b : a * b;
    out = makeLong(static_cast<int64_t>(v));
    return true;
  }
  Dec a;
  Dec b;
  if (!toDec(l, n, a) || !toDec(r, n, b)) return false;
  Dec result;
  if (n.op == BinOp::Mul) {
    const int64_t scale = int64_t{a.scale} + b.scale;
    if (__builtin_mul_overflow(a.unscaled, b.unscaled, &result.unscaled) ||
        scale < std::numeric_limits<int32_t>::min() ||
        scale > std::numeric_limits<int32_t>::max()) {
      return fail("decimal result out of range", n.offset);
    }
    result.scale = static_cast<int32_t>(scale);
  } else {
    i128 x = 0;
    i128 y = 0;
    if (!align(a, b, x, y, result.scale)) return fail("decimal result out of range", n.offset);
    const bool overflow = n.op == BinOp::Add ? __builtin_add_overflow(x, y, &result.unscaled)
                                             : __builtin_sub_overflow(x, y, &result.unscaled);
    if (overflow) return fail("decimal result out of range", n.offset);
  }
  out = makeDec(result);
  return true;
}

// Groovy's `/` on non-floating numbers: BigDecimalMath.divideImpl. An exact quotient keeps the
// preferred scale (left scale - right scale) or the smallest larger one; otherwise the quotient
// is rounded HALF_UP to max(precisions) + 10 digits, then to at most max(scales, 10) decimals.
bool Evaluator::divide(const Node& n, const EV& l, const EV& r, EV& out) {
  Dec a;
  Dec b;
  if (!toDec(l, n, a) || !toDec(r, n, b)) return false;
  if (b.unscaled == 0) return fail("division by zero", n.offset);
  const int64_t preferred = int64_t{a.scale} - b.scale;
  if (a.unscaled == 0) {
    if (l.isIntegral() && r.isIntegral()) {
      out = makeInt(0);
      return true;
    }
    return decResult("0", false, preferred, n, out);
  }
  const bool negative = (a.unscaled < 0) != (b.unscaled < 0);
  const u128 ua = absU(a.unscaled);
  const u128 ub = absU(b.unscaled);
  if (ub >= pow10u(37)) return fail("decimal divisor too large", n.offset);
  std::string digits = u128ToString(ua / ub);
  u128 rem = ua % ub;
  int64_t frac = 0;
  // A terminating quotient of these sizes needs at most ~125 decimals; 200 also gives enough
  // significant digits for the rounding below when it does not terminate.
  while (rem != 0 && frac < 200) {
    rem *= 10;
    digits.push_back(static_cast<char>('0' + static_cast<int>(rem / ub)));
    rem %= ub;
    ++frac;
  }
  if (rem == 0) {
    if (frac == 0 && l.isIntegral() && r.isIntegral()) {
      // Exact integer quotient: an Integer or Long rather than Groovy's BigDecimal of scale 0,
      // so it prints the same and can go on through % and intdiv.
      i128 q = 0;
      if (digitsToI128(digits, q)) {
        if (negative) q = -q;
        if (q >= std::numeric_limits<int64_t>::min() && q <= std::numeric_limits<int64_t>::max()) {
          const auto v = static_cast<int64_t>(q);
          if (l.k == EV::K::Int && r.k == EV::K::Int && v >= std::numeric_limits<int32_t>::min() &&
              v <= std::numeric_limits<int32_t>::max()) {
            out = makeInt(static_cast<int32_t>(v));
          } else {
            out = makeLong(v);
          }
          return true;
        }
      }
    }
    return decResult(stripLeadingZeros(digits), negative, frac + preferred, n, out);
  }
  const auto precisionOf = [](const Dec& d) {
    return static_cast<int64_t>(u128ToString(absU(d.unscaled)).size());
  };
  const int64_t precision = std::max(precisionOf(a), precisionOf(b)) + kDivisionExtraPrecision;
  std::string sig = stripLeadingZeros(digits);
  int64_t scale = frac + preferred;
  const int64_t drop = static_cast<int64_t>(sig.size()) - precision;
  if (drop > 0) {
    sig = dropDigitsHalfUp(sig, drop);
    scale -= drop;
    if (static_cast<int64_t>(sig.size()) > precision) {  // 999.. rounded up to 1000..
      sig.pop_back();
      --scale;
    }
  }
  const int64_t maxScale = std::max<int64_t>({a.scale, b.scale, int64_t{kDivisionMinScale}});
  if (scale > maxScale) {
    sig = stripLeadingZeros(dropDigitsHalfUp(sig, scale - maxScale));
    scale = maxScale;
  }
  return decResult(sig, negative && sig != "0", scale, n, out);
}

// `%`: Java's remainder for Integer and Long (the dividend's sign); BigDecimal.remainder (Groovy
// 4.0.7+) for decimals.
bool Evaluator::remainder(const Node& n, const EV& l, const EV& r, EV& out) {
  if (l.isIntegral() && r.isIntegral()) {
    if (r.i == 0) return fail("division by zero", n.offset);
    if (l.k == EV::K::Int && r.k == EV::K::Int) {
      const auto a = static_cast<int32_t>(l.i);
      const auto b = static_cast<int32_t>(r.i);
      out = makeInt(b == -1 ? 0 : a % b);
    } else {
      out = makeLong(r.i == -1 ? 0 : l.i % r.i);
    }
    return true;
  }
  Dec a;
  Dec b;
  if (!toDec(l, n, a) || !toDec(r, n, b)) return false;
  if (b.unscaled == 0) return fail("division by zero", n.offset);
  i128 x = 0;
  i128 y = 0;
  int32_t scale = 0;
  if (!align(a, b, x, y, scale)) return fail("decimal result out of range", n.offset);
  i128 rem = x % y;
  // BigDecimal.remainder is this - divideToIntegralValue(d) * d: its scale is
  // max(this.scale, q.scale + d.scale), q's scale being the preferred this.scale - d.scale, or
  // for a negative preferred scale, as few as its trailing zeros allow.
  const int64_t preferred = int64_t{a.scale} - b.scale;
  int64_t qScale = preferred;
  if (preferred < 0) {
    i128 q = x / y;
    int64_t zeros = 0;
    while (q != 0 && q % 10 == 0 && zeros < -preferred) {
      q /= 10;
      ++zeros;
    }
    qScale = -zeros;
  }
  const int64_t resultScale = std::max<int64_t>(a.scale, qScale + b.scale);
  for (int64_t k = resultScale; k < scale; ++k) rem /= 10;  // exact: those digits are zeros
  out = makeDec(Dec{rem, static_cast<int32_t>(std::min<int64_t>(resultScale, scale))});
  return true;
}

bool Evaluator::call(const Node& n, EV& out) {
  EV x;
  EV y;
  EV z;
  if (n.b >= 1 && !eval(arg(n, 0), x)) return false;
  if (n.b >= 2 && !eval(arg(n, 1), y)) return false;
  if (n.b >= 3 && !eval(arg(n, 2), z)) return false;
  const char* name = fnName(n.fn);
  const auto wrongType = [&](const EV& v) {
    if (v.k == EV::K::Null) {
      return fail(std::string("cannot invoke method ") + name + "() on null object", n.offset);
    }
    return fail(std::string("method '") + name + "' cannot take " + javaTypeName(v), n.offset);
  };
  switch (n.fn) {
    case Fn::FloorMod:
    case Fn::FloorDiv: {
      if (!x.isIntegral()) return wrongType(x);
      if (!y.isIntegral()) return wrongType(y);
      if (y.i == 0) return fail("division by zero", n.offset);
      const int64_t a = x.i;
      const int64_t b = y.i;
      if (n.fn == Fn::FloorMod) {
        const int64_t m = b == -1 ? 0 : a % b;
        const int64_t v = (m != 0 && ((m < 0) != (b < 0))) ? m + b : m;
        // Java 9+: floorMod(int, int) and floorMod(long, int) are ints.
        out = y.k == EV::K::Int ? makeInt(static_cast<int32_t>(v)) : makeLong(v);
        return true;
      }
      if (x.k == EV::K::Int && y.k == EV::K::Int) {
        const auto ia = static_cast<int32_t>(a);
        const auto ib = static_cast<int32_t>(b);
        if (ib == -1) {
          out = makeInt(static_cast<int32_t>(0u - static_cast<uint32_t>(ia)));
          return true;
        }
        int32_t q = ia / ib;
        if ((ia % ib != 0) && ((ia < 0) != (ib < 0))) --q;
        out = makeInt(q);
        return true;
      }
      if (b == -1) {
        out = makeLong(static_cast<int64_t>(0u - static_cast<uint64_t>(a)));
        return true;
      }
      int64_t q = a / b;
      if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
      out = makeLong(q);
      return true;
    }
    case Fn::Abs:
      if (x.k == EV::K::Int) {
        const auto v = static_cast<int32_t>(x.i);
        out = makeInt(v < 0 ? static_cast<int32_t>(0u - static_cast<uint32_t>(v)) : v);
        return true;
      }
      if (x.k == EV::K::Long) {
        out = makeLong(x.i < 0 ? static_cast<int64_t>(0u - static_cast<uint64_t>(x.i)) : x.i);
        return true;
      }
      if (x.k == EV::K::Dec) {
        Dec d;
        if (!toDec(x, n, d)) return false;
        if (d.unscaled < 0) d.unscaled = -d.unscaled;
        out = makeDec(d);
        return true;
      }
      return wrongType(x);
    case Fn::IntegerValueOf:
    case Fn::LongValueOf: {
      const bool isInt = n.fn == Fn::IntegerValueOf;
      const int64_t lo =
          isInt ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int64_t>::min();
      const int64_t hi =
          isInt ? std::numeric_limits<int32_t>::max() : std::numeric_limits<int64_t>::max();
      int64_t v = 0;
      if (x.k == EV::K::Str) {
        if (!parseJavaInt(x.str(), lo, hi, v)) {
          return fail("NumberFormatException: For input string: \"" + std::string(x.str()) + "\"",
                      n.offset);
        }
      } else if (x.isIntegral()) {
        if (x.i < lo || x.i > hi) {
          return fail("value " + std::to_string(x.i) + " out of range for " + std::string(name),
                      n.offset);
        }
        v = x.i;
      } else {
        return wrongType(x);
      }
      out = isInt ? makeInt(static_cast<int32_t>(v)) : makeLong(v);
      return true;
    }
    case Fn::StringValueOf:
      out = makeStr(textOf(x));
      return true;
    case Fn::ToString:
      out = makeStr(textOf(x));
      return true;
    case Fn::HashCode: {
      int32_t h = 0;
      switch (x.k) {
        case EV::K::Null:
          return wrongType(x);
        case EV::K::Bool:
          h = x.i != 0 ? 1231 : 1237;
          break;
        case EV::K::Int:
          h = Value{Value::Type::Integer, x.i, {}}.javaHashCode();
          break;
        case EV::K::Long:
          h = Value{Value::Type::Long, x.i, {}}.javaHashCode();
          break;
        case EV::K::Dec:
          h = Value{Value::Type::Decimal, 0, textOf(x)}.javaHashCode();
          break;
        case EV::K::Str:
          h = java::stringHashCode(x.str());
          break;
      }
      out = makeInt(h);
      return true;
    }
    case Fn::LongValue:
    case Fn::IntValue: {
      int64_t v = 0;
      if (x.isIntegral()) {
        v = x.i;
      } else if (x.k == EV::K::Dec) {
        Dec d;
        if (!toDec(x, n, d)) return false;
        v = decTruncLow64(d);
      } else {
        return wrongType(x);
      }
      out = n.fn == Fn::IntValue ? makeInt(static_cast<int32_t>(static_cast<uint32_t>(v)))
                                 : makeLong(v);
      return true;
    }
    case Fn::Length:
      if (x.k != EV::K::Str) return wrongType(x);
      out = makeInt(static_cast<int32_t>(utf16Length(x.str())));
      return true;
    case Fn::Substring: {
      if (x.k != EV::K::Str) return wrongType(x);
      if (y.k != EV::K::Int) return wrongType(y);
      if (n.b == 3 && z.k != EV::K::Int) return wrongType(z);
      const int64_t length = utf16Length(x.str());
      const int64_t begin = y.i;
      const int64_t end = n.b == 3 ? z.i : length;
      if (begin < 0 || end > length || begin > end) {
        return fail("StringIndexOutOfBoundsException: begin " + std::to_string(begin) + ", end " +
                        std::to_string(end) + ", length " + std::to_string(length),
                    n.offset);
      }
      out = makeStr(utf16Substring(x.str(), begin, end));
      return true;
    }
    case Fn::Intdiv: {
      if (!x.isIntegral()) {
        if (x.k == EV::K::Dec) {
          return fail("Cannot use intdiv() on this number type: java.math.BigDecimal", n.offset);
        }
        return wrongType(x);
      }
      if (!y.isIntegral()) return wrongType(y);
      if (y.i == 0) return fail("division by zero", n.offset);
      if (x.k == EV::K::Int && y.k == EV::K::Int) {
        const auto a = static_cast<int32_t>(x.i);
        const auto b = static_cast<int32_t>(y.i);
        out = makeInt(b == -1 ? static_cast<int32_t>(0u - static_cast<uint32_t>(a)) : a / b);
      } else {
        out =
            makeLong(y.i == -1 ? static_cast<int64_t>(0u - static_cast<uint64_t>(x.i)) : x.i / y.i);
      }
      return true;
    }
  }
  return fail("unknown method", n.offset);
}

bool Evaluator::eval(int32_t index, EV& out) {
  const Node& n = node(index);
  switch (n.kind) {
    case NodeKind::Int:
      out = makeInt(static_cast<int32_t>(n.i));
      return true;
    case NodeKind::Long:
      out = makeLong(n.i);
      return true;
    case NodeKind::Dec:
      out = makeDec(n.dec);
      return true;
    case NodeKind::Str:
      out = EV{};
      out.k = EV::K::Str;
      out.ref = &im_.strings[static_cast<size_t>(n.str)];
      return true;
    case NodeKind::Bool:
      out = makeBool(n.i != 0);
      return true;
    case NodeKind::Null:
      out = EV{};
      return true;
    case NodeKind::Var: {
      const std::string& name = im_.strings[static_cast<size_t>(n.str)];
      if (vars_ == nullptr) {
        return fail("variable '" + name + "' has no value when expanding", n.offset);
      }
      auto it = vars_->find(name);
      if (it == vars_->end()) return fail("no value for variable '" + name + "'", n.offset);
      const Value& v = it->second;
      out = EV{};
      switch (v.type) {
        case Value::Type::Null:
          break;
        case Value::Type::Integer:
          out.k = EV::K::Int;
          out.i = v.integer;
          break;
        case Value::Type::Long:
          out.k = EV::K::Long;
          out.i = v.integer;
          break;
        case Value::Type::Decimal: {
          out.k = EV::K::Dec;
          out.ref = &v.text;
          java::DecimalParts p;
          out.decOk = java::parseDecimal(v.text, p) && partsToDec(p, out.d);
          break;
        }
        case Value::Type::String:
          out.k = EV::K::Str;
          out.ref = &v.text;
          break;
      }
      return true;
    }
    case NodeKind::Neg:
    case NodeKind::Plus: {
      EV v;
      if (!eval(n.a, v)) return false;
      if (!v.isNumber()) {
        return fail(std::string("unary '") + (n.kind == NodeKind::Neg ? "-" : "+") +
                        "' cannot take " + javaTypeName(v),
                    n.offset);
      }
      if (n.kind == NodeKind::Plus) {
        out = std::move(v);
        return true;
      }
      if (v.k == EV::K::Int) {
        out = makeInt(static_cast<int32_t>(0u - static_cast<uint32_t>(v.i)));
      } else if (v.k == EV::K::Long) {
        out = makeLong(static_cast<int64_t>(0u - static_cast<uint64_t>(v.i)));
      } else {
        Dec d;
        if (!toDec(v, n, d)) return false;
        d.unscaled = -d.unscaled;
        out = makeDec(d);
      }
      return true;
    }
    case NodeKind::Not: {
      EV v;
      if (!eval(n.a, v)) return false;
      out = makeBool(!truthy(v));
      return true;
    }
    case NodeKind::And:
    case NodeKind::Or: {
      EV v;
      if (!eval(n.a, v)) return false;
      const bool left = truthy(v);
      if (n.kind == NodeKind::And ? !left : left) {
        out = makeBool(left);
        return true;
      }
      if (!eval(n.b, v)) return false;
      out = makeBool(truthy(v));
      return true;
    }
    case NodeKind::Cond: {
      EV v;
      if (!eval(n.a, v)) return false;
      return eval(truthy(v) ? n.b : n.c, out);
    }
    case NodeKind::Elvis: {
      if (!eval(n.a, out)) return false;
      if (truthy(out)) return true;
      return eval(n.b, out);
    }
    case NodeKind::Binary: {
      EV l;
      EV r;
      if (!eval(n.a, l) || !eval(n.b, r)) return false;
      switch (n.op) {
        case BinOp::Add:
        case BinOp::Sub:
        case BinOp::Mul:
        case BinOp::Div:
        case BinOp::Mod:
          return arithmetic(n, l, r, out);
        case BinOp::Eq:
        case BinOp::Ne: {
          bool equal = false;
          if (l.k == EV::K::Null || r.k == EV::K::Null) {
            equal = l.k == r.k;
          } else if ((l.isNumber() && r.isNumber()) || (l.k == r.k)) {
            int c = 0;
            if (!compareValues(n, l, r, c)) return false;
            equal = c == 0;
          }
          out = makeBool(n.op == BinOp::Eq ? equal : !equal);
          return true;
        }
        default: {
          int c = 0;
          if (!compareValues(n, l, r, c)) return false;
          const bool v = n.op == BinOp::Lt   ? c < 0
                         : n.op == BinOp::Le ? c <= 0
                         : n.op == BinOp::Gt ? c > 0
                                             : c >= 0;
          out = makeBool(v);
          return true;
        }
      }
    }
    case NodeKind::Range:
    case NodeKind::List:
      return fail(std::string(n.kind == NodeKind::Range ? "a range" : "a list") +
                      " yields several values where one is needed",
                  n.offset);
    case NodeKind::Call:
      return call(n, out);
  }
  return fail("unsupported expression", n.offset);
}

bool Evaluator::evalMany(int32_t index, std::vector<std::string>& out) {
  const Node& n = node(index);
  // ShardingSphere collects each part's values into a LinkedHashSet: duplicates go.
  std::unordered_set<std::string> seen;
  const auto push = [&](std::string s) {
    if (seen.insert(s).second) out.push_back(std::move(s));
  };
  if (n.kind == NodeKind::Range) {
    EV lo;
    EV hi;
    if (!eval(n.a, lo) || !eval(n.b, hi)) return false;
    if (!lo.isIntegral() || !hi.isIntegral()) {
      return fail(std::string("range bounds must be integers, not ") + javaTypeName(lo) + " and " +
                      javaTypeName(hi),
                  n.offset);
    }
    const int64_t from = lo.i;
    int64_t to = hi.i;
    const bool descending = from > to;
    if (n.exclusive) {
      if (from == to) return true;  // 3..<3 is empty
      to += descending ? 1 : -1;
    }
    const u128 count = (descending ? static_cast<u128>(static_cast<i128>(from) - to)
                                   : static_cast<u128>(static_cast<i128>(to) - from)) +
                       1;
    if (count > kMaxExpansion) return fail("range has more than 2^20 values", n.offset);
    for (int64_t v = from;; v += descending ? -1 : 1) {
      push(std::to_string(v));
      if (v == to) break;
    }
    return true;
  }
  if (n.kind == NodeKind::List) {
    for (int32_t k = 0; k < n.b; ++k) {
      EV v;
      if (!eval(arg(n, k), v)) return false;
      push(textOf(v));
    }
    return true;
  }
  EV v;
  if (!eval(index, v)) return false;
  out.push_back(textOf(v));
  return true;
}

}  // namespace shardproxy::router::inline_expr
