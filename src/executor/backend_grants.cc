#include "executor/backend_grants.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace shardproxy::executor {

namespace {

struct Token {
  enum class Kind { kWord, kQuoted, kPunct };
  Kind kind;
  std::string text;  // kWord: upper case; kQuoted: unquoted; kPunct: the character
  std::string raw;   // kWord: as written
};

// Splits a grant line into words, quoted names and strings (`...`, '...', "..."), and single
// punctuation characters. nullopt for an unterminated quote.
std::optional<std::vector<Token>> tokenize(std::string_view s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (c == '`' || c == '\'' || c == '"') {
      std::string text;
      bool closed = false;
      for (++i; i < s.size(); ++i) {
        if (s[i] == c) {
          if (i + 1 < s.size() && s[i + 1] == c) {  // a doubled quote stands for itself
            text += c;
            ++i;
            continue;
          }
          closed = true;
          ++i;
          break;
        }
        if (s[i] == '\\' && c != '`' && i + 1 < s.size()) ++i;  // backslash escapes in strings
        text += s[i];
      }
      if (!closed) return std::nullopt;
      out.push_back({Token::Kind::kQuoted, text, text});
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$') {
      std::string raw;
      while (i < s.size() &&
             (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_' || s[i] == '$')) {
        raw += s[i++];
      }
      std::string text = raw;
      for (char& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      out.push_back({Token::Kind::kWord, std::move(text), std::move(raw)});
    } else {
      out.push_back({Token::Kind::kPunct, std::string(1, c), std::string(1, c)});
      ++i;
    }
  }
  return out;
}

class Reader {
 public:
  explicit Reader(const std::vector<Token>& tokens) : tokens_(tokens) {}

  bool done() const { return pos_ >= tokens_.size(); }
  const Token* peek() const { return done() ? nullptr : &tokens_[pos_]; }
  bool isWord(std::string_view w) const {
    return !done() && tokens_[pos_].kind == Token::Kind::kWord && tokens_[pos_].text == w;
  }
  bool isPunct(char c) const {
    return !done() && tokens_[pos_].kind == Token::Kind::kPunct && tokens_[pos_].text[0] == c;
  }
  bool acceptWord(std::string_view w) {
    if (!isWord(w)) return false;
    ++pos_;
    return true;
  }
  bool acceptPunct(char c) {
    if (!isPunct(c)) return false;
    ++pos_;
    return true;
  }
  // A name: quoted, a bare word, or `*`.
  std::optional<std::string> name() {
    if (done()) return std::nullopt;
    const Token& t = tokens_[pos_];
    if (t.kind == Token::Kind::kPunct && t.text != "*") return std::nullopt;
    ++pos_;
    return t.raw;
  }
  void skip() { ++pos_; }
  // `user`@`host`, `role` or PUBLIC.
  std::optional<Grantee> grantee() {
    Grantee g;
    if (isWord("PUBLIC")) {
      ++pos_;
      g.isPublic = true;
      return g;
    }
    auto n = name();
    if (!n) return std::nullopt;
    g.name = *n;
    if (acceptPunct('@')) {
      auto h = name();
      if (!h) return std::nullopt;
      g.host = *h;
    }
    return g;
  }
  // Skips to the end; true if `WITH ... GRANT OPTION` or `WITH ADMIN OPTION` came on the way.
  // (The tokens before WITH are IDENTIFIED ..., REQUIRE ...: their strings are single tokens.)
  bool restHasGrantOption() {
    bool with = false;
    bool found = false;
    for (; pos_ < tokens_.size(); ++pos_) {
      const Token& t = tokens_[pos_];
      if (t.kind != Token::Kind::kWord) continue;
      if (t.text == "WITH") with = true;
      if (with && (t.text == "GRANT" || t.text == "ADMIN") && pos_ + 1 < tokens_.size() &&
          tokens_[pos_ + 1].kind == Token::Kind::kWord && tokens_[pos_ + 1].text == "OPTION") {
        found = true;
      }
    }
    return found;
  }

 private:
  const std::vector<Token>& tokens_;
  size_t pos_ = 0;
};

std::string quoteName(std::string_view n) {
  std::string out = "`";
  for (char c : n) {
    out += c;
    if (c == '`') out += '`';
  }
  return out + "`";
}

std::string granteeText(const Grantee& g) {
  if (g.isPublic) return "PUBLIC";
  return quoteName(g.name) + (g.host.empty() ? "" : "@" + quoteName(g.host));
}

std::string objectText(const GrantLine& g) {
  std::string out = g.routineKind.empty() ? "" : g.routineKind + " ";
  if (g.database == "*") return out + "*.*";
  if (!g.database.empty()) out += quoteName(g.database) + ".";
  return out + (g.table == "*" ? "*" : quoteName(g.table));
}

// A database-level grant names its database as a LIKE pattern in which `_` and `%` may be
// escaped. A pattern written as the name itself counts as that database: its `_` would also
// match one other character, which MariaDB's own examples leave unescaped too.
bool namesDatabase(std::string_view pattern, std::string_view database) {
  if (pattern == database) return true;
  std::string plain;
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
    plain += pattern[i];
  }
  return plain == database;
}

// Global privileges that features of the proxy may use (README: Backend accounts): PROCESS (lock
// waits, a backend's processlist, SHOW ENGINE INNODB STATUS), replica health (REPLICATION CLIENT,
// which MariaDB 10.5+ shows as BINLOG MONITOR; SLAVE MONITOR, also named REPLICA MONITOR), RELOAD
// (FLUSH TABLES WITH READ LOCK). XA RECOVER, and committing or rolling back a branch another
// connection left prepared, need no privilege in MariaDB 10.11; MySQL 8 wants
// XA_RECOVER_ADMIN for XA RECOVER.
constexpr std::array<std::string_view, 8> kAllowedGlobal = {
    "USAGE",          "PROCESS",       "RELOAD",          "REPLICATION CLIENT",
    "BINLOG MONITOR", "SLAVE MONITOR", "REPLICA MONITOR", "XA_RECOVER_ADMIN"};

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

bool startsWithWord(std::string_view line, std::string_view word) {
  size_t i = 0;
  while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
  if (line.size() - i < word.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::toupper(static_cast<unsigned char>(line[i + k])) != word[k]) return false;
  }
  return line.size() - i == word.size() ||
         std::isspace(static_cast<unsigned char>(line[i + word.size()]));
}

}  // namespace

