#include "txn/coordinator_log.h"

#include <rocksdb/db.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>
#include <sys/random.h>

#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <limits>
#include <string_view>
#include <system_error>
#include <utility>

#include "common/log.h"

namespace shardproxy::txn {
namespace {

// Key layout. Meta keys are written once, together, on creation (boot is rewritten on every open,
// format on an upgrade); a log with only some of them is corrupt.
//
// Format 2: "decision/<gtrid>" -> "<decided at, Unix ms>\n<data source>\n<data source>...".
// Format 1 (before): "commit/<gtrid>" -> "<data source>\n<data source>...", without the time.
// The format is bumped when the layout changes, so that an older proxy refuses a log it would
// misread; a newer proxy upgrades an older log on open (upgradeFrom1).
constexpr std::string_view kFormatKey = "meta/format";
constexpr std::string_view kInstanceKey = "meta/instance";
constexpr std::string_view kBootKey = "meta/boot";
constexpr std::string_view kDecisionPrefix = "decision/";
constexpr std::string_view kFormat1CommitPrefix = "commit/";
constexpr size_t kInstanceIdLength = 16;
// Decisions moved per synced batch by an upgrade: bounded batches, each atomic.
constexpr size_t kUpgradeBatch = 256;

rocksdb::Slice slice(std::string_view s) { return rocksdb::Slice(s.data(), s.size()); }

std::string decisionKey(std::string_view gtrid) {
  std::string key(kDecisionPrefix);
  key += gtrid;
  return key;
}

int64_t nowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status logError(const std::string& dir, std::string_view what, std::string_view detail) {
  std::string message = "coordinator log in '" + dir + "': ";
  message += what;
  if (!detail.empty()) {
    message += ": ";
    message += detail;
  }
  return makeError(er::kUnknownError, std::move(message));
}

Status logError(const std::string& dir, std::string_view what, const rocksdb::Status& s) {
  return logError(dir, what, s.ToString());
}

std::string joinDataSources(const std::vector<std::string>& dataSources) {
  std::string joined;
  for (size_t i = 0; i < dataSources.size(); ++i) {
    if (i > 0) joined += '\n';
    joined += dataSources[i];
  }
  return joined;
}

std::vector<std::string> splitDataSources(std::string_view joined) {
  std::vector<std::string> names;
  if (joined.empty()) return names;
  while (true) {
    const size_t nl = joined.find('\n');
    names.emplace_back(joined.substr(0, nl));
    if (nl == std::string_view::npos) break;
    joined.remove_prefix(nl + 1);
  }
  return names;
}

bool isHexId(std::string_view s) {
  if (s.size() != kInstanceIdLength) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// A decision's value: the time it was made, then its data sources.
std::string encodeDecision(int64_t decidedAtMillis, std::string_view joinedDataSources) {
  std::string value = std::to_string(decidedAtMillis);
  value += '\n';
  value += joinedDataSources;
  return value;
}

struct DecodedDecision {
  int64_t decidedAtMillis = 0;
  std::vector<std::string> dataSources;
};

std::optional<DecodedDecision> decodeDecision(std::string_view value) {
  const size_t nl = value.find('\n');
  if (nl == std::string_view::npos || nl == 0) return std::nullopt;
  DecodedDecision out;
  auto [end, ec] = std::from_chars(value.data(), value.data() + nl, out.decidedAtMillis);
  if (ec != std::errc() || end != value.data() + nl) return std::nullopt;
  out.dataSources = splitDataSources(value.substr(nl + 1));
  return out;
}

std::optional<uint64_t> parseBoot(std::string_view s) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

Result<std::string> randomInstanceId(const std::string& dir) {
  unsigned char bytes[kInstanceIdLength / 2];
  size_t filled = 0;
  while (filled < sizeof(bytes)) {
    const ssize_t n = getrandom(bytes + filled, sizeof(bytes) - filled, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return logError(dir, "cannot generate the instance id", std::strerror(errno));
    }
    filled += static_cast<size_t>(n);
  }
  constexpr char kHex[] = "0123456789abcdef";
  std::string id;
  for (unsigned char b : bytes) {
    id += kHex[b >> 4];
    id += kHex[b & 0xf];
  }
  return id;
}

// Reads one meta key: nullopt when absent.
Result<std::optional<std::string>> readKey(rocksdb::DB& db, const std::string& dir,
                                           std::string_view key) {
  std::string value;
  const rocksdb::Status s = db.Get(rocksdb::ReadOptions(), slice(key), &value);
  if (s.IsNotFound()) return std::optional<std::string>();
  if (!s.ok()) return logError(dir, "cannot read " + std::string(key), s);
  return std::optional<std::string>(std::move(value));
}

// Fills `out` with every decision it can read; the returned status says whether that was all.
rocksdb::Status scanDecisions(rocksdb::DB& db, CoordinatorLog::Decisions& out) {
  std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
  rocksdb::Status bad;
  for (it->Seek(slice(kDecisionPrefix)); it->Valid(); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    if (!key.starts_with(kDecisionPrefix)) break;
    auto decision = decodeDecision(std::string_view(it->value().data(), it->value().size()));
    if (!decision) {
      bad = rocksdb::Status::Corruption("bad decision value", std::string(key));
      continue;
    }
    out.emplace(std::string(key.substr(kDecisionPrefix.size())), std::move(decision->dataSources));
  }
  if (!it->status().ok()) return it->status();
  return bad;
}

// Format 1 -> 2: every "commit/<gtrid>" becomes "decision/<gtrid>" with time 0 (unknown), in
// synced batches that each move some decisions atomically (put the new key, delete the old);
// the format key is written last, alone. A crash part way leaves a format-1 log whose decisions
// are each under exactly one of the two keys, and the next open moves the rest: the upgrade is
// idempotent and loses nothing. Returns the number of decisions moved.
Result<size_t> upgradeFrom1(rocksdb::DB& db, const std::string& dir) {
  rocksdb::WriteOptions synced;
  synced.sync = true;
  size_t moved = 0;
  for (;;) {
    rocksdb::WriteBatch batch;
    size_t inBatch = 0;
    {
      std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions()));
      for (it->Seek(slice(kFormat1CommitPrefix)); it->Valid() && inBatch < kUpgradeBatch;
           it->Next()) {
        const std::string_view key(it->key().data(), it->key().size());
        if (!key.starts_with(kFormat1CommitPrefix)) break;
        const std::string newKey = decisionKey(key.substr(kFormat1CommitPrefix.size()));
        // Already moved by an earlier, interrupted run (only possible if a batch was split by
        // something other than this code): the moved copy stands, the old key just goes.
        std::string existing;
        const rocksdb::Status got = db.Get(rocksdb::ReadOptions(), newKey, &existing);
        if (got.IsNotFound()) {
          const std::string value =
              encodeDecision(0, std::string_view(it->value().data(), it->value().size()));
          rocksdb::Status ps = batch.Put(newKey, value);
          if (!ps.ok()) return logError(dir, "upgrade from format 1", ps);
        } else if (!got.ok()) {
          return logError(dir, "upgrade from format 1", got);
        }
        rocksdb::Status ds = batch.Delete(it->key());
        if (!ds.ok()) return logError(dir, "upgrade from format 1", ds);
        ++inBatch;
      }
      if (!it->status().ok()) return logError(dir, "upgrade from format 1", it->status());
    }
    if (inBatch == 0) break;
    const rocksdb::Status ws = db.Write(synced, &batch);
    if (!ws.ok()) return logError(dir, "upgrade from format 1", ws);
    moved += inBatch;
  }
  const rocksdb::Status fs =
      db.Put(synced, slice(kFormatKey), std::to_string(CoordinatorLog::kFormatVersion));
  if (!fs.ok()) return logError(dir, "upgrade from format 1: cannot write the format", fs);
  return moved;
}

}  // namespace

