#include "txn/failpoint.h"

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <string>
#include <thread>

#include "common/log.h"

namespace shardproxy::txn {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Read once (thread-safe static initialization) and never changed: not mutable global state.
const std::string& failpointList() {
  static const std::string list = [] {
    const char* value = std::getenv("SHARDPROXY_FAILPOINTS");
    return std::string(value ? value : "");
  }();
  return list;
}

}  // namespace

std::optional<std::string_view> failpointAction(std::string_view list, std::string_view name) {
  name = trim(name);
  if (name.empty()) return std::nullopt;
  while (true) {
    const size_t comma = list.find(',');
    std::string_view entry = trim(list.substr(0, comma));
    const size_t eq = entry.find('=');
    if (trim(entry.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? std::string_view() : trim(entry.substr(eq + 1));
    }
    if (comma == std::string_view::npos) return std::nullopt;
    list.remove_prefix(comma + 1);
  }
}

bool failpointListed(std::string_view list, std::string_view name) {
  return failpointAction(list, name).has_value();
}

bool failpointEnabled(std::string_view name) {
  const std::string& list = failpointList();
  // The common case, every call on the commit path of a production proxy.
  if (list.empty()) return false;
  return failpointListed(list, name);
}

void failpoint(std::string_view name) {
  if (!failpointEnabled(name)) return;
  std::string_view action = *failpointAction(failpointList(), name);
  constexpr std::string_view kPause = "pause:";
  if (action.substr(0, kPause.size()) == kPause) {
    int ms = 0;
    std::from_chars(action.data() + kPause.size(), action.data() + action.size(), ms);
    spdlog::error("failpoint {}: pausing {} ms", name, ms);
    spdlog::default_logger()->flush();
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    return;
  }
  spdlog::error("failpoint {}: stopping", name);
  // The line is what a crash test waits for; everything else must be lost as in a real crash.
  spdlog::default_logger()->flush();
  std::raise(SIGKILL);
}

}  // namespace shardproxy::txn
