// Private to src/router: the syntax tree of an inline expression, which inline_parser builds and
// inline_eval walks; nodes live in one vector and refer to each other by index.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/inline_decimal.h"

namespace shardproxy::router::inline_expr {

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

// The name a call is written with, for messages.
const char* fnName(Fn fn);

// The operator as written, for messages.
const char* opName(BinOp op);

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

}  // namespace shardproxy::router::inline_expr