CoordinatorLog::CoordinatorLog(std::string dir, std::unique_ptr<rocksdb::DB> db,
                               std::string instanceId, uint64_t boot)
    : dir_(std::move(dir)), db_(std::move(db)), instanceId_(std::move(instanceId)), boot_(boot) {}

CoordinatorLog::~CoordinatorLog() {
  const rocksdb::Status s = db_->Close();
  if (!s.ok()) spdlog::warn("coordinator log in '{}': close: {}", dir_, s.ToString());
}

Result<std::unique_ptr<CoordinatorLog>> CoordinatorLog::open(const std::string& dir) {
  if (dir.empty()) return logError(dir, "no directory given", "");
  // RocksDB creates only the last level of the path; --data-dir may name a deeper new one.
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return logError(dir, "cannot create the directory", ec.message());

  rocksdb::Options options;
  options.create_if_missing = true;
  // The log holds only in-flight decisions (a few KB): a small memtable keeps the WAL replayed
  // at start-up short and the memory use low.
  options.write_buffer_size = 4 << 20;
  options.keep_log_file_num = 3;
  options.max_log_file_size = 1 << 20;

  rocksdb::DB* raw = nullptr;
  const rocksdb::Status s = rocksdb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    std::string detail = s.ToString();
    if (detail.find("LOCK") != std::string::npos) {
      detail += " (is another shardproxy using this --data-dir?)";
    }
    return logError(dir, "cannot open", detail);
  }
  std::unique_ptr<rocksdb::DB> db(raw);

  auto format = readKey(*db, dir, kFormatKey);
  if (!format) return format.status();
  auto instance = readKey(*db, dir, kInstanceKey);
  if (!instance) return instance.status();
  auto bootValue = readKey(*db, dir, kBootKey);
  if (!bootValue) return bootValue.status();

  rocksdb::WriteOptions synced;
  synced.sync = true;
  std::string instanceId;
  uint64_t boot = 0;
  if (!format->has_value() && !instance->has_value() && !bootValue->has_value()) {
    // New log, unless the directory holds some other RocksDB database.
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
    it->SeekToFirst();
    if (!it->status().ok()) return logError(dir, "cannot read", it->status());
    if (it->Valid()) return logError(dir, "not a shardproxy coordinator log (no meta keys)", "");
    auto id = randomInstanceId(dir);
    if (!id) return id.status();
    instanceId = std::move(id.value());
    boot = 1;
    rocksdb::WriteBatch batch;
    rocksdb::Status bs = batch.Put(slice(kFormatKey), std::to_string(kFormatVersion));
    if (bs.ok()) bs = batch.Put(slice(kInstanceKey), slice(instanceId));
    if (bs.ok()) bs = batch.Put(slice(kBootKey), slice(std::to_string(boot)));
    if (bs.ok()) bs = db->Write(synced, &batch);
    if (!bs.ok()) return logError(dir, "cannot initialize", bs);
  } else {
    if (!format->has_value() || !instance->has_value() || !bootValue->has_value()) {
      return logError(dir, "corrupt: meta keys missing", "");
    }
    const auto version = parseBoot(**format);
    if (!version || *version == 0) {
      return logError(dir, "unsupported format version '" + **format + "'", "");
    }
    if (*version > static_cast<uint64_t>(kFormatVersion)) {
      return logError(dir,
                      "written by a newer shardproxy (format version " + **format +
                          "; this one reads versions 1 to " + std::to_string(kFormatVersion) +
                          "): run that version, or one at least as new, on this --data-dir",
                      "");
    }
    if (!isHexId(**instance)) return logError(dir, "corrupt: bad instance id", "");
    const auto previous = parseBoot(**bootValue);
    if (!previous) return logError(dir, "corrupt: bad boot counter", "");
    if (*previous == std::numeric_limits<uint64_t>::max()) {
      return logError(dir, "boot counter exhausted", "");
    }
    // Only a log this code can use is upgraded: a refused one stays as its writer left it.
    if (*version == 1) {
      auto moved = upgradeFrom1(*db, dir);
      if (!moved) return moved.status();
      spdlog::info("coordinator log in '{}': upgraded from format 1 to {} ({} pending decisions)",
                   dir, kFormatVersion, *moved);
    }
    instanceId = std::move(**instance);
    boot = *previous + 1;
    // Synced: two boots must never share a number, or their gtrids could collide.
    const rocksdb::Status ws = db->Put(synced, slice(kBootKey), slice(std::to_string(boot)));
    if (!ws.ok()) return logError(dir, "cannot write the boot counter", ws);
  }
  return std::unique_ptr<CoordinatorLog>(
      new CoordinatorLog(dir, std::move(db), std::move(instanceId), boot));
}

