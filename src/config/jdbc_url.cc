// JDBC URL parsing: ShardingSphere data sources name their backend with a Connector/J or MariaDB
// Connector/J URL; we accept the single-host forms of both.
#include <cctype>
#include <charconv>
#include <map>
#include <string>
#include <string_view>

#include "config/topology.h"

namespace shardproxy::config {
namespace {

bool startsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) !=
        std::tolower(static_cast<unsigned char>(prefix[i]))) {
      return false;
    }
  }
  return true;
}

[[noreturn]] void bad(const std::string& url, const std::string& what) {
  throw ConfigError("invalid JDBC URL '" + url + "': " + what);
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `plusIsSpace`: Connector/J decodes query values with java.net.URLDecoder, which turns '+' into a
// space; the path and user info keep '+' literally, as in RFC 3986.
std::string urlDecode(const std::string& url, std::string_view s, bool plusIsSpace) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      int hi = i + 2 < s.size() ? hexDigit(s[i + 1]) : -1;
      int lo = i + 2 < s.size() ? hexDigit(s[i + 2]) : -1;
      if (hi < 0 || lo < 0) bad(url, "bad percent-escape in '" + std::string(s) + "'");
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plusIsSpace) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool isHostNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

bool isIpv6Char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A URL parameter by name, ignoring case: the drivers spell some differently (useSSL, useSsl).
const std::string* param(const std::map<std::string, std::string>& params, std::string_view name) {
  for (const auto& [key, value] : params) {
    if (lower(key) == lower(name)) return &value;
  }
  return nullptr;
}

// A boolean parameter as Connector/J reads one; `fallback` when absent.
bool flag(const std::string& url, const std::map<std::string, std::string>& params,
          std::string_view name, bool fallback) {
  const std::string* value = param(params, name);
  if (!value) return fallback;
  std::string v = lower(*value);
  if (v == "true" || v == "yes") return true;
  if (v == "false" || v == "no") return false;
  bad(url, std::string(name) + " must be true or false, not '" + *value + "'");
}

// TLS as each driver reads its URL: sslMode wins; else Connector/J's useSSL means PREFERRED,
// REQUIRED with requireSSL, VERIFY_CA with verifyServerCertificate, while MariaDB Connector/J's
// useSsl verifies the certificate and host unless trustServerCertificate or
// disableSslHostnameVerification say otherwise. Without any of them the connection stays plain
// (Connector/J itself would prefer TLS).
void parseTls(const std::string& url, bool mariadb, DataSource& ds) {
  const auto& params = ds.urlParams;
  if (const std::string* mode = param(params, "sslMode")) {
    static const std::map<std::string, SslMode> kModes = {
        {"disabled", SslMode::kDisabled},
        {"disable", SslMode::kDisabled},
        {"preferred", SslMode::kPreferred},
        {"required", SslMode::kRequired},
        {"trust", SslMode::kRequired},
        {"verify_ca", SslMode::kVerifyCa},
        {"verify-ca", SslMode::kVerifyCa},
        {"verify_identity", SslMode::kVerifyIdentity},
        {"verify-full", SslMode::kVerifyIdentity}};
    auto it = kModes.find(lower(*mode));
    if (it == kModes.end()) {
      bad(url, "sslMode '" + *mode +
                   "' is not one of DISABLED, PREFERRED, REQUIRED, VERIFY_CA, VERIFY_IDENTITY");
    }
    ds.sslMode = it->second;
  } else if (flag(url, params, "useSSL", false)) {
    if (mariadb) {
      ds.sslMode = flag(url, params, "trustServerCertificate", false) ? SslMode::kRequired
                   : flag(url, params, "disableSslHostnameVerification", false)
                       ? SslMode::kVerifyCa
                       : SslMode::kVerifyIdentity;
    } else {
      ds.sslMode = flag(url, params, "verifyServerCertificate", false) ? SslMode::kVerifyCa
                   : flag(url, params, "requireSSL", false)            ? SslMode::kRequired
                                                                       : SslMode::kPreferred;
    }
  }
  for (const char* name : {"trustCertificateKeyStoreUrl", "serverSslCert"}) {
    const std::string* ca = param(params, name);
    if (!ca || ca->empty()) continue;
    std::string path = *ca;
    if (startsWithNoCase(path, "file://")) {
      path.erase(0, 7);
    } else if (startsWithNoCase(path, "file:")) {
      path.erase(0, 5);
    }
    if (path.empty() || path.front() != '/') {
      bad(url, std::string(name) + " must name a PEM file by its absolute path, not '" + *ca + "'");
    }
    ds.sslCa = path;
  }
}

// A timeout parameter in milliseconds (both drivers take a plain integer); `fallback` when absent.
int milliseconds(const std::string& url, const std::map<std::string, std::string>& params,
                 std::string_view name, int fallback) {
  const std::string* value = param(params, name);
  if (!value) return fallback;
  int ms = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), ms);
  if (value->empty() || ec != std::errc() || end != value->data() + value->size() || ms < 0) {
    bad(url, std::string(name) + " must be a number of milliseconds, not '" + *value + "'");
  }
  return ms;
}

}  // namespace

const char* sslModeName(SslMode mode) {
  switch (mode) {
    case SslMode::kDisabled:
      return "DISABLED";
    case SslMode::kPreferred:
      return "PREFERRED";
    case SslMode::kRequired:
      return "REQUIRED";
    case SslMode::kVerifyCa:
      return "VERIFY_CA";
    case SslMode::kVerifyIdentity:
      return "VERIFY_IDENTITY";
  }
  return "?";
}

