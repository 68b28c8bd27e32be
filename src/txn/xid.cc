#include "txn/xid.h"

#include <utility>

namespace shardproxy::txn {
namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

void appendHex(std::string& out, std::string_view bytes) {
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 0xf];
  }
}

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decodeHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = hexValue(hex[i]);
    int lo = hexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out += static_cast<char>(hi << 4 | lo);
  }
  return out;
}

bool allDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

}  // namespace

std::string xidSql(const Xid& xid) {
  std::string out;
  out.reserve(8 + 2 * (xid.gtrid.size() + xid.bqual.size()) + 20);
  out += "X'";
  appendHex(out, xid.gtrid);
  out += "',X'";
  appendHex(out, xid.bqual);
  out += "',";
  out += std::to_string(xid.formatId);
  return out;
}

bool xidFits(const Xid& xid) {
  return !xid.gtrid.empty() && xid.gtrid.size() <= kMaxGtridLength &&
         xid.bqual.size() <= kMaxBqualLength;
}

std::optional<Xid> parseRecoverRow(int64_t formatId, int64_t gtridLength, int64_t bqualLength,
                                   std::string_view data) {
  // Checked before adding so that absurd lengths from a broken server cannot overflow.
  if (gtridLength < 0 || gtridLength > static_cast<int64_t>(kMaxGtridLength)) return std::nullopt;
  if (bqualLength < 0 || bqualLength > static_cast<int64_t>(kMaxBqualLength)) return std::nullopt;
  const auto total = static_cast<size_t>(gtridLength + bqualLength);
  std::string raw;
  if (data.size() == total) {
    raw = std::string(data);
  } else if (data.size() == 2 + 2 * total && (data.starts_with("0x") || data.starts_with("0X"))) {
    auto decoded = decodeHex(data.substr(2));
    if (!decoded) return std::nullopt;
    raw = std::move(*decoded);
  } else {
    return std::nullopt;
  }
  Xid xid;
  xid.gtrid = raw.substr(0, static_cast<size_t>(gtridLength));
  xid.bqual = raw.substr(static_cast<size_t>(gtridLength));
  xid.formatId = formatId;
  return xid;
}

XidGenerator::XidGenerator(std::string instance, uint64_t boot)
    : instance_(std::move(instance)), boot_(boot) {
  prefix_ = "sp-" + instance_ + "-";
  bootPrefix_ = prefix_ + std::to_string(boot_) + "-";
}

std::string XidGenerator::next() {
  // Relaxed is enough: only uniqueness matters, not ordering against other memory.
  const uint64_t n = sequence_.fetch_add(1, std::memory_order_relaxed) + 1;
  return bootPrefix_ + std::to_string(n);
}

bool XidGenerator::ours(std::string_view gtrid) const {
  if (!gtrid.starts_with(prefix_)) return false;
  // The rest must be exactly "<boot>-<sequence>": anything else belongs to an instance whose id
  // merely starts like ours (instance "ab" must not claim "sp-ab-c-1-2" of instance "ab-c").
  std::string_view rest = gtrid.substr(prefix_.size());
  const size_t dash = rest.find('-');
  if (dash == std::string_view::npos) return false;
  return allDigits(rest.substr(0, dash)) && allDigits(rest.substr(dash + 1));
}

}  // namespace shardproxy::txn