Status CoordinatorLog::logCommit(const std::string& gtrid,
                                 const std::vector<std::string>& dataSources) {
  if (gtrid.empty()) return logError(dir_, "empty gtrid", "");
  for (const auto& name : dataSources) {
    if (name.empty() || name.find('\n') != std::string::npos) {
      return logError(dir_, "data source name '" + name + "' cannot be logged", "");
    }
  }
  rocksdb::WriteOptions options;
  options.sync = true;
  const rocksdb::Status s = db_->Put(options, slice(decisionKey(gtrid)),
                                     encodeDecision(nowMillis(), joinDataSources(dataSources)));
  if (!s.ok()) return logError(dir_, "cannot log the commit of " + gtrid, s);
  return Status::ok();
}

Status CoordinatorLog::finish(const std::string& gtrid) {
  const rocksdb::Status s = db_->Delete(rocksdb::WriteOptions(), slice(decisionKey(gtrid)));
  if (!s.ok()) return logError(dir_, "cannot remove the decision of " + gtrid, s);
  return Status::ok();
}

Result<CoordinatorLog::Decisions> CoordinatorLog::readPending() const {
  Decisions decisions;
  const rocksdb::Status s = scanDecisions(*db_, decisions);
  if (!s.ok()) return logError(dir_, "cannot read the pending decisions", s);
  return decisions;
}

