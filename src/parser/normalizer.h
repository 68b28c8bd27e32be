// Statement normalizer: a fast hand-written tokenizer that turns a statement into the key of
// the statement cache (literals replaced, whitespace and comments folded) and lists its
// literals, so a cached parse can be reused with the new values without running ANTLR.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "parser/lex_mode.h"

namespace shardproxy::parser {

struct NormalizedLiteral {
  enum class Kind { kString, kNumber, kHexString, kBitString };
  Kind kind;
  size_t begin = 0;  // offsets of the literal in the original text (quotes and prefix included)
  size_t end = 0;
};

struct Normalized {
  // Tokens separated by one space; each literal is `?`, each parameter marker `:?`. Comments
  // are dropped except optimizer hints and the SHARDINGSPHERE_HINT comment; the body of an
  // executable comment (/*! ... */) is tokenized like the rest.
  std::string key;
  std::vector<NormalizedLiteral> literals;
  int parameterMarkers = 0;
};

// False when the text cannot be tokenized (an unterminated string, identifier or comment):
// the caller parses it in full and reports the syntax error. `mode`: how the session's sql_mode
// reads quotes and backslashes; the key does not say which mode it was made in.
bool normalize(std::string_view sql, Normalized& out, LexMode mode = {});

// The byte ranges [begin, end) of the tokens normalize() sees (literals, parameter markers and
// the hint comment included), in text order. False as for normalize().
bool tokenBounds(std::string_view sql, std::vector<std::pair<uint32_t, uint32_t>>& out,
                 LexMode mode = {});

// True when `sql` means the same read in mode `a` as in mode `b`: the same tokens, and no
// backslash when only one of them takes escapes.
bool lexesAlike(std::string_view sql, LexMode a, LexMode b);

// The statements of a text that may hold several (CLIENT_MULTI_STATEMENTS): split after each `;`
// outside strings, quoted identifiers and comments, each piece keeping its `;`. Comments and
// whitespace after the last `;` are not a statement of their own. Text the tokenizer cannot
// read (an unterminated string) is one piece from the last `;` before it: its parse reports the
// error. A statement may change
// the sql_mode the next ones are read in: the caller splits again what follows it then.
std::vector<std::string_view> splitStatements(std::string_view sql, LexMode mode = {});

}  // namespace shardproxy::parser
