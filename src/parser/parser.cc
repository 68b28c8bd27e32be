#include "parser/parser.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <utility>

#include "parser/code_points.h"
#include "parser/parse_tree.h"

namespace shardproxy::parser {
namespace {

// Feeds ANTLR code points decoded by us: the runtime's own UTF-8 conversion throws on invalid
// input, while clients may send any bytes. Invalid UTF-8 bytes become the Latin-1 code point of
// the byte, so the text still lexes and every code point maps back to one byte offset.
class CodePointStream : public antlr4::ANTLRInputStream {
 public:
  explicit CodePointStream(std::u32string data) {
    _data = std::move(data);
    p = 0;
  }
};

// Remembers the furthest token the parser has looked at. ANTLR reports a syntax error at the
// start of the decision that failed (`IN` in `a IN (1, 2`), while MySQL, an LALR(1) parser,
// reports the first token no parse can continue with (the end, here). Prediction only looks at a
// token when some alternative is still viable before it, so the furthest token examined by an LL
// pass that bails out at the first error (no recovery, which would peek further) is that token.
//
// It also bounds the parser's work: prediction may look ahead to the end of the statement at
// every step of some constructs (`x + INTERVAL 1 DAY + INTERVAL 1 DAY ...`), which makes the parse
// quadratic; past a budget proportional to the statement's length the parse stops.
struct LookaheadBudgetExceeded {};

class FurthestTokenStream : public antlr4::CommonTokenStream {
 public:
  using antlr4::CommonTokenStream::CommonTokenStream;

  // Lookahead allowed from now on (a generous multiple of the tokens).
  void setBudget(size_t lookaheads) {
    budget_ = lookaheads;
    used_ = 0;
  }

  antlr4::Token* LT(ssize_t k) override {
    // Thrown once: the runtime may look ahead again while the exception unwinds it.
    if (++used_ > budget_ && !exceeded_) {
      exceeded_ = true;
      throw LookaheadBudgetExceeded{};
    }
    antlr4::Token* token = antlr4::CommonTokenStream::LT(k);
    if (token != nullptr &&
        (furthest_ == nullptr || token->getTokenIndex() > furthest_->getTokenIndex())) {
      furthest_ = token;
    }
    return token;
  }

  antlr4::Token* furthest() const { return furthest_; }
  void resetFurthest() { furthest_ = nullptr; }

 private:
  antlr4::Token* furthest_ = nullptr;
  size_t budget_ = SIZE_MAX;
  size_t used_ = 0;
  bool exceeded_ = false;
};

// Lookahead calls per token the parse may make, and a floor for short statements. Ordinary
// statements make 5 to 25 (at most 63 over the parser tests and the corpus); a chain of 300
// `+ INTERVAL 1 DAY` makes 150 and takes half a second.
constexpr size_t kLookaheadPerToken = 150;
constexpr size_t kLookaheadFloor = 50000;

// Where the first syntax error is: a byte offset into the text and a 1-based line.
struct SyntaxError {
  size_t offset;
  size_t line;
};

// Thrown by the lexer listener to stop at the first error (MySQL reports only the first one).
struct SyntaxErrorAbort {
  SyntaxError error;
};

class LexerErrorListener : public antlr4::BaseErrorListener {
 public:
  explicit LexerErrorListener(const ParseTreeImpl& impl) : impl_(impl) {}
  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token*, size_t line, size_t,
                   const std::string&, std::exception_ptr) override {
    auto* lexer = static_cast<antlr4::Lexer*>(recognizer);
    throw SyntaxErrorAbort{{impl_.toByteOffset(lexer->tokenStartCharIndex), lexer->tokenStartLine}};
  }