CoordinatorLog::Decisions CoordinatorLog::pending() const {
  Decisions decisions;
  const rocksdb::Status s = scanDecisions(*db_, decisions);
  if (!s.ok()) {
    spdlog::error("coordinator log in '{}': cannot read every pending decision: {}", dir_,
                  s.ToString());
  }
  return decisions;
}

Result<std::optional<CoordinatorLog::Decision>> CoordinatorLog::readDecisionRecord(
    const std::string& gtrid) const {
  std::string value;
  const rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), slice(decisionKey(gtrid)), &value);
  if (s.IsNotFound()) return std::optional<Decision>();
  if (!s.ok()) return logError(dir_, "cannot read the decision of " + gtrid, s);
  auto decoded = decodeDecision(value);
  if (!decoded) return logError(dir_, "corrupt decision of " + gtrid, "");
  return std::optional<Decision>(
      Decision{std::move(decoded->dataSources), decoded->decidedAtMillis});
}

Result<std::optional<std::vector<std::string>>> CoordinatorLog::readDecision(
    const std::string& gtrid) const {
  auto record = readDecisionRecord(gtrid);
  if (!record) return record.status();
  if (!record->has_value()) return std::optional<std::vector<std::string>>();
  return std::optional<std::vector<std::string>>(std::move((*record)->dataSources));
}

bool CoordinatorLog::hasDecision(const std::string& gtrid) const {
  auto decision = readDecision(gtrid);
  if (!decision) {
    spdlog::error("{} (taken as decided)", decision.status().message());
    return true;
  }
  return decision->has_value();
}

}  // namespace shardproxy::txn