std::optional<GrantLine> parseGrantLine(std::string_view line) {
  auto tokens = tokenize(line);
  if (!tokens) return std::nullopt;
  Reader r(*tokens);
  if (!r.acceptWord("GRANT")) return std::nullopt;
  GrantLine g;
  const Token* first = r.peek();
  if (first && first->kind == Token::Kind::kQuoted) {
    // GRANT `role` [, `role`] TO grantee [WITH ADMIN OPTION]
    g.kind = GrantLine::Kind::kRoles;
    do {
      auto role = r.grantee();
      if (!role) return std::nullopt;
      g.roles.push_back(*role);
    } while (r.acceptPunct(','));
  } else {
    // A privilege is one or more words, maybe with a column list: SELECT (`a`, `b`).
    for (;;) {
      std::string privilege;
      while (!r.done() && !r.isWord("ON") && !r.isPunct(',') && !r.isPunct('(')) {
        const Token* t = r.peek();
        if (t->kind != Token::Kind::kWord) return std::nullopt;
        privilege += (privilege.empty() ? "" : " ") + t->text;
        r.acceptWord(t->text);
      }
      if (privilege.empty()) return std::nullopt;
      g.privileges.push_back(std::move(privilege));
      if (r.acceptPunct('(')) {
        while (!r.done() && !r.isPunct(')')) r.skip();
        if (!r.acceptPunct(')')) return std::nullopt;
      }
      if (r.acceptPunct(',')) continue;
      if (r.acceptWord("ON")) break;
      return std::nullopt;
    }
    if (g.privileges.size() == 1 && g.privileges[0] == "PROXY") {
      g.kind = GrantLine::Kind::kProxy;
      auto proxied = r.grantee();
      if (!proxied) return std::nullopt;
      g.proxied = *proxied;
    } else {
      for (std::string_view kind : {"PROCEDURE", "FUNCTION", "PACKAGE", "TABLE"}) {
        if (r.acceptWord(kind)) {
          if (kind != "TABLE") g.routineKind = kind;
          if (kind == "PACKAGE" && r.acceptWord("BODY")) g.routineKind = "PACKAGE BODY";
          break;
        }
      }
      auto a = r.name();
      if (!a) return std::nullopt;
      if (r.acceptPunct('.')) {
        auto b = r.name();
        if (!b) return std::nullopt;
        g.database = *a;
        g.table = *b;
      } else {
        g.table = *a;  // relative to the default database, which SHOW GRANTS never prints
      }
    }
  }
  if (!r.acceptWord("TO")) return std::nullopt;
  auto grantee = r.grantee();
  if (!grantee) return std::nullopt;
  g.grantee = *grantee;
  g.grantOption = r.restHasGrantOption();
  return g;
}

