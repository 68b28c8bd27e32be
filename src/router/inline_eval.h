// Private to src/router: evaluates the syntax tree of inline_ast.h with Groovy's and Java's
// semantics, to one value, or for expand() to the several values a range or list denotes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "router/inline_ast.h"
#include "router/value.h"

namespace shardproxy::router::inline_expr {

// Most strings one item, or one range, may expand to.
constexpr size_t kMaxExpansion = size_t{1} << 20;

// A value during evaluation: Groovy's null, Boolean, Integer, Long, BigDecimal or String.
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

// Appends the value as a Groovy string interpolates it.
void appendText(const EV& v, std::string& out);

class Evaluator {
 public:
  // `vars` is null for expand(), where reading a variable is an error.
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

  bool toDec(const EV& v, const Node& n, Dec& out);

  bool decResult(const std::string& digits, bool negative, int64_t scale, const Node& n, EV& out);

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

}  // namespace shardproxy::router::inline_expr
