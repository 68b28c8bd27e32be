#include "router/inline_parser.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "router/inline_java.h"
#include "router/inline_lexer.h"

namespace shardproxy::router::inline_expr {

namespace {

// Nesting of the parser (parentheses, calls, unary operators) and depth of the syntax tree; the
// evaluator recurses over the tree, so this also bounds its stack.
constexpr int kMaxDepth = 64;

class Parser {
 public:
  Parser(Compiled& im, std::string_view text) : im_(im), s_(text), lexer_(text) {}

  // Parses s_[pos..] as template text; fills im_.segments.
  bool parseTemplate(size_t pos) {
    std::string text;
    while (pos < s_.size()) {
      const char c = s_[pos];
      if (c == '$' && pos + 1 < s_.size() && s_[pos + 1] == '{') {
        if (!startPart(text, pos, pos + 2)) return false;
        pos = lexer_.position();
      } else if (c == '$' && s_.substr(pos, 4) == "$->{") {
        if (!startPart(text, pos, pos + 4)) return false;
        pos = lexer_.position();
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
  using TK = TokenKind;

  void flushText(std::string& text) {
    if (text.empty()) return;
    im_.segments.push_back(Segment{Segment::Kind::Text, std::move(text), -1});
    text.clear();
  }

  bool startPart(std::string& text, size_t dollar, size_t exprStart) {
    flushText(text);
    lexer_.seek(exprStart);
    nesting_ = 0;
    if (!advance()) return false;
    if (tok_.kind == TK::Op && tok_.text == "}")
      return fail("empty '${}'", static_cast<int32_t>(dollar));
    int32_t root = -1;
    if (!parseExpr(root)) return false;
    if (tok_.kind == TK::End) return fail("unclosed '${'", static_cast<int32_t>(dollar));
    if (!(tok_.kind == TK::Op && tok_.text == "}")) return unexpected();
    // The lexer is just past the '}'.
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

  bool advance() {
    if (lexer_.next(tok_)) return true;
    return fail(lexer_.errorMessage(), lexer_.errorOffset());
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
  Lexer lexer_;
  Token tok_;
  int nesting_ = 0;
  std::string err_;
  int32_t errOff_ = 0;
};

}  // namespace

Status parseTemplate(Compiled& im, std::string_view text, size_t start) {
  Parser parser(im, text);
  if (!parser.parseTemplate(start)) return im.error(parser.errorMessage(), parser.errorOffset());
  return Status::ok();
}

}  // namespace shardproxy::router::inline_expr
