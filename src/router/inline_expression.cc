#include "router/inline_expression.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <utility>

#include "router/inline_ast.h"
#include "router/inline_eval.h"
#include "router/inline_parser.h"

namespace shardproxy::router {

namespace {

using inline_expr::Compiled;
using inline_expr::EV;
using inline_expr::Evaluator;
using inline_expr::kMaxExpansion;
using inline_expr::Node;
using inline_expr::NodeKind;
using inline_expr::Segment;

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

}  // namespace

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
  if (Status st = inline_expr::parseTemplate(*impl, text, start); !st.isOk()) return st;
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
