#include "router/inline_expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <utility>

#include "router/inline_java.h"

namespace shardproxy::router {

namespace {

// Nesting of the parser (parentheses, calls, unary operators) and depth of the syntax tree; the
// evaluator recurses over the tree, so this also bounds its stack.
constexpr int kMaxDepth = 64;
// Most strings one item, or one range, may expand to.
constexpr size_t kMaxExpansion = size_t{1} << 20;
// Groovy: BigDecimalMath.DIVISION_EXTRA_PRECISION and DIVISION_MIN_SCALE.
constexpr int kDivisionExtraPrecision = 10;
constexpr int kDivisionMinScale = 10;

using i128 = __int128;
using u128 = unsigned __int128;

constexpr i128 kI128Max = static_cast<i128>((~u128{0}) >> 1);

u128 pow10u(int n) {
  u128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

std::string u128ToString(u128 v) {
  if (v == 0) return "0";
  char buf[48];
  int n = 0;
  while (v != 0) {
    buf[n++] = static_cast<char>('0' + static_cast<int>(v % 10));
    v /= 10;
  }
  std::string s(static_cast<size_t>(n), '0');
  for (int i = 0; i < n; ++i) s[static_cast<size_t>(i)] = buf[n - 1 - i];
  return s;
}

u128 absU(i128 v) { return v < 0 ? u128{0} - static_cast<u128>(v) : static_cast<u128>(v); }

// A BigDecimal small enough for 128-bit arithmetic (|unscaled| < 2^127).
struct Dec {
  i128 unscaled = 0;
  int32_t scale = 0;
};

std::string decToString(const Dec& d) {
  return java::formatDecimal(d.unscaled < 0, u128ToString(absU(d.unscaled)), d.scale);
}

// Decimal digits (no sign) to a magnitude; false beyond 2^127 - 1.
bool digitsToI128(std::string_view digits, i128& out) {
  u128 v = 0;
  for (char c : digits) {
    if (v > (static_cast<u128>(kI128Max) - 9) / 10) return false;
    v = v * 10 + static_cast<u128>(c - '0');
  }
  out = static_cast<i128>(v);
  return true;
}

bool partsToDec(const java::DecimalParts& p, Dec& out) {
  i128 mag = 0;
  if (!digitsToI128(p.digits, mag)) return false;
  out.unscaled = p.negative ? -mag : mag;
  out.scale = static_cast<int32_t>(p.scale);
  return true;
}

// Multiplies by 10^by (by >= 0); false on overflow.
bool scaleUp(i128 v, int64_t by, i128& out) {
  if (v == 0) {
    out = 0;
    return true;
  }
  if (by > 38) return false;
  i128 r = v;
  for (int64_t i = 0; i < by; ++i) {
    if (__builtin_mul_overflow(r, 10, &r)) return false;
  }
  out = r;
  return true;
}

bool align(const Dec& a, const Dec& b, i128& ua, i128& ub, int32_t& scale) {
  scale = std::max(a.scale, b.scale);
  return scaleUp(a.unscaled, int64_t{scale} - a.scale, ua) &&
         scaleUp(b.unscaled, int64_t{scale} - b.scale, ub);
}

// HALF_UP rounding of a digit string by dropping its last `drop` digits (drop may exceed the
// length: missing leading digits are zeros). Returns the kept digits, "0" when nothing is left.
std::string dropDigitsHalfUp(const std::string& digits, int64_t drop) {
  const auto len = static_cast<int64_t>(digits.size());
  if (drop <= 0) return digits;
  if (drop > len) return "0";
  std::string kept = digits.substr(0, static_cast<size_t>(len - drop));
  const bool up = digits[static_cast<size_t>(len - drop)] >= '5';
  if (kept.empty()) return up ? "1" : "0";
  if (up) {
    size_t i = kept.size();
    while (i > 0) {
      --i;
      if (kept[i] == '9') {
        kept[i] = '0';
      } else {
        ++kept[i];
        break;
      }
      if (i == 0) kept.insert(kept.begin(), '1');
    }
  }
  return kept;
}

std::string stripLeadingZeros(std::string s) {
  const size_t p = s.find_first_not_of('0');
  if (p == std::string::npos) return "0";
  s.erase(0, p);
  return s;
}

// ---------------------------------------------------------------------------------------------
// Syntax tree

enum class NodeKind : uint8_t {
  Int,   // Integer literal: i
  Long,  // Long literal: i
  Dec,   // BigDecimal literal: dec
  Str,   // string literal: strings[str]
  Bool,  // i
  Null,
  Var,  // strings[str]
  Neg,
  Plus,
  Not,
  Binary,  // op, a, b
  And,
  Or,
  Cond,   // a ? b : c
  Elvis,  // a ?: b
  Range,  // a .. b (exclusive: ..<)
  List,   // args[a .. a+b)
  Call,   // fn, args[a .. a+b)
};

enum class BinOp : uint8_t { Add, Sub, Mul, Div, Mod, Eq, Ne, Lt, Le, Gt, Ge };

enum class Fn : uint8_t {
  FloorMod,
  FloorDiv,
  Abs,
  IntegerValueOf,
  LongValueOf,
  StringValueOf,
  HashCode,
  LongValue,
  IntValue,
  ToString,
  Substring,
  Intdiv,
  Length,
};

const char* fnName(Fn fn) {
  switch (fn) {
    case Fn::FloorMod:
      return "Math.floorMod";
    case Fn::FloorDiv:
      return "Math.floorDiv";
    case Fn::Abs:
      return "Math.abs";
    case Fn::IntegerValueOf:
      return "Integer.valueOf";
    case Fn::LongValueOf:
      return "Long.valueOf";
    case Fn::StringValueOf:
      return "String.valueOf";
    case Fn::HashCode:
      return "hashCode";
    case Fn::LongValue:
      return "longValue";
    case Fn::IntValue:
      return "intValue";
    case Fn::ToString:
      return "toString";
    case Fn::Substring:
      return "substring";
    case Fn::Intdiv:
      return "intdiv";
    case Fn::Length:
      return "length";
  }
  return "?";
}

const char* opName(BinOp op) {
  switch (op) {
    case BinOp::Add:
      return "+";
    case BinOp::Sub:
      return "-";
    case BinOp::Mul:
      return "*";
    case BinOp::Div:
      return "/";
    case BinOp::Mod:
      return "%";
    case BinOp::Eq:
      return "==";
    case BinOp::Ne:
      return "!=";
    case BinOp::Lt:
      return "<";
    case BinOp::Le:
      return "<=";
    case BinOp::Gt:
      return ">";
    case BinOp::Ge:
      return ">=";
  }
  return "?";
}

struct Node {
  NodeKind kind = NodeKind::Null;
  BinOp op = BinOp::Add;
  Fn fn = Fn::HashCode;
  bool exclusive = false;  // Range
  int32_t offset = 0;      // in the whole expression text, for messages
  int32_t depth = 1;
  int32_t a = -1;
  int32_t b = -1;
  int32_t c = -1;
  int32_t str = -1;
  int64_t i = 0;
  Dec dec;
};

// A piece of the expression text outside `${}`, a `${}` part, or a top-level comma.
struct Segment {
  enum class Kind : uint8_t { Text, Part, Comma };
  Kind kind = Kind::Text;
  std::string text;
  int32_t node = -1;
};

// ---------------------------------------------------------------------------------------------
// Values during evaluation

struct EV {
  enum class K : uint8_t { Null, Bool, Int, Long, Dec, Str };
  K k = K::Null;
  bool decOk = true;  // Dec: `d` holds it (false for a variable too large for 128 bits)
  int64_t i = 0;      // Bool, Int, Long
  Dec d;
  const std::string* ref = nullptr;  // Str (or a Dec variable's canonical text) owned elsewhere
  std::string own;

  std::string_view str() const { return ref != nullptr ? std::string_view(*ref) : own; }
  bool isNumber() const { return k == K::Int || k == K::Long || k == K::Dec; }
  bool isIntegral() const { return k == K::Int || k == K::Long; }
};

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

void trimJava(std::string& s, bool front, bool back) {
  // String.trim(): every char <= U+0020.
  if (back) {
    while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.pop_back();
  }
  if (front) {
    size_t p = 0;
    while (p < s.size() && static_cast<unsigned char>(s[p]) <= 0x20) ++p;
    s.erase(0, p);
  }
}

// The parsed expression: the syntax tree, immutable once parsed.
struct Compiled {
  std::string text;
  bool literal = false;
  std::vector<std::string> literalItems;  // <LITERAL>
  std::string literalRest;                // <LITERAL>: the text after the prefix
  std::vector<Node> nodes;
  std::vector<int32_t> args;
  std::vector<std::string> strings;
  std::vector<Segment> segments;
  std::vector<std::string> variables;

  Status error(std::string_view what, int32_t offset) const {
    return makeError(er::kUnknownError, "inline expression '" + text + "': " + std::string(what) +
                                            " at offset " + std::to_string(offset));
  }
};

// ---------------------------------------------------------------------------------------------
// Parser

class Parser {
 public:
  Parser(Compiled& im, std::string_view text) : im_(im), s_(text) {}

  // Parses s_[pos..] as template text; fills im_.segments.
  bool parseTemplate(size_t pos) {
    std::string text;
    while (pos < s_.size()) {
      const char c = s_[pos];
      if (c == '$' && pos + 1 < s_.size() && s_[pos + 1] == '{') {
        if (!startPart(text, pos, pos + 2)) return false;
        pos = pos_;
      } else if (c == '$' && s_.substr(pos, 4) == "$->{") {
        if (!startPart(text, pos, pos + 4)) return false;
        pos = pos_;
      } else if (c == ',') {
        flushText(text);
        im_.segments.push_back(Segment{Segment::Kind::Comma, ",", -1});
        ++pos;
      } else {
        text.push_back(c);
        ++pos;
      }
    }
    flushText(text);
    return true;
  }

  const std::string& errorMessage() const { return err_; }
  int32_t errorOffset() const { return errOff_; }

 private:
  enum class TK : uint8_t { End, Num, Str, Ident, Op, Unsupported, Bad };
  struct Token {
    TK kind = TK::End;
    int32_t off = 0;
    std::string_view text;  // the token as written
    std::string value;      // Str: decoded value
  };

  void flushText(std::string& text) {
    if (text.empty()) return;
    im_.segments.push_back(Segment{Segment::Kind::Text, std::move(text), -1});
    text.clear();
  }

  bool startPart(std::string& text, size_t dollar, size_t exprStart) {
    flushText(text);
    pos_ = exprStart;
    nesting_ = 0;
    if (!advance()) return false;
    if (tok_.kind == TK::Op && tok_.text == "}")
      return fail("empty '${}'", static_cast<int32_t>(dollar));
    int32_t root = -1;
    if (!parseExpr(root)) return false;
    if (tok_.kind == TK::End) return fail("unclosed '${'", static_cast<int32_t>(dollar));
    if (!(tok_.kind == TK::Op && tok_.text == "}")) return unexpected();
    // pos_ is just past the '}'.
    im_.segments.push_back(Segment{Segment::Kind::Part, {}, root});
    return true;
  }

  bool fail(std::string msg, int32_t off) {
    if (err_.empty()) {
      err_ = std::move(msg);
      errOff_ = off;
    }
    return false;
  }

  bool unexpected() {
    switch (tok_.kind) {
      case TK::End:
        return fail("unexpected end of expression", tok_.off);
      case TK::Unsupported:
        return fail("unsupported operator '" + std::string(tok_.text) + "'", tok_.off);
      default:
        return fail("unexpected '" + std::string(tok_.text) + "'", tok_.off);
    }
  }

  bool isOp(std::string_view op) const { return tok_.kind == TK::Op && tok_.text == op; }

  // --- lexer ---------------------------------------------------------------------------------

  static bool identStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
  }
  static bool identPart(char c) { return identStart(c) || (c >= '0' && c <= '9'); }

  bool advance() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
    tok_.off = static_cast<int32_t>(pos_);
    tok_.value.clear();
    if (pos_ >= s_.size()) {
      tok_.kind = TK::End;
      tok_.text = {};
      return true;
    }
    const char c = s_[pos_];
    const size_t start = pos_;
    if (c >= '0' && c <= '9') {
      // Digits, optional fraction (only when a digit follows the '.', so 0..9 is a range),
      // exponent, and suffix letters; checked when parsed.
      while (pos_ < s_.size() && (identPart(s_[pos_]))) ++pos_;
      if (pos_ + 1 < s_.size() && s_[pos_] == '.' && s_[pos_ + 1] >= '0' && s_[pos_ + 1] <= '9') {
        ++pos_;
        while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
      }
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-') &&
          (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E')) {
        // An exponent sign: "1e-3". Only when the token so far is a plain decimal mantissa.
        bool mantissa = true;
        for (size_t k = start; k + 1 < pos_; ++k) {
          if (!((s_[k] >= '0' && s_[k] <= '9') || s_[k] == '.')) mantissa = false;
        }
        if (mantissa) {
          ++pos_;
          while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
        }
      }
      tok_.kind = TK::Num;
      tok_.text = s_.substr(start, pos_ - start);
      return true;
    }
    if (identStart(c)) {
      while (pos_ < s_.size() && identPart(s_[pos_])) ++pos_;
      tok_.kind = TK::Ident;
      tok_.text = s_.substr(start, pos_ - start);
      return true;
    }
    if (c == '\'' || c == '"') return lexString(c);
    static constexpr std::string_view kUnsupported[] = {
        ">>>=", "<=>", "**=", "==~", "<<=", ">>=", ">>>", "**", "<<", ">>", "=~", "?.", "*.",
        ".&",   ".@",  "->",  "++",  "--",  "+=",  "-=",  "*=", "/=", "%=", "&=", "|=", "^=",
        "?[",   "&",   "|",   "^",   "~",   "=",   "{",   ";",  "@",  "#",  "$",  "\\", "`"};
    static constexpr std::string_view kSupported[] = {
        "..<", "..", "?:", "==", "!=", "<=", ">=", "&&", "||", "(", ")", "[", "]",
        ",",   ".",  "?",  ":",  "+",  "-",  "*",  "/",  "%",  "<", ">", "!", "}"};
    // Longest match first across both tables.
    for (size_t len = 4; len >= 1; --len) {
      if (pos_ + len > s_.size()) continue;
      const std::string_view cand = s_.substr(pos_, len);
      for (std::string_view op : kUnsupported) {
        if (op == cand) {
          pos_ += len;
          tok_.kind = TK::Unsupported;
          tok_.text = cand;
          return true;
        }
      }
      for (std::string_view op : kSupported) {
        if (op == cand) {
          pos_ += len;
          tok_.kind = TK::Op;
          tok_.text = cand;
          return true;
        }
      }
    }
    tok_.kind = TK::Bad;
    tok_.text = s_.substr(pos_, 1);
    return fail("unexpected character '" + std::string(tok_.text) + "'", tok_.off);
  }

