// The server version executable comments are judged by (parser.h). Its own file so that the
// normalizer, which also judges them, links without the parser (the fuzz build's sp_normalizer).
#include <atomic>
#include <cstdint>
#include <string_view>

#include "parser/parser.h"

namespace shardproxy::parser {

namespace {

std::atomic<uint32_t> gServerVersionId{101100};

}  // namespace

void setServerVersionId(uint32_t id) {
  if (id != 0) gServerVersionId.store(id, std::memory_order_relaxed);
}

uint32_t serverVersionId() { return gServerVersionId.load(std::memory_order_relaxed); }

uint32_t versionIdOf(std::string_view version) {
  // MariaDB announces itself as 5.5.5-<real version> to old MySQL clients.
  if (version.substr(0, 6) == "5.5.5-") version.remove_prefix(6);
  uint32_t parts[3] = {0, 0, 0};
  size_t at = 0;
  for (int p = 0; p < 3; ++p) {
    size_t start = at;
    while (at < version.size() && version[at] >= '0' && version[at] <= '9') {
      parts[p] = parts[p] * 10 + static_cast<uint32_t>(version[at] - '0');
      ++at;
    }
    if (at == start) return p == 0 ? 0 : parts[0] * 10000 + parts[1] * 100 + parts[2];
    if (p < 2) {
      if (at >= version.size() || version[at] != '.') return parts[0] * 10000 + parts[1] * 100;
      ++at;
    }
  }
  return parts[0] * 10000 + parts[1] * 100 + parts[2];
}

bool executableCommentRuns(std::string_view afterBang, bool mariadbMarker) {
  uint32_t version = 0;
  size_t digits = 0;
  while (digits < afterBang.size() && digits < 6 && afterBang[digits] >= '0' &&
         afterBang[digits] <= '9') {
    version = version * 10 + static_cast<uint32_t>(afterBang[digits] - '0');
    ++digits;
  }
  return versionRuns(version, digits, mariadbMarker);
}

bool versionRuns(uint32_t version, size_t digits, bool mariadbMarker) {
  if (digits < 5) return true;
  const uint32_t server = serverVersionId();
  if (version > server) return false;
  // MariaDB leaves MySQL 5.7+ comments (`/*!50700` .. `/*!99999`) alone: they hold MySQL's own
  // syntax. Its `/*M!` comments, and older versions, run.
  if (server >= 100000 && !mariadbMarker && version >= 50700 && version <= 99999) return false;
  return true;
}

}  // namespace shardproxy::parser
