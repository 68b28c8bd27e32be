// XA transaction ids of the branches this proxy starts on its data sources: how they are made,
// written into XA statements, read back from XA RECOVER, and recognised as ours after a restart.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shardproxy::txn {

// formatID of every XA transaction branch this proxy starts ('SPXY' as a 32-bit number).
inline constexpr int64_t kFormatId = 0x53505859;
// MySQL and MariaDB limits (MAXGTRIDSIZE, MAXBQUALSIZE): a longer part is refused by XA START.
inline constexpr size_t kMaxGtridLength = 64;
inline constexpr size_t kMaxBqualLength = 64;

struct Xid {
  std::string gtrid;  // global transaction id: "sp-<instance>-<boot>-<sequence>"
  std::string bqual;  // branch qualifier: the data source name
  int64_t formatId = kFormatId;
  bool operator==(const Xid&) const = default;
};

// The xid as MySQL's XA statements write it: X'<gtrid hex>',X'<bqual hex>',<formatId>
// (hex so that any bytes are safe whatever the connection's sql_mode or charset).
std::string xidSql(const Xid& xid);

// Whether XA START would accept the xid: gtrid 1..64 bytes, bqual 0..64 bytes. A data source name
// longer than 64 bytes cannot be a bqual, so the session should check before starting XA.
bool xidFits(const Xid& xid);

// One row of `XA RECOVER` (columns formatID, gtrid_length, bqual_length, data): nullopt when
// the lengths do not fit the data. `data` is the raw gtrid followed by the bqual (MariaDB and
// MySQL's default); MySQL 8's `XA RECOVER CONVERT XID` form ("0x" and the hex of both) is
// accepted too, since its length can never be mistaken for the raw form's.
std::optional<Xid> parseRecoverRow(int64_t formatId, int64_t gtridLength, int64_t bqualLength,
                                   std::string_view data);

// Makes gtrids unique across restarts (boot) and proxy instances (instance): thread-safe.
class XidGenerator {
 public:
  XidGenerator(std::string instance, uint64_t boot);

  // "sp-<instance>-<boot>-<n>", n from 1. With a 16-digit instance id the gtrid is at most 61
  // bytes, within kMaxGtridLength.
  std::string next();
  // Whether `gtrid` was made by a generator of this instance (any boot). Exact: "sp-ab-1-2" is
  // not claimed by instance "a" nor "abc", and "sp-ab-c-1-2" is not claimed by instance "ab".
  bool ours(std::string_view gtrid) const;
  const std::string& instance() const { return instance_; }
  uint64_t boot() const { return boot_; }

 private:
  std::string instance_;
  uint64_t boot_;
  std::string prefix_;      // "sp-<instance>-", shared by every boot
  std::string bootPrefix_;  // "sp-<instance>-<boot>-"
  std::atomic<uint64_t> sequence_{0};
};

}  // namespace shardproxy::txn