  static void appendUtf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  bool lexString(char quote) {
    const size_t start = pos_;
    ++pos_;
    std::string value;
    while (true) {
      if (pos_ >= s_.size())
        return fail("unterminated string literal", static_cast<int32_t>(start));
      const char c = s_[pos_];
      if (c == quote) {
        ++pos_;
        break;
      }
      if (c == '$' && quote == '"') {
        return fail("interpolation inside a string literal is unsupported",
                    static_cast<int32_t>(pos_));
      }
      if (c == '\\') {
        if (pos_ + 1 >= s_.size())
          return fail("unterminated string literal", static_cast<int32_t>(start));
        const char e = s_[pos_ + 1];
        pos_ += 2;
        switch (e) {
          case 'n':
            value.push_back('\n');
            break;
          case 't':
            value.push_back('\t');
            break;
          case 'r':
            value.push_back('\r');
            break;
          case 'b':
            value.push_back('\b');
            break;
          case 'f':
            value.push_back('\f');
            break;
          case '\\':
            value.push_back('\\');
            break;
          case '\'':
            value.push_back('\'');
            break;
          case '"':
            value.push_back('"');
            break;
          case '$':
            value.push_back('$');
            break;
          case 'u': {
            uint32_t cp = 0;
            for (int k = 0; k < 4; ++k) {
              if (pos_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[pos_]))) {
                return fail("bad \\u escape", static_cast<int32_t>(pos_));
              }
              const char h = s_[pos_++];
              cp = cp * 16 + static_cast<uint32_t>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
            }
            appendUtf8(value, cp);
            break;
          }
          default:
            return fail(std::string("unsupported escape '\\") + e + "'",
                        static_cast<int32_t>(pos_ - 2));
        }
        continue;
      }
      value.push_back(c);
      ++pos_;
    }
    tok_.kind = TK::Str;
    tok_.text = s_.substr(start, pos_ - start);
    tok_.value = std::move(value);
    return true;
  }

  // --- nodes ---------------------------------------------------------------------------------

  bool add(Node n, int32_t& out) {
    int32_t depth = 0;
    for (int32_t child : {n.a, n.b, n.c}) {
      if (child >= 0 && n.kind != NodeKind::List && n.kind != NodeKind::Call) {
        depth = std::max(depth, im_.nodes[static_cast<size_t>(child)].depth);
      }
    }
    if (n.kind == NodeKind::List || n.kind == NodeKind::Call) {
      for (int32_t k = 0; k < n.b; ++k) {
        const int32_t child = im_.args[static_cast<size_t>(n.a + k)];
        depth = std::max(depth, im_.nodes[static_cast<size_t>(child)].depth);
      }
    }
    n.depth = depth + 1;
    if (n.depth > kMaxDepth) {
      return fail("expression nested deeper than " + std::to_string(kMaxDepth), n.offset);
    }
    out = static_cast<int32_t>(im_.nodes.size());
    im_.nodes.push_back(n);
    return true;
  }

  // A range or list is a set of values: only a whole `${}` part may be one.
  bool single(int32_t node) {
    const Node& n = im_.nodes[static_cast<size_t>(node)];
    if (n.kind == NodeKind::Range || n.kind == NodeKind::List) {
      return fail(std::string(n.kind == NodeKind::Range ? "a range" : "a list") +
                      " can only be a whole '${}' part",
                  n.offset);
    }
    return true;
  }

  bool binary(NodeKind kind, BinOp op, int32_t off, int32_t l, int32_t r, int32_t& out) {
    if (!single(l) || !single(r)) return false;
    Node n;
    n.kind = kind;
    n.op = op;
    n.offset = off;
    n.a = l;
    n.b = r;
    return add(n, out);
  }

  struct Enter {
    explicit Enter(int& n) : n_(n) { ++n_; }
    ~Enter() { --n_; }
    int& n_;
  };

  // --- grammar (Groovy precedence, lowest first) -------------------------------------------

  bool parseExpr(int32_t& out) {
    Enter enter(nesting_);
    if (nesting_ > kMaxDepth) {
      return fail("expression nested deeper than " + std::to_string(kMaxDepth), tok_.off);
    }
    int32_t cond = -1;
    if (!parseOr(cond)) return false;
    if (isOp("?:")) {
      const int32_t off = tok_.off;
      if (!advance()) return false;
      int32_t other = -1;
      if (!parseExpr(other)) return false;
      if (!single(cond) || !single(other)) return false;
      Node n;
      n.kind = NodeKind::Elvis;
      n.offset = off;
      n.a = cond;
      n.b = other;
      return add(n, out);
    }
    if (isOp("?")) {
      const int32_t off = tok_.off;
      if (!advance()) return false;
      int32_t yes = -1;
      int32_t no = -1;
      if (!parseExpr(yes)) return false;
      if (!isOp(":")) return unexpected();
      if (!advance()) return false;
      if (!parseExpr(no)) return false;
      if (!single(cond) || !single(yes) || !single(no)) return false;
      Node n;
      n.kind = NodeKind::Cond;
      n.offset = off;
      n.a = cond;
      n.b = yes;
      n.c = no;
      return add(n, out);
    }
    out = cond;
    return true;
  }

  bool parseOr(int32_t& out) {
    if (!parseAnd(out)) return false;
    while (isOp("||")) {
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseAnd(r)) return false;
      if (!binary(NodeKind::Or, BinOp::Eq, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseAnd(int32_t& out) {
    if (!parseEquality(out)) return false;
    while (isOp("&&")) {
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseEquality(r)) return false;
      if (!binary(NodeKind::And, BinOp::Eq, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseEquality(int32_t& out) {
    if (!parseRelational(out)) return false;
    while (isOp("==") || isOp("!=")) {
      const BinOp op = tok_.text == "==" ? BinOp::Eq : BinOp::Ne;
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseRelational(r)) return false;
      if (!binary(NodeKind::Binary, op, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseRelational(int32_t& out) {
    if (!parseRange(out)) return false;
    while (isOp("<") || isOp("<=") || isOp(">") || isOp(">=")) {
      const BinOp op = tok_.text == "<"    ? BinOp::Lt
                       : tok_.text == "<=" ? BinOp::Le
                       : tok_.text == ">"  ? BinOp::Gt
                                           : BinOp::Ge;
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseRange(r)) return false;
      if (!binary(NodeKind::Binary, op, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseRange(int32_t& out) {
    if (!parseAdditive(out)) return false;
    if (isOp("..") || isOp("..<")) {
      const bool exclusive = tok_.text == "..<";
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseAdditive(r)) return false;
      if (!single(out) || !single(r)) return false;
      Node n;
      n.kind = NodeKind::Range;
      n.exclusive = exclusive;
      n.offset = off;
      n.a = out;
      n.b = r;
      if (!add(n, out)) return false;
      if (isOp("..") || isOp("..<")) return unexpected();
    }
    return true;
  }

  bool parseAdditive(int32_t& out) {
    if (!parseMultiplicative(out)) return false;
    while (isOp("+") || isOp("-")) {
      const BinOp op = tok_.text == "+" ? BinOp::Add : BinOp::Sub;
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseMultiplicative(r)) return false;
      if (!binary(NodeKind::Binary, op, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseMultiplicative(int32_t& out) {
    if (!parseUnary(out)) return false;
    while (isOp("*") || isOp("/") || isOp("%")) {
      const BinOp op = tok_.text == "*" ? BinOp::Mul : tok_.text == "/" ? BinOp::Div : BinOp::Mod;
      const int32_t off = tok_.off;
      int32_t r = -1;
      if (!advance() || !parseUnary(r)) return false;
      if (!binary(NodeKind::Binary, op, off, out, r, out)) return false;
    }
    return true;
  }

  bool parseUnary(int32_t& out) {
    if (isOp("-") || isOp("+") || isOp("!")) {
      Enter enter(nesting_);
      if (nesting_ > kMaxDepth) {
        return fail("expression nested deeper than " + std::to_string(kMaxDepth), tok_.off);
      }
      const NodeKind kind = tok_.text == "-"   ? NodeKind::Neg
                            : tok_.text == "+" ? NodeKind::Plus
                                               : NodeKind::Not;
      const int32_t off = tok_.off;
      int32_t operand = -1;
      if (!advance() || !parseUnary(operand)) return false;
      if (!single(operand)) return false;
      Node n;
      n.kind = kind;
      n.offset = off;
      n.a = operand;
      return add(n, out);
    }
    return parsePostfix(out);
  }

  // Comma-separated expressions up to `close`, the current token being the first after the
  // opening bracket. Appends their nodes to im_.args (contiguous).
  bool parseArgs(std::string_view close, int32_t& first, int32_t& count) {
    std::vector<int32_t> items;
    if (!isOp(close)) {
      while (true) {
        int32_t e = -1;
        if (!parseExpr(e)) return false;
        if (!single(e)) return false;
        items.push_back(e);
        if (isOp(",")) {
          if (!advance()) return false;
          continue;
        }
        break;
      }
    }
    if (!isOp(close)) return unexpected();
    if (!advance()) return false;
    first = static_cast<int32_t>(im_.args.size());
    count = static_cast<int32_t>(items.size());
    im_.args.insert(im_.args.end(), items.begin(), items.end());
    return true;
  }

  bool makeCall(Fn fn, int32_t off, int32_t target, int minArgs, int maxArgs, int32_t& out) {
    // The current token is '(' of the call.
    if (!isOp("(")) return fail(std::string("expected '(' after '") + fnName(fn) + "'", tok_.off);
    if (!advance()) return false;
    std::vector<int32_t> all;
    if (target >= 0) {
      if (!single(target)) return false;
      all.push_back(target);
    }
    int32_t first = -1;
    int32_t count = 0;
    if (!parseArgs(")", first, count)) return false;
    if (count < minArgs || count > maxArgs) {
      return fail(std::string("wrong number of arguments for '") + fnName(fn) + "'", off);
    }
    for (int32_t k = 0; k < count; ++k) all.push_back(im_.args[static_cast<size_t>(first + k)]);
    im_.args.resize(static_cast<size_t>(first));
    Node n;
    n.kind = NodeKind::Call;
    n.fn = fn;
    n.offset = off;
    n.a = static_cast<int32_t>(im_.args.size());
    n.b = static_cast<int32_t>(all.size());
    im_.args.insert(im_.args.end(), all.begin(), all.end());
    return add(n, out);
  }

  bool parsePostfix(int32_t& out) {
    if (!parsePrimary(out)) return false;
    while (isOp(".")) {
      if (!advance()) return false;
      if (tok_.kind != TK::Ident) return unexpected();
      const std::string_view name = tok_.text;
      const int32_t off = tok_.off;
      if (!advance()) return false;
      if (!isOp("(")) {
        return fail("unsupported property access '." + std::string(name) + "'", off);
      }
      struct M {
        std::string_view name;
        Fn fn;
        int minArgs;
        int maxArgs;
      };
      static constexpr M kMethods[] = {
          {"hashCode", Fn::HashCode, 0, 0},   {"longValue", Fn::LongValue, 0, 0},
          {"intValue", Fn::IntValue, 0, 0},   {"toString", Fn::ToString, 0, 0},
          {"substring", Fn::Substring, 1, 2}, {"intdiv", Fn::Intdiv, 1, 1},
          {"length", Fn::Length, 0, 0},
      };
      const M* found = nullptr;
      for (const M& m : kMethods) {
        if (m.name == name) found = &m;
      }
      if (found == nullptr) return fail("unknown method '" + std::string(name) + "'", off);
      if (!makeCall(found->fn, off, out, found->minArgs, found->maxArgs, out)) return false;
    }
    if (isOp("[")) return fail("unsupported operator '['", tok_.off);
    return true;
  }

  bool parseNumber(int32_t& out) {
    const std::string_view t = tok_.text;
    const int32_t off = tok_.off;
    Node n;
    n.offset = off;
    std::string body(t);
    char suffix = 0;
    const char last = body.back();
    const bool hex = body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X');
    if (!hex && std::string_view("lLiIgGdDfF").find(last) != std::string_view::npos) {
      suffix = static_cast<char>(last | 0x20);
      body.pop_back();
    } else if (hex && (last == 'l' || last == 'L' || last == 'g' || last == 'G')) {
      suffix = static_cast<char>(last | 0x20);
      body.pop_back();
    }
    body.erase(std::remove(body.begin(), body.end(), '_'), body.end());
    if (suffix == 'd' || suffix == 'f') {
      return fail("unsupported floating-point literal '" + std::string(t) + "'", off);
    }
    const bool decimal = !hex && body.find_first_of(".eE") != std::string::npos;
    if (decimal) {
      java::DecimalParts p;
      if (suffix == 'l' || suffix == 'i' || !java::parseDecimal(body, p) || body[0] == '+' ||
          body[0] == '-') {
        return fail("bad number '" + std::string(t) + "'", off);
      }
      if (!partsToDec(p, n.dec)) return fail("number too large '" + std::string(t) + "'", off);
      n.kind = NodeKind::Dec;
      return add(n, out);
    }
    // Integer literal: decimal, 0x hex, or 0-prefixed octal (Groovy).
    int base = 10;
    std::string_view digits = body;
    if (hex) {
      base = 16;
      digits.remove_prefix(2);
    } else if (body.size() > 1 && body[0] == '0') {
      base = 8;
      digits.remove_prefix(1);
    }
    u128 v = 0;
    if (digits.empty()) return fail("bad number '" + std::string(t) + "'", off);
    for (char c : digits) {
      int d = -1;
      if (c >= '0' && c <= '9') d = c - '0';
      if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      if (d < 0 || d >= base) return fail("bad number '" + std::string(t) + "'", off);
      if (v > (static_cast<u128>(kI128Max) - static_cast<u128>(d)) / static_cast<u128>(base)) {
        return fail("number too large '" + std::string(t) + "'", off);
      }
      v = v * static_cast<u128>(base) + static_cast<u128>(d);
    }
    if (suffix == 'g' || v > static_cast<u128>(std::numeric_limits<int64_t>::max())) {
      if (suffix == 'i' || suffix == 'l')
        return fail("number too large '" + std::string(t) + "'", off);
      n.kind = NodeKind::Dec;  // a BigInteger, kept as a BigDecimal of scale 0
      n.dec = Dec{static_cast<i128>(v), 0};
      return add(n, out);
    }
    const bool fitsInt = v <= static_cast<u128>(std::numeric_limits<int32_t>::max());
    if (suffix == 'i' && !fitsInt) return fail("number too large '" + std::string(t) + "'", off);
    n.kind = (suffix == 'l' || !fitsInt) ? NodeKind::Long : NodeKind::Int;
    n.i = static_cast<int64_t>(v);
    return add(n, out);
  }

  bool parsePrimary(int32_t& out) {
    const int32_t off = tok_.off;
    switch (tok_.kind) {
      case TK::End:
      case TK::Unsupported:
      case TK::Bad:
        return unexpected();
      case TK::Num: {
        if (!parseNumber(out)) return false;
        return advance();
      }
      case TK::Str: {
        Node n;
        n.kind = NodeKind::Str;
        n.offset = off;
        n.str = static_cast<int32_t>(im_.strings.size());
        im_.strings.push_back(std::move(tok_.value));
        if (!add(n, out)) return false;
        return advance();
      }
      case TK::Op:
        if (isOp("(")) {
          if (!advance()) return false;
          if (!parseExpr(out)) return false;
          if (!isOp(")")) return unexpected();
          return advance();
        }
        if (isOp("[")) {
          if (!advance()) return false;
          Node n;
          n.kind = NodeKind::List;
          n.offset = off;
          if (!parseArgs("]", n.a, n.b)) return false;
          return add(n, out);
        }
        return unexpected();
      case TK::Ident:
        break;
    }
    const std::string_view name = tok_.text;
    if (!advance()) return false;
    Node n;
    n.offset = off;
    if (name == "true" || name == "false") {
      n.kind = NodeKind::Bool;
      n.i = name == "true" ? 1 : 0;
      return add(n, out);
    }
    if (name == "null") {
      n.kind = NodeKind::Null;
      return add(n, out);
    }
    static constexpr std::string_view kKeywords[] = {"new", "in",   "instanceof", "as",
                                                     "def", "this", "super",      "return",
                                                     "if",  "for",  "while",      "class"};
    for (std::string_view kw : kKeywords) {
      if (kw == name) return fail("unsupported keyword '" + std::string(name) + "'", off);
    }
    if (isOp("(")) return fail("unknown method '" + std::string(name) + "'", off);
    if (name == "Math" || name == "Integer" || name == "Long" || name == "String") {
      if (!isOp(".")) return fail("unsupported use of class '" + std::string(name) + "'", off);
      if (!advance()) return false;
      if (tok_.kind != TK::Ident) return unexpected();
      const std::string full = std::string(name) + "." + std::string(tok_.text);
      if (!advance()) return false;
      struct S {
        std::string_view name;
        Fn fn;
        int args;
      };
      static constexpr S kStatics[] = {
          {"Math.floorMod", Fn::FloorMod, 2},
          {"Math.floorDiv", Fn::FloorDiv, 2},
          {"Math.abs", Fn::Abs, 1},
          {"Integer.valueOf", Fn::IntegerValueOf, 1},
          {"Long.valueOf", Fn::LongValueOf, 1},
          {"String.valueOf", Fn::StringValueOf, 1},
      };
      for (const S& s : kStatics) {
        if (s.name == full) return makeCall(s.fn, off, -1, s.args, s.args, out);
      }
      return fail("unknown method '" + full + "'", off);
    }
    n.kind = NodeKind::Var;
    n.str = static_cast<int32_t>(im_.strings.size());
    im_.strings.emplace_back(name);
    return add(n, out);
  }

  Compiled& im_;
  std::string_view s_;
  size_t pos_ = 0;
  Token tok_;
  int nesting_ = 0;
  std::string err_;
  int32_t errOff_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Evaluator

class Evaluator {
 public:
  Evaluator(const Compiled& im, const std::map<std::string, Value>* vars) : im_(im), vars_(vars) {}

  bool eval(int32_t index, EV& out);

  // Values of a `${}` part for expand(): a range or list gives several.
  bool evalMany(int32_t index, std::vector<std::string>& out);

  Status status() const { return im_.error(err_, errOff_); }

 private:
  bool fail(std::string msg, int32_t off) {
    err_ = std::move(msg);
    errOff_ = off;
    return false;
  }

  const Node& node(int32_t i) const { return im_.nodes[static_cast<size_t>(i)]; }
  int32_t arg(const Node& n, int32_t k) const { return im_.args[static_cast<size_t>(n.a + k)]; }

  bool toDec(const EV& v, const Node& n, Dec& out) {
    if (v.k == EV::K::Dec) {
      if (!v.decOk) return fail("decimal " + textOf(v) + " too large for arithmetic", n.offset);
      out = v.d;
      return true;
    }
    out = Dec{v.i, 0};
    return true;
  }

  bool decResult(const std::string& digits, bool negative, int64_t scale, const Node& n, EV& out) {
    i128 mag = 0;
    if (!digitsToI128(digits, mag) || scale < std::numeric_limits<int32_t>::min() ||
        scale > std::numeric_limits<int32_t>::max()) {
      return fail("decimal result out of range", n.offset);
    }
    out = makeDec(Dec{negative ? -mag : mag, static_cast<int32_t>(scale)});
    return true;
  }

  bool arithmetic(const Node& n, const EV& l, const EV& r, EV& out);
  bool divide(const Node& n, const EV& l, const EV& r, EV& out);
  bool remainder(const Node& n, const EV& l, const EV& r, EV& out);
  bool call(const Node& n, EV& out);
  bool compareValues(const Node& n, const EV& l, const EV& r, int& out);

  const Compiled& im_;
  const std::map<std::string, Value>* vars_;
  std::string err_;
  int32_t errOff_ = 0;
};

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

// Low 64 bits of the integer part of a decimal (BigDecimal.longValue / intValue).
int64_t decTruncLow64(const Dec& d) {
  i128 v = d.unscaled;
  if (d.scale > 0) {
    if (d.scale > 38) return 0;
    v /= static_cast<i128>(pow10u(d.scale));
  } else if (d.scale < 0) {
    if (d.scale < -128) return 0;  // a multiple of 2^128: no low bits left
    u128 m = static_cast<u128>(v);
    for (int k = 0; k < -d.scale; ++k) m *= 10;  // wraps: only the low bits matter
    return static_cast<int64_t>(static_cast<uint64_t>(m));
  }
  return static_cast<int64_t>(static_cast<uint64_t>(static_cast<u128>(v)));
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
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return out;
}

int64_t utf16Length(std::string_view s) {
  int64_t n = 0;
  java::forEachUtf16(s, [&n](uint16_t) { ++n; });
  return n;
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

}  // namespace

// ---------------------------------------------------------------------------------------------

struct InlineExpression::Impl : Compiled {};

InlineExpression::InlineExpression(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
InlineExpression::InlineExpression(InlineExpression&&) noexcept = default;
InlineExpression& InlineExpression::operator=(InlineExpression&&) noexcept = default;
InlineExpression::~InlineExpression() = default;

Result<InlineExpression> InlineExpression::parse(std::string_view text) {
  auto impl = std::make_unique<Impl>();
  impl->text = std::string(text);
  if (text.size() > static_cast<size_t>(std::numeric_limits<int32_t>::max() / 2)) {
    return impl->error("expression too long", 0);
  }
  // ShardingSphere's InlineExpressionParserFactory: "<TYPE>" at the very start picks the parser.
  size_t start = 0;
  if (!text.empty() && text[0] == '<') {
    const size_t close = text.find('>');
    if (close != std::string_view::npos) {
      const std::string_view type = text.substr(1, close - 1);
      if (type == "LITERAL") {
        impl->literal = true;
        impl->literalRest = std::string(text.substr(close + 1));
        // Guava Splitter.on(',').trimResults(): every piece, trimmed, empty ones kept.
        if (!impl->literalRest.empty()) {
          size_t from = 0;
          while (true) {
            const size_t comma = impl->literalRest.find(',', from);
            std::string item = impl->literalRest.substr(
                from, comma == std::string::npos ? std::string::npos : comma - from);
            trimJava(item, true, true);
            impl->literalItems.push_back(std::move(item));
            if (comma == std::string::npos) break;
            from = comma + 1;
          }
        }
        return InlineExpression(std::move(impl));
      }
      if (type != "GROOVY") {
        return impl->error("unsupported inline expression type '<" + std::string(type) + ">'", 0);
      }
      start = close + 1;
    }
  }
  Parser parser(*impl, text);
  if (!parser.parseTemplate(start)) {
    return impl->error(parser.errorMessage(), parser.errorOffset());
  }
  for (const Node& n : impl->nodes) {
    if (n.kind == NodeKind::Var)
      impl->variables.push_back(impl->strings[static_cast<size_t>(n.str)]);
  }
  std::sort(impl->variables.begin(), impl->variables.end());
  impl->variables.erase(std::unique(impl->variables.begin(), impl->variables.end()),
                        impl->variables.end());
  return InlineExpression(std::move(impl));
}

Result<std::vector<std::string>> InlineExpression::expand() const {
  const Impl& im = *impl_;
  if (im.literal) return im.literalItems;
  std::vector<std::string> result;
  if (im.segments.empty()) return result;  // ShardingSphere: an empty expression denotes nothing
  Evaluator ev(im, nullptr);
  // Items are the segments between top-level commas. ShardingSphere drops only a last item
  // whose raw text is empty ("a," is one item, "a, " two).
  const auto& segs = im.segments;
  size_t begin = 0;
  while (begin <= segs.size()) {
    size_t end = begin;
    while (end < segs.size() && segs[end].kind != Segment::Kind::Comma) ++end;
    const bool last = end == segs.size();
    if (last && begin == end && !segs.empty()) break;  // nothing after the last comma
    // Each piece: its possible texts (one for literal text).
    std::vector<std::vector<std::string>> pieces;
    for (size_t k = begin; k < end; ++k) {
      std::vector<std::string> values;
      if (segs[k].kind == Segment::Kind::Text) {
        std::string t = segs[k].text;
        trimJava(t, k == begin, k + 1 == end);
        values.push_back(std::move(t));
      } else if (!ev.evalMany(segs[k].node, values)) {
        return ev.status();
      }
      pieces.push_back(std::move(values));
    }
    size_t total = 1;
    for (const auto& p : pieces) {
      if (p.empty()) {
        total = 0;
        break;
      }
      if (total > kMaxExpansion / p.size()) {
        return im.error("expands to more than 2^20 values", 0);
      }
      total *= p.size();
    }
    if (result.size() + total > kMaxExpansion) {
      return im.error("expands to more than 2^20 values", 0);
    }
    // Cartesian product, the leftmost piece varying slowest (Guava Sets.cartesianProduct).
    std::vector<size_t> idx(pieces.size(), 0);
    for (size_t count = 0; count < total; ++count) {
      std::string s;
      for (size_t p = 0; p < pieces.size(); ++p) s += pieces[p][idx[p]];
      result.push_back(std::move(s));
      for (size_t p = pieces.size(); p > 0; --p) {
        if (++idx[p - 1] < pieces[p - 1].size()) break;
        idx[p - 1] = 0;
      }
    }
    if (last) break;
    begin = end + 1;
  }
  return result;
}

Result<std::string> InlineExpression::evaluate(
    const std::map<std::string, Value>& variables) const {
  const Impl& im = *impl_;
  if (im.literal) return im.literalRest;
  // The whole text is one Groovy string here (ShardingSphere's evaluateWithArgs): commas are
  // text, and the ends are trimmed as the INLINE algorithm trims its expression.
  Evaluator ev(im, &variables);
  std::string out;
  const auto& segs = im.segments;
  for (size_t k = 0; k < segs.size(); ++k) {
    const Segment& seg = segs[k];
    if (seg.kind == Segment::Kind::Part) {
      EV v;
      if (!ev.eval(seg.node, v)) return ev.status();
      appendText(v, out);
    } else if (k == 0 || k + 1 == segs.size()) {
      std::string t = seg.text;
      trimJava(t, k == 0, k + 1 == segs.size());
      out += t;
    } else {
      out += seg.text;
    }
  }
  return out;
}

const std::vector<std::string>& InlineExpression::variables() const { return impl_->variables; }

const std::string& InlineExpression::text() const { return impl_->text; }

}  // namespace shardproxy::router