 private:
  const ParseTreeImpl& impl_;
};

Status parseError(std::string_view sql, const SyntaxError& error) {
  // MySQL quotes the rest of the statement from the offending token, cut at 80 characters; cut
  // at a code point boundary so the message stays valid UTF-8.
  std::string_view rest = sql.substr(std::min(error.offset, sql.size()));
  size_t end = 0;
  for (int chars = 0; end < rest.size() && chars < 80; ++chars) {
    ++end;
    while (end < rest.size() && (static_cast<unsigned char>(rest[end]) & 0xC0) == 0x80) {
      ++end;
    }
  }
  std::string message =
      "You have an error in your SQL syntax; check the manual that corresponds to your MySQL "
      "server version for the right syntax to use near '";
  message.append(rest.substr(0, end));
  message += "' at line ";
  message += std::to_string(error.line);
  return Status(kErParseError, "42000", std::move(message));
}

// Refuses statements nested deeper than kMaxNestingDepth before ANTLR recurses into them. What
// makes the parser recurse: parentheses, CASE/BEGIN ... END blocks and runs of prefix operators
// (`- - - 1`, `NOT NOT a`). An estimate, deliberately on the safe side.
std::optional<SyntaxError> checkNesting(const ParseTreeImpl& impl) {
  using L = gen::MySqlLexer;
  int depth = 0;
  int prefixRun = 0;
  int assignRun = 0;  // `@a := @b := ...`: each := nests the rest
  for (antlr4::Token* token : impl.tokens->getTokens()) {
    if (token->getType() == L::USER_VARIABLE) continue;  // part of an assignment run, if any
    if (token->getType() == L::ASSIGN) {
      ++assignRun;
    } else if (token->getChannel() == antlr4::Token::DEFAULT_CHANNEL) {
      assignRun = 0;
    }
    switch (token->getType()) {
      case L::LPAREN:
      case L::CASE:
      case L::BEGIN:
        ++depth;
        prefixRun = 0;
        break;
      case L::RPAREN:
      case L::END:
        depth = depth > 0 ? depth - 1 : 0;
        prefixRun = 0;
        break;
      case L::MINUS:
      case L::PLUS:
      case L::BIT_NOT:
      case L::NOT_OP:
      case L::NOT:
      case L::BINARY:
        ++prefixRun;
        break;
      default:
        prefixRun = 0;
        break;
    }
    if (depth + prefixRun + assignRun > kMaxNestingDepth) {
      return SyntaxError{impl.toByteOffset(token->getStartIndex()), token->getLine()};
    }
  }
  return std::nullopt;
}

}  // namespace

ParsedStatement::ParsedStatement(std::unique_ptr<ParseTreeImpl> impl) : impl_(std::move(impl)) {}
ParsedStatement::ParsedStatement(ParsedStatement&&) noexcept = default;
ParsedStatement& ParsedStatement::operator=(ParsedStatement&&) noexcept = default;
ParsedStatement::~ParsedStatement() = default;

bool ParsedStatement::isEmpty() const { return impl_->root->sqlStatement() == nullptr; }
bool ParsedStatement::neededFullLl() const { return impl_->neededFullLl; }

