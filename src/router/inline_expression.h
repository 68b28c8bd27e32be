// ShardingSphere inline expressions, the Groovy subset its users write: `ds_${0..1}.t_order_$->{0..7}`
// for data nodes, `t_order_${order_id % 8}` for the INLINE algorithm. Parsed once at config
// load; an unsupported construct is an error there, naming it.
//
// Supported: text with `${...}` / `$->{...}` parts; inside: integer and string literals ('a',
// "a"), ranges `a..b` (either direction), lists `['a', 'b']`, variables (sharding columns),
// parentheses, + - * / % with Java integer semantics (overflow wraps, `%` takes the dividend's
// sign; `/` as Groovy: exact for integers that divide, else a decimal), + on strings
// concatenates, comparison and ?: , and the calls `Math.floorMod`, `Math.floorDiv`, `Math.abs`,
// `x.hashCode()`, `Integer.valueOf(x)`, `Long.valueOf(x)`, `x.longValue()`, `x.intValue()`,
// `x.toString()`, `x.substring(a[, b])`, `x.intdiv(y)`, `String.valueOf(x)`. A top-level comma
// separates items (`ds_0.t_${0..1}, ds_1.t_${2..3}`). A `<LITERAL>` prefix takes the rest as
// plain comma-separated text; `<GROOVY>` is the default and may be written.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "router/value.h"

namespace shardproxy::router {

class InlineExpression {
 public:
  // Fails with a message naming the unsupported construct and its offset in `text`.
  static Result<InlineExpression> parse(std::string_view text);

  // Every string the expression denotes, in ShardingSphere's order: items left to right, each
  // the Cartesian product of its `${}` parts (the leftmost varying slowest). Fails when a part
  // reads a variable.
  Result<std::vector<std::string>> expand() const;

  // The one string for these variable values (INLINE algorithm-expression). Fails when a
  // variable is missing, a part yields several values, or an operation fails (division by zero,
  // a call on the wrong type, ...), with ShardingSphere-like messages.
  Result<std::string> evaluate(const std::map<std::string, Value>& variables) const;

  // The variable names the expression reads, sorted, each once.
  const std::vector<std::string>& variables() const;

  const std::string& text() const;

  InlineExpression(InlineExpression&&) noexcept;
  InlineExpression& operator=(InlineExpression&&) noexcept;
  ~InlineExpression();

 private:
  struct Impl;
  explicit InlineExpression(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shardproxy::router
