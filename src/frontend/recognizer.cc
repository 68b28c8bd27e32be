#include "frontend/recognizer.h"

#include <strings.h>

#include <cctype>
#include <vector>

namespace shardproxy::frontend {

namespace {

struct Token {
  enum class Type { kWord, kString, kQuotedIdent, kSymbol, kEnd };
  Type type = Type::kEnd;
  std::string text;  // words as written; strings and quoted identifiers unquoted
  size_t begin = 0;
};

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Token next() {
    skipSpaceAndComments();
    Token t;
    t.begin = pos_;
    if (pos_ >= s_.size()) return t;
    char c = s_[pos_];
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' ||
        static_cast<unsigned char>(c) >= 0x80) {
      size_t start = pos_;
      while (pos_ < s_.size() &&
             (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_' ||
              s_[pos_] == '$' || static_cast<unsigned char>(s_[pos_]) >= 0x80)) {
        ++pos_;
      }
      t.type = Token::Type::kWord;
      t.text = s_.substr(start, pos_ - start);
      return t;
    }
    if (c == '\'' || c == '"' || c == '`') {
      t.type = c == '`' ? Token::Type::kQuotedIdent : Token::Type::kString;
      ++pos_;
      while (pos_ < s_.size()) {
        char d = s_[pos_++];
        if (d == '\\' && c != '`' && pos_ < s_.size()) {
          // MySQL keeps the backslash of \% and \_ so LIKE can see the escape.
          if (s_[pos_] == '%' || s_[pos_] == '_') t.text.push_back('\\');
          t.text.push_back(unescape(s_[pos_++]));
        } else if (d == c) {
          if (pos_ < s_.size() && s_[pos_] == c) {
            t.text.push_back(c);
            ++pos_;
          } else {
            return t;
          }
        } else {
          t.text.push_back(d);
        }
      }
      t.type = Token::Type::kSymbol;  // unterminated: not something to emulate
      return t;
    }
    t.type = Token::Type::kSymbol;
    t.text = std::string(1, c);
    ++pos_;
    return t;
  }

  size_t pos() const { return pos_; }