namespace {

bool isDigit(char32_t c) { return c >= '0' && c <= '9'; }

// Executable comments whose version is above the server's are comments to the server: their
// content becomes spaces (newlines kept), so offsets and line numbers stay those of the text.
// Strings, quoted identifiers and ordinary comments are skipped as the lexer skips them in `mode`.
void blankNewerExecutableComments(std::u32string& text, LexMode mode) {
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    char32_t c = text[i];
    if (c == '\'' || c == '"' || c == '`') {
      // A string or quoted identifier: a doubled quote stays inside; backslash escapes in strings.
      const bool escapes =
          !mode.noBackslashEscapes() && (c == '\'' || (c == '"' && !mode.ansiQuotes()));
      size_t j = i + 1;
      while (j < n) {
        if (text[j] == '\\' && escapes) {
          j += 2;
          continue;
        }
        if (text[j] == c) {
          if (j + 1 < n && text[j + 1] == c) {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      i = j + 1;
      continue;
    }
    // A line comment, as the lexer's LINE_COMMENT: to '\n' or a NUL, never to a '\r'.
    if (c == '#' || (c == '-' && i + 1 < n && text[i + 1] == '-' &&
                     (i + 2 == n || text[i + 2] <= 0x20 || text[i + 2] == 0x7f))) {
      i += c == '#' ? 1 : 2;
      while (i < n && text[i] != '\n' && text[i] != 0) ++i;
      continue;
    }
    if (c != '/' || i + 1 >= n || text[i + 1] != '*') {
      ++i;
      continue;
    }
    size_t j = i + 2;
    if (j < n && (text[j] == 'M' || text[j] == 'm') && j + 1 < n && text[j + 1] == '!') ++j;
    if (j >= n || text[j] != '!') {
      // An ordinary comment (or a hint): skipped whole.
      size_t close = j;
      while (close + 1 < n && !(text[close] == '*' && text[close + 1] == '/')) ++close;
      i = close + 2;
      continue;
    }
    size_t digits = j + 1;
    uint32_t version = 0;
    size_t k = digits;
    while (k < n && isDigit(text[k]) && k - digits < 6) version = version * 10 + (text[k++] - '0');
    if (versionRuns(version, k - digits, j > i + 2)) {
      i = j + 1;  // its content is lexed as SQL; the lexer drops the markers
      continue;
    }
    size_t close = k;
    while (close + 1 < n && !(text[close] == '*' && text[close + 1] == '/')) ++close;
    size_t end = close + 1 < n ? close + 2 : n;
    for (size_t b = i; b < end; ++b) {
      if (text[b] != '\n' && text[b] != '\r') text[b] = ' ';
    }
    i = end;
  }
}

bool hasExecutableComment(std::string_view sql) {
  for (size_t at = sql.find("/*"); at != std::string_view::npos; at = sql.find("/*", at + 2)) {
    if (at + 2 < sql.size() && (sql[at + 2] == '!' || sql[at + 2] == 'M' || sql[at + 2] == 'm')) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<ParsedStatement> parse(std::string_view sql, LexMode mode) {
  auto impl = std::make_unique<ParseTreeImpl>();
  impl->sql.assign(sql);
  impl->mode = mode;
  std::u32string text = decodeCodePoints(sql, impl->byteOffset);
  if (hasExecutableComment(sql)) blankNewerExecutableComments(text, mode);
  impl->input = std::make_unique<CodePointStream>(std::move(text));
  impl->lexer = std::make_unique<gen::MySqlLexer>(impl->input.get());
  impl->lexer->ansiQuotes = mode.ansiQuotes();
  impl->lexer->backslashEscapes = !mode.noBackslashEscapes();
  auto tokenStream = std::make_unique<FurthestTokenStream>(impl->lexer.get());
  FurthestTokenStream& tokens = *tokenStream;
  impl->tokens = std::move(tokenStream);
  impl->parser = std::make_unique<gen::MySqlParser>(impl->tokens.get());

  LexerErrorListener lexerErrors(*impl);
  auto& lexer = *impl->lexer;
  auto& parser = *impl->parser;
  lexer.removeErrorListeners();
  lexer.addErrorListener(&lexerErrors);
  parser.removeErrorListeners();

  try {
    impl->tokens->fill();
    if (auto error = checkNesting(*impl)) {
      return parseError(sql, *error);
    }
    tokens.setBudget(kLookaheadFloor + kLookaheadPerToken * impl->tokens->size());
    // Pass 1: SLL prediction, bail out at the first error. Almost every statement parses here.
    auto* interpreter = parser.getInterpreter<antlr4::atn::ParserATNSimulator>();
    interpreter->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    try {
      impl->root = parser.root();
    } catch (const antlr4::ParseCancellationException&) {
      // Pass 2: full LL, which is exact; if it fails too, the statement has a syntax error.
      impl->neededFullLl = true;
      impl->tokens->seek(0);
      tokens.resetFurthest();
      parser.reset();
      interpreter->setPredictionMode(antlr4::atn::PredictionMode::LL);
      try {
        impl->root = parser.root();
      } catch (const antlr4::ParseCancellationException&) {
        antlr4::Token* token = tokens.furthest();
        if (token == nullptr || token->getType() == antlr4::Token::EOF) {
          return parseError(sql, {sql.size(), token != nullptr ? token->getLine() : 1});
        }
        return parseError(sql, {impl->toByteOffset(token->getStartIndex()), token->getLine()});
      }
    }
  } catch (const SyntaxErrorAbort& abort) {
    return parseError(sql, abort.error);
  } catch (const LookaheadBudgetExceeded&) {
    return Status(er::kUnknownError, "HY000", "statement too complex");
  } catch (const std::exception& e) {
    // An ANTLR runtime failure (or bad_alloc) must cost one statement, not the process.
    return Status(er::kUnknownError, "HY000", std::string("SQL parser failure: ") + e.what());
  }
  // The listener lives on this stack frame: detach it before the pipeline outlives it.
  lexer.removeErrorListeners();
  return ParsedStatement(std::move(impl));
}

}  // namespace shardproxy::parser