void parseJdbcUrl(const std::string& url, DataSource& ds) {
  std::string_view rest(url);
  const bool mariadb = startsWithNoCase(rest, "jdbc:mariadb:");
  if (startsWithNoCase(rest, "jdbc:mysql://")) {
    rest.remove_prefix(13);
  } else if (startsWithNoCase(rest, "jdbc:mariadb://")) {
    rest.remove_prefix(15);
  } else if (startsWithNoCase(rest, "jdbc:mysql") || startsWithNoCase(rest, "jdbc:mariadb")) {
    // loadbalance:, replication:, aurora:, mysql+srv: ... pick hosts in the Java driver; each
    // backend here is one data source, so such URLs must be split into several.
    bad(url,
        "only the single-host form jdbc:mysql://host:port/db (or jdbc:mariadb://) is "
        "supported");
  } else if (startsWithNoCase(rest, "jdbc:")) {
    bad(url, "only MySQL and MariaDB backends are supported (jdbc:mysql:// or jdbc:mariadb://)");
  } else {
    bad(url, "expected jdbc:mysql://host:port/db");
  }

  size_t authorityEnd = rest.find_first_of("/?");
  std::string_view authority = rest.substr(0, authorityEnd);
  rest = authorityEnd == std::string_view::npos ? std::string_view() : rest.substr(authorityEnd);

  std::string username;
  std::string password;
  bool hasUserInfo = false;
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    std::string_view userInfo = authority.substr(0, at);
    authority.remove_prefix(at + 1);
    size_t colon = userInfo.find(':');
    username = urlDecode(url, userInfo.substr(0, colon), false);
    if (colon != std::string_view::npos) {
      password = urlDecode(url, userInfo.substr(colon + 1), false);
    }
    hasUserInfo = true;
  }
  if (authority.find(',') != std::string_view::npos) {
    bad(url, "multiple hosts are not supported; declare one data source per host");
  }

  std::string host;
  std::string_view portText;
  bool hasPort = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) bad(url, "missing ']' after IPv6 address");
    std::string_view literal = authority.substr(1, close - 1);
    if (literal.empty() || literal.find(':') == std::string_view::npos) {
      bad(url, "'[" + std::string(literal) + "]' is not an IPv6 address");
    }
    for (char c : literal) {
      if (!isIpv6Char(c)) bad(url, "'[" + std::string(literal) + "]' is not an IPv6 address");
    }
    host = std::string(literal);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') bad(url, "unexpected text after IPv6 address");
      portText = after.substr(1);
      hasPort = true;
    }
  } else {
    size_t colon = authority.find(':');
    std::string_view name = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
      if (portText.find(':') != std::string_view::npos) {
        bad(url, "an IPv6 address must be written in brackets, e.g. jdbc:mysql://[::1]:3306/db");
      }
      hasPort = true;
    }
    for (char c : name) {
      if (!isHostNameChar(c)) bad(url, "invalid host name '" + std::string(name) + "'");
    }
    // Connector/J falls back to localhost when the host is left out (jdbc:mysql:///db).
    host = name.empty() ? "localhost" : std::string(name);
  }

  uint16_t port = 3306;
  if (hasPort) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), value);
    if (portText.empty() || ec != std::errc() || end != portText.data() + portText.size() ||
        value < 1 || value > 65535) {
      bad(url, "port '" + std::string(portText) + "' is not a number between 1 and 65535");
    }
    port = static_cast<uint16_t>(value);
  }

  std::string database;
  if (!rest.empty() && rest.front() == '/') {
    size_t query = rest.find('?');
    database =
        urlDecode(url, rest.substr(1, query == std::string_view::npos ? query : query - 1), false);
    if (database.find('/') != std::string::npos) {
      bad(url, "database name '" + database + "' may not contain '/'");
    }
    rest = query == std::string_view::npos ? std::string_view() : rest.substr(query);
  }

  std::map<std::string, std::string> params;
  if (!rest.empty()) {
    // Only '?' can be left here: the authority ended at '/' or '?', and the path at '?'.
    rest.remove_prefix(1);
    while (!rest.empty()) {
      size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;  // "a=1&&b=2" and a trailing '&' are harmless
      size_t eq = pair.find('=');
      std::string key = urlDecode(url, pair.substr(0, eq), true);
      if (key.empty()) bad(url, "parameter '" + std::string(pair) + "' has no name");
      std::string value =
          eq == std::string_view::npos ? std::string() : urlDecode(url, pair.substr(eq + 1), true);
      params[key] = std::move(value);
    }
  }

  ds.host = std::move(host);
  ds.port = port;
  ds.database = std::move(database);
  ds.urlParams = std::move(params);
  parseTls(url, mariadb, ds);
  // Each driver's default: MariaDB Connector/J gives up connecting after 30 s, Connector/J
  // waits without limit (the pool's connectionTimeoutMs still bounds it here).
  ds.connectTimeoutMs = milliseconds(url, ds.urlParams, "connectTimeout", mariadb ? 30000 : 0);
  ds.socketTimeoutMs = milliseconds(url, ds.urlParams, "socketTimeout", 0);
  if (hasUserInfo) {
    ds.username = std::move(username);
    ds.password = std::move(password);
  }
}

}  // namespace shardproxy::config
