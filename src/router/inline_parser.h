// Private to src/router: the parser of inline expressions, from the template text with its `${}`
// parts of Groovy code to the syntax tree of inline_ast.h.
#pragma once

#include <cstddef>
#include <string_view>

#include "common/status.h"
#include "router/inline_ast.h"

namespace shardproxy::router::inline_expr {

// Parses text[start..] (the expression after any `<GROOVY>` prefix) into im.segments, im.nodes,
// im.args and im.strings. Fails with im.error(), naming the first unsupported construct and its
// offset in `text`.
Status parseTemplate(Compiled& im, std::string_view text, size_t start);

}  // namespace shardproxy::router::inline_expr