std::vector<Grantee> rolesWithoutGrants(const std::vector<GrantLine>& lines) {
  std::vector<Grantee> out;
  for (const GrantLine& g : lines) {
    for (const Grantee& role : g.roles) {
      bool listed = std::any_of(lines.begin(), lines.end(),
                                [&](const GrantLine& l) { return l.grantee == role; });
      if (!listed && std::find(out.begin(), out.end(), role) == out.end()) out.push_back(role);
    }
  }
  return out;
}

std::string setRole(const Grantee& role) { return "SET ROLE " + granteeText(role); }

std::vector<std::string> excessGrants(const std::vector<std::string>& lines,
                                      std::string_view database, std::string_view user) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    if (!startsWithWord(line, "GRANT")) continue;  // SET DEFAULT ROLE ..., headers
    auto g = parseGrantLine(line);
    if (!g) {
      out.push_back("a grant line not understood: " + line.substr(0, line.find(" TO ")));
      continue;
    }
    std::string via;
    if (g->grantee.isPublic) {
      via = " (granted to PUBLIC)";
    } else if (g->grantee.name != user) {
      via = " (through role " + quoteName(g->grantee.name) + ")";
    }
    switch (g->kind) {
      case GrantLine::Kind::kRoles:
        if (g->grantOption) {
          for (const Grantee& role : g->roles) {
            out.push_back("ADMIN OPTION on role " + granteeText(role) + via);
          }
        }
        break;
      case GrantLine::Kind::kProxy: {
        auto quote = [](const std::string& s) { return "'" + s + "'"; };
        out.push_back("PROXY on " + quote(g->proxied.name) + "@" + quote(g->proxied.host) +
                      (g->grantOption ? " WITH GRANT OPTION" : "") + via);
        break;
      }
      case GrantLine::Kind::kPrivileges: {
        std::vector<std::string> extra;
        bool own = g->database != "*" && namesDatabase(g->database, database);
        if (!own) {
          for (const std::string& p : g->privileges) {
            bool allowed =
                g->database == "*" &&
                std::find(kAllowedGlobal.begin(), kAllowedGlobal.end(), p) != kAllowedGlobal.end();
            if (!allowed && p != "USAGE") extra.push_back(p);
          }
        }
        if (g->grantOption) extra.push_back("GRANT OPTION");
        if (!extra.empty()) out.push_back(join(extra, ", ") + " on " + objectText(*g) + via);
        break;
      }
    }
  }
  return out;
}

}  // namespace shardproxy::executor
