// Internal to config/: reading YAML with file:line:key messages. One FileReader per file knows
// its name for messages and collects its warnings.
#pragma once

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "config/topology.h"

namespace shardproxy::config::yaml {

using Entry = std::pair<YAML::Node, YAML::Node>;  // key node, value node

inline std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

inline std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

inline std::string trim(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return s.substr(b, e - b + 1);
}

inline std::string join(const std::string& parent, const std::string& child) {
  return parent.empty() ? child : parent + "." + child;
}

inline std::string indexed(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

// A node's value as YAML text, for settings kept only to be shown.
inline std::string emit(const YAML::Node& node) {
  if (node.IsNull()) return "";
  if (node.IsScalar()) return node.Scalar();
  YAML::Emitter out;
  out << YAML::Flow << node;
  return out.c_str();
}

// Looks a key up without yaml-cpp's operator[], which throws on scalars.
inline YAML::Node lookup(const YAML::Node& map, const std::string& key) {
  if (!map.IsMap()) return YAML::Node();
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) return it->second;
  }
  return YAML::Node();
}

// Helpers bound to one file: they know its name for messages and collect its warnings.
class FileReader {
 public:
  FileReader(std::string file, std::vector<std::string>& warnings)
      : file_(std::move(file)), warnings_(warnings) {}

  const std::string& file() const { return file_; }

  YAML::Node load() const {
    std::ifstream in(file_, std::ios::binary);
    if (!in) throw ConfigError(file_ + ": cannot read: " + std::strerror(errno));
    try {
      return YAML::Load(in);
    } catch (const YAML::ParserException& e) {
      throw ConfigError(place(e.mark) + ": yaml: " + e.msg + " (column " +
                        std::to_string(e.mark.column + 1) + ")");
    }
  }

  static int line(const YAML::Node& n) { return line(n.Mark()); }
  static int line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 1; }

  std::string place(const YAML::Mark& m) const { return file_ + ":" + std::to_string(line(m)); }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& key,
                         const std::string& what) const {
    throw ConfigError(place(at.Mark()) + ": " + key + ": " + what);
  }

  void warn(const YAML::Node& at, const std::string& key, const std::string& what) const {
    warnings_.push_back(place(at.Mark()) + ": " + key + ": " + what);
  }

  // The (key, value) pairs of a mapping in file order, merge keys resolved; a null node (a key
  // with nothing under it) is an empty mapping.
  std::vector<Entry> entries(const YAML::Node& map, const YAML::Node& at,
                             const std::string& key) const {
    std::vector<Entry> out;
    if (!map.IsDefined() || map.IsNull()) return out;
    if (!map.IsMap()) fail(at, key, "expected a mapping");
    std::vector<Entry> merged;
    for (auto it = map.begin(); it != map.end(); ++it) {
      YAML::Node k = it->first;  // the iterator yields temporaries: copy, never bind a reference
      if (!k.IsScalar()) fail(k, key, "mapping keys must be plain values");
      if (k.Scalar() == "<<" && k.Tag() == "?") {
        mergeInto(merged, it->second, k, key);
        continue;
      }
      auto same = std::find_if(out.begin(), out.end(),
                               [&](const Entry& e) { return e.first.Scalar() == k.Scalar(); });
      if (same != out.end()) {
        warn(k, join(key, k.Scalar()),
             "duplicate key (first at line " + std::to_string(line(same->first)) +
                 "), the last one wins");
        *same = Entry(k, it->second);  // keeps SnakeYAML's position, reports the later line
      } else {
        out.emplace_back(k, it->second);
      }
    }
    // Keys written in the mapping itself override merged ones (YAML merge key semantics).
    for (Entry& e : merged) {
      bool overridden = std::any_of(out.begin(), out.end(), [&](const Entry& o) {
        return o.first.Scalar() == e.first.Scalar();
      });
      if (!overridden) out.push_back(std::move(e));
    }
    return out;
  }

  std::string text(const YAML::Node& value, const YAML::Node& at, const std::string& key) const {
    if (value.IsNull()) return "";
    if (!value.IsScalar()) fail(at, key, "expected a single value, not a list or mapping");
    return value.Scalar();
  }

  std::string requiredText(const YAML::Node& value, const YAML::Node& at,
                           const std::string& key) const {
    std::string s = trim(text(value, at, key));
    if (s.empty()) fail(at, key, "must not be empty");
    return s;
  }

  int integer(const YAML::Node& value, const YAML::Node& at, const std::string& key, long long min,
              long long max) const {
    std::string s = trim(text(value, at, key));
    if (s.empty()) fail(at, key, "expected an integer, got nothing");
    long long v = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [end, ec] = std::from_chars(begin, s.data() + s.size(), v);
    if (ec == std::errc::result_out_of_range) fail(at, key, "'" + s + "' is out of range");
    if (ec != std::errc() || end != s.data() + s.size()) {
      fail(at, key, "expected an integer, got '" + s + "'");
    }
    if (v < min) {
      fail(at, key, "must be at least " + std::to_string(min) + ", got " + std::to_string(v));
    }
    if (v > max) {
      fail(at, key, "must be at most " + std::to_string(max) + ", got " + std::to_string(v));
    }
    return static_cast<int>(v);
  }

  // YAML 1.1 booleans, which SnakeYAML also accepts.
  bool boolean(const YAML::Node& value, const YAML::Node& at, const std::string& key) const {
    std::string s = lower(trim(text(value, at, key)));
    if (s == "true" || s == "yes" || s == "on") return true;
    if (s == "false" || s == "no" || s == "off") return false;
    fail(at, key, "expected true or false, got '" + s + "'");
  }

 private:
  void mergeInto(std::vector<Entry>& merged, const YAML::Node& source, const YAML::Node& at,
                 const std::string& key) const {
    if (source.IsSequence()) {
      // In `<<: [*a, *b]` the earlier mapping wins.
      for (YAML::Node item : source) mergeInto(merged, item, at, key);
      return;
    }
    if (!source.IsMap()) fail(at, join(key, "<<"), "a merge key needs a mapping or list of them");
    for (Entry& e : entries(source, at, key)) {
      bool seen = std::any_of(merged.begin(), merged.end(),
                              [&](const Entry& m) { return m.first.Scalar() == e.first.Scalar(); });
      if (!seen) merged.push_back(std::move(e));
    }
  }

  std::string file_;
  std::vector<std::string>& warnings_;
};

}  // namespace shardproxy::config::yaml