 private:
  static char unescape(char c) {
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case '0':
        return '\0';
      case 'Z':
        return '\032';
      default:
        return c;
    }
  }

  void skipSpaceAndComments() {
    for (;;) {
      while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (s_.substr(pos_, 2) == "/*" && s_.substr(pos_, 3) != "/*!" &&
          s_.substr(pos_, 3) != "/*+") {
        size_t end = s_.find("*/", pos_ + 2);
        pos_ = end == std::string_view::npos ? s_.size() : end + 2;
      } else if (s_.substr(pos_, 1) == "#" ||
                 (s_.substr(pos_, 2) == "--" &&
                  (pos_ + 2 >= s_.size() ||
                   std::isspace(static_cast<unsigned char>(s_[pos_ + 2]))))) {
        size_t end = s_.find('\n', pos_);
        pos_ = end == std::string_view::npos ? s_.size() : end + 1;
      } else {
        return;
      }
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

bool is(const Token& t, const char* word) {
  return t.type == Token::Type::kWord && strcasecmp(t.text.c_str(), word) == 0;
}

bool isEnd(const Token& t) {
  return t.type == Token::Type::kEnd || (t.type == Token::Type::kSymbol && t.text == ";");
}

// After a statement, only an optional ';' and nothing else may follow.
bool atStatementEnd(Lexer& lx) {
  Token t = lx.next();
  if (t.type == Token::Type::kEnd) return true;
  if (t.type == Token::Type::kSymbol && t.text == ";") return lx.next().type == Token::Type::kEnd;
  return false;
}

bool isSingleStatement(std::string_view sql) {
  Lexer lx(sql);
  for (Token t = lx.next(); t.type != Token::Type::kEnd; t = lx.next()) {
    if (t.type == Token::Type::kSymbol && t.text == ";") return lx.next().type == Token::Type::kEnd;
  }
  return true;
}

// One pass over the statement: anything that leaves state on the backend connection the proxy
// cannot replay.
bool hasSessionEffects(std::string_view sql) {
  Lexer lx(sql);
  bool statementStart = true;
  for (Token t = lx.next(); t.type != Token::Type::kEnd; t = lx.next()) {
    if (t.type == Token::Type::kSymbol && t.text == ";") {
      statementStart = true;
      continue;
    }
    // '@name' (not '@@name'): a user variable is read or written.
    if (t.type == Token::Type::kSymbol && t.text == "@") {
      Lexer look = lx;
      Token n = look.next();
      if (n.type != Token::Type::kSymbol || n.text != "@") return true;
      look.next();  // the system variable's name
      lx = look;
      statementStart = false;
      continue;
    }
    // The proxy relies on session tracking: a client that changes it keeps its connection.
    if (t.type == Token::Type::kWord && t.text.size() > 13 &&
        strncasecmp(t.text.c_str(), "session_track", 13) == 0) {
      return true;
    }
    if (statementStart) {
      if (is(t, "LOCK") || is(t, "PREPARE") || is(t, "EXECUTE") || is(t, "HANDLER")) return true;
      if (is(t, "CREATE")) {
        Lexer look = lx;
        if (is(look.next(), "TEMPORARY")) return true;
      }
      if (is(t, "SET")) {
        // SET TRANSACTION applies to the connection's next transaction only and the server
        // does not report it: the connection must stay with this client.
        Lexer look = lx;
        if (is(look.next(), "TRANSACTION")) return true;
      }
    }
    statementStart = false;
    // Advisory locks are held by the connection.
    if (is(t, "GET_LOCK")) return true;
  }
  return false;
}

}  // namespace

Recognized recognize(std::string_view sql) {
  Recognized r;
  Lexer lx(sql);
  Token first = lx.next();
  if (is(first, "USE")) {
    Token db = lx.next();
    if ((db.type == Token::Type::kWord || db.type == Token::Type::kQuotedIdent) &&
        atStatementEnd(lx)) {
      r.kind = Recognized::Kind::kUse;
      r.database = db.text;
      return r;
    }
  } else if (is(first, "SHOW")) {
    Lexer save = lx;
    Token t = lx.next();
    if (is(t, "DATABASES") || is(t, "SCHEMAS")) {
      Token n = lx.next();
      if (isEnd(n)) {
        r.kind = Recognized::Kind::kShowDatabases;
        return r;
      }
      if (is(n, "LIKE")) {
        Token p = lx.next();
        if (p.type == Token::Type::kString && atStatementEnd(lx)) {
          r.kind = Recognized::Kind::kShowDatabases;
          r.hasLike = true;
          r.likePattern = p.text;
          return r;
        }
      }
      return r;
    }
    lx = save;
    t = lx.next();
    if (is(t, "FULL")) {
      r.full = true;
      t = lx.next();
    }
    if (is(t, "TABLES")) {
      Lexer beforeFrom = lx;
      Token n = lx.next();
      if (is(n, "FROM") || is(n, "IN")) {
        Token db = lx.next();
        if (db.type != Token::Type::kWord && db.type != Token::Type::kQuotedIdent) return r;
        r.database = db.text;
        beforeFrom = lx;
        n = lx.next();
      }
      if (isEnd(n)) {
        r.kind = Recognized::Kind::kShowTables;
        return r;
      }
      if (is(n, "LIKE")) {
        Token p = lx.next();
        if (p.type != Token::Type::kString) return r;
        r.hasLike = true;
        r.likePattern = p.text;
      } else if (!is(n, "WHERE")) {
        return r;
      }
      r.kind = Recognized::Kind::kShowTables;
      std::string_view tail = sql.substr(n.begin);
      while (!tail.empty() &&
             (std::isspace(static_cast<unsigned char>(tail.back())) || tail.back() == ';')) {
        tail.remove_suffix(1);
      }
      r.tail = tail;
      return r;
    }
    return r;
  } else if (is(first, "SELECT")) {
    Token f = lx.next();
    if (is(f, "DATABASE") || is(f, "SCHEMA")) {
      Token open = lx.next();
      Token close = lx.next();
      if (open.text == "(" && close.text == ")") {
        size_t exprEnd = lx.pos();
        Lexer after = lx;
        Token n = after.next();
        std::string name(sql.substr(f.begin, exprEnd - f.begin));
        if (is(n, "AS")) n = after.next();
        if (n.type == Token::Type::kWord || n.type == Token::Type::kQuotedIdent ||
            n.type == Token::Type::kString) {
          name = n.text;
          lx = after;
        }
        if (atStatementEnd(lx)) {
          r.kind = Recognized::Kind::kSelectDatabase;
          r.columnName = name;
          return r;
        }
      }
    }
  } else if (is(first, "SET")) {
    Token t = lx.next();
    // Statements that start with SET but do not set session system variables; and a SET
    // followed by more statements is judged as a whole.
    if (!is(t, "TRANSACTION") && !is(t, "PASSWORD") && !is(t, "ROLE") && !is(t, "DEFAULT") &&
        !is(t, "GLOBAL") && !is(t, "PERSIST") && !is(t, "PERSIST_ONLY") && !is(t, "STATEMENT") &&
        !hasSessionEffects(sql) && isSingleStatement(sql)) {
      r.kind = Recognized::Kind::kSetVariables;
      return r;
    }
  } else if (is(first, "KILL")) {
    Token t = lx.next();
    if (is(t, "QUERY") || is(t, "CONNECTION")) {
      r.killQuery = is(t, "QUERY");
      t = lx.next();
    }
    if (t.type == Token::Type::kWord && !t.text.empty() &&
        t.text.find_first_not_of("0123456789") == std::string::npos && t.text.size() < 11 &&
        atStatementEnd(lx)) {
      r.kind = Recognized::Kind::kKill;
      r.killId = std::stoull(t.text);
      return r;
    }
  }
  r.sessionEffects = hasSessionEffects(sql);
  return r;
}

std::optional<std::string> substituteSessionFunctions(std::string_view sql,
                                                      std::string_view logicalDatabase,
                                                      uint32_t connectionId) {
  Lexer lx(sql);
  Token first = lx.next();
  if (!is(first, "SELECT")) return std::nullopt;
  struct Replacement {
    size_t begin, end;
    bool addAlias;
    bool database;  // else CONNECTION_ID()
  };
  std::vector<Replacement> replacements;
  Token prev = first;
  int depth = 0;
  for (Token t = lx.next(); !isEnd(t); t = lx.next()) {
    if (t.type == Token::Type::kSymbol && t.text == "(") ++depth;
    if (t.type == Token::Type::kSymbol && t.text == ")") --depth;
    if (depth == 0 && (is(t, "FROM") || is(t, "INTO") || is(t, "UNION"))) break;
    bool itemStart = prev.type == Token::Type::kSymbol
                         ? prev.text == ","
                         : is(prev, "SELECT") || is(prev, "DISTINCT") || is(prev, "ALL");
    bool database = (is(t, "DATABASE") || is(t, "SCHEMA")) && !logicalDatabase.empty();
    if (depth == 0 && itemStart && (database || is(t, "CONNECTION_ID"))) {
      Lexer look = lx;
      Token open = look.next();
      Token close = look.next();
      if (open.text == "(" && close.text == ")" && open.type == Token::Type::kSymbol) {
        size_t end = look.pos();
        Lexer after = look;
        Token next = after.next();
        bool aliased = is(next, "AS") || next.type == Token::Type::kWord ||
                       next.type == Token::Type::kQuotedIdent || next.type == Token::Type::kString;
        // Clause keywords after the item are not aliases.
        if (is(next, "FROM") || is(next, "LIMIT") || is(next, "WHERE") || is(next, "INTO") ||
            is(next, "UNION") || is(next, "ORDER") || is(next, "GROUP") || is(next, "HAVING") ||
            is(next, "FOR") || is(next, "WINDOW") || is(next, "LOCK")) {
          aliased = false;
        }
        replacements.push_back({t.begin, end, !aliased, database});
        lx = look;
        prev = close;
        continue;
      }
    }
    prev = t;
  }
  if (replacements.empty()) return std::nullopt;
  std::string literal = "'";
  for (char c : logicalDatabase) {
    if (c == '\'' || c == '\\') literal.push_back(c);
    literal.push_back(c);
  }
  literal += "'";
  std::string out;
  size_t pos = 0;
  for (const auto& r : replacements) {
    out.append(sql.substr(pos, r.begin - pos));
    // IF keeps the function's type, length and nullability in the column metadata.
    if (r.database) {
      out += "IF(1, " + literal + ", DATABASE())";
    } else {
      out += "IF(1, " + std::to_string(connectionId) + ", CONNECTION_ID())";
    }
    if (r.addAlias) {
      out += " AS `";
      for (char c : sql.substr(r.begin, r.end - r.begin)) {
        if (c == '`') out.push_back('`');
        out.push_back(c);
      }
      out += "`";
    }
    pos = r.end;
  }
  out.append(sql.substr(pos));
  return out;
}

}  // namespace shardproxy::frontend
