// Prepared statement parameters as SQL text. The proxy sends every statement to the backends as
// text (DESIGN decision 4), so a COM_STMT_EXECUTE becomes the prepared text with each `?`
// replaced by a literal that MySQL types as it would type the bound parameter: integers,
// DOUBLE in exponent form, DECIMAL digits, DATE/TIME/TIMESTAMP literals, strings and binary
// strings.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "parser/lex_mode.h"
#include "protocol/stmt_execute.h"

namespace shardproxy::frontend {

// How strings may be written for the connection the text goes to.
// Strings are written so that they mean the same whatever the backend's sql_mode: quotes
// doubled, and a string holding a backslash or NUL byte (whose escaping depends on
// NO_BACKSLASH_ESCAPES) as `_charset X'..'`.
struct LiteralStyle {
  std::string clientCharset;  // character_set_client; empty when not known
  // In big5, cp932, gbk, gb18030 and sjis a backslash byte can end a multi-byte character, so
  // strings with bytes >= 0x80 go as hex there too (see backslashUnsafeCharset).
  bool backslashUnsafe = false;
};

// The literal for one parameter value; an error (1210) for a value MySQL would not take either
// (NaN or an infinite DOUBLE).
Result<std::string> parameterLiteral(protocol::ParamType type, const protocol::BinaryValue& v,
                                     const LiteralStyle& style);

// A parameter that arrived by COM_STMT_SEND_LONG_DATA: a string, or a binary string for blob
// types.
std::string longDataLiteral(protocol::ParamType type, std::string_view data,
                            const LiteralStyle& style);

// The byte offsets of the `?` parameter markers of `sql`, in text order (markers inside strings,
// quoted names and comments are not markers). nullopt when the text cannot be tokenized (an
// unterminated string or comment).
std::optional<std::vector<uint32_t>> parameterMarkers(std::string_view sql,
                                                      parser::LexMode mode = {});

// A parameter where MySQL wants an integer (LIMIT, OFFSET) takes a string of digits too, as the
// server converts such a parameter: `'12'` becomes `12`. Other literals are returned as they are.
std::string integerLiteral(std::string literal);

// `sql` with the marker at markers[i] replaced by literals[i] (markers.size() == literals.size()).
std::string bindParameters(std::string_view sql, const std::vector<uint32_t>& markers,
                           const std::vector<std::string>& literals);

// Whether `charset` (a character_set_client value) needs LiteralStyle::multiByteCharset.
bool backslashUnsafeCharset(std::string_view charset);

}  // namespace shardproxy::frontend
