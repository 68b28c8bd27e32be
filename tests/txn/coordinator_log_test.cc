#include "txn/coordinator_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "txn/xid.h"

namespace shardproxy::txn {
namespace {

namespace fs = std::filesystem;

class CoordinatorLogTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "sp_txn_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    dir_ = (root_ / "data" / "xa").string();  // levels that do not exist yet
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(root_, ec);
  }

  std::unique_ptr<CoordinatorLog> openLog() {
    auto log = CoordinatorLog::open(dir_);
    EXPECT_TRUE(log.isOk()) << log.status().toString();
    if (!log) return nullptr;
    return std::move(log.value());
  }

  fs::path root_;
  std::string dir_;
};

TEST_F(CoordinatorLogTest, InstanceIdStableAndBootIncrements) {
  std::string instance;
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    instance = log->instanceId();
    EXPECT_EQ(instance.size(), 16u);
    EXPECT_EQ(instance.find_first_not_of("0123456789abcdef"), std::string::npos) << instance;
    EXPECT_EQ(log->boot(), 1u);
    EXPECT_EQ(log->dir(), dir_);
  }
  for (uint64_t boot = 2; boot <= 4; ++boot) {
    auto log = openLog();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->instanceId(), instance);
    EXPECT_EQ(log->boot(), boot);
  }
}

TEST_F(CoordinatorLogTest, NewLogsGetDifferentInstances) {
  auto a = openLog();
  ASSERT_TRUE(a);
  dir_ = (root_ / "other").string();
  auto b = openLog();
  ASSERT_TRUE(b);
  EXPECT_NE(a->instanceId(), b->instanceId());
}

TEST_F(CoordinatorLogTest, DecisionSurvivesReopenUntilFinished) {
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    EXPECT_TRUE(log->pending().empty());
    EXPECT_FALSE(log->hasDecision("sp-x-1-1"));
    ASSERT_TRUE(log->logCommit("sp-x-1-1", {"ds_0", "ds_1"}).isOk());
    ASSERT_TRUE(log->logCommit("sp-x-1-2", {"ds_1"}).isOk());
    ASSERT_TRUE(log->logCommit("sp-x-1-3", {}).isOk());
    EXPECT_TRUE(log->hasDecision("sp-x-1-1"));
    EXPECT_FALSE(log->hasDecision("sp-x-1-4"));
  }
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    CoordinatorLog::Decisions expected = {
        {"sp-x-1-1", {"ds_0", "ds_1"}}, {"sp-x-1-2", {"ds_1"}}, {"sp-x-1-3", {}}};
    EXPECT_EQ(log->pending(), expected);
    auto checked = log->readPending();
    ASSERT_TRUE(checked.isOk());
    EXPECT_EQ(checked.value(), expected);
    auto decision = log->readDecision("sp-x-1-1");
    ASSERT_TRUE(decision.isOk());
    ASSERT_TRUE(decision->has_value());
    EXPECT_EQ(**decision, (std::vector<std::string>{"ds_0", "ds_1"}));
    decision = log->readDecision("sp-x-1-9");
    ASSERT_TRUE(decision.isOk());
    EXPECT_FALSE(decision->has_value());

    ASSERT_TRUE(log->finish("sp-x-1-1").isOk());
    ASSERT_TRUE(log->finish("sp-x-1-3").isOk());
    ASSERT_TRUE(log->finish("sp-x-1-404").isOk());  // nothing to remove: fine
    EXPECT_FALSE(log->hasDecision("sp-x-1-1"));
    EXPECT_TRUE(log->hasDecision("sp-x-1-2"));
  }
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->pending(), (CoordinatorLog::Decisions{{"sp-x-1-2", {"ds_1"}}}));
  }
}

TEST_F(CoordinatorLogTest, GtridsWithAnyBytes) {
  auto log = openLog();
  ASSERT_TRUE(log);
  const std::string gtrid("a\0/\n\xff", 5);
  ASSERT_TRUE(log->logCommit(gtrid, {"ds"}).isOk());
  EXPECT_EQ(log->pending(), (CoordinatorLog::Decisions{{gtrid, {"ds"}}}));
}

TEST_F(CoordinatorLogTest, RefusesWhatItCouldNotReadBack) {
  auto log = openLog();
  ASSERT_TRUE(log);
  EXPECT_EQ(log->logCommit("", {"ds"}).code(), 1105);
  Status s = log->logCommit("g", {"ds\n1"});
  EXPECT_EQ(s.code(), 1105);
  EXPECT_NE(s.message().find(dir_), std::string::npos) << s.message();
  EXPECT_FALSE(log->logCommit("g", {""}).isOk());
  EXPECT_FALSE(log->hasDecision("g"));
}

TEST_F(CoordinatorLogTest, ConcurrentCommitsAllPresentAfterReopen) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          std::string gtrid = "sp-c-1-" + std::to_string(t * kPerThread + i);
          if (!log->logCommit(gtrid, {"ds_" + std::to_string(t), "ds_x"}).isOk()) ++failures;
          // Every other one finished at once, as a session does after its commits.
          if (i % 2 == 1 && !log->finish(gtrid).isOk()) ++failures;
          if (log->hasDecision(gtrid) != (i % 2 == 0)) ++failures;
        }
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(failures.load(), 0);
  }
  auto log = openLog();
  ASSERT_TRUE(log);
  const auto pending = log->pending();
  EXPECT_EQ(pending.size(), static_cast<size_t>(kThreads * kPerThread / 2));
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; i += 2) {
      auto it = pending.find("sp-c-1-" + std::to_string(t * kPerThread + i));
      ASSERT_NE(it, pending.end());
      EXPECT_EQ(it->second, (std::vector<std::string>{"ds_" + std::to_string(t), "ds_x"}));
    }
  }
}

TEST_F(CoordinatorLogTest, UnwritableDirectoryIsAnError) {
  // A regular file where a directory should be: fails for root too.
  const fs::path file = root_ / "file";
  std::ofstream(file) << "x";
  dir_ = (file / "xa").string();
  auto log = CoordinatorLog::open(dir_);
  ASSERT_FALSE(log.isOk());
  EXPECT_EQ(log.status().code(), 1105);
  EXPECT_NE(log.status().message().find(dir_), std::string::npos) << log.status().message();

  dir_ = file.string();
  log = CoordinatorLog::open(dir_);
  ASSERT_FALSE(log.isOk());
  EXPECT_EQ(log.status().code(), 1105);
}

TEST_F(CoordinatorLogTest, SecondOpenOfTheSameDirectoryIsAnError) {
  auto first = openLog();
  ASSERT_TRUE(first);
  auto second = CoordinatorLog::open(dir_);
  ASSERT_FALSE(second.isOk());
  EXPECT_EQ(second.status().code(), 1105);
  EXPECT_NE(second.status().message().find("--data-dir"), std::string::npos)
      << second.status().message();
}

TEST_F(CoordinatorLogTest, CorruptMetaIsAnError) {
  { ASSERT_TRUE(openLog()); }
  {
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(rocksdb::Options(), dir_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "meta/boot", "seven").ok());
  }
  auto log = CoordinatorLog::open(dir_);
  ASSERT_FALSE(log.isOk());
  EXPECT_EQ(log.status().code(), 1105);
  EXPECT_NE(log.status().message().find("boot"), std::string::npos) << log.status().message();
}

TEST_F(CoordinatorLogTest, ForeignDatabaseIsAnError) {
  {
    rocksdb::Options options;
    options.create_if_missing = true;
    fs::create_directories(dir_);
    rocksdb::DB* raw = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir_, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    ASSERT_TRUE(db->Put(rocksdb::WriteOptions(), "something", "else").ok());
  }
  auto log = CoordinatorLog::open(dir_);
  ASSERT_FALSE(log.isOk());
  EXPECT_EQ(log.status().code(), 1105);
}

// The layout of format 1 (the format before the decision time), written with raw RocksDB calls
// as that version of the proxy wrote it.
constexpr const char* kOldInstance = "0123456789abcdef";

void writeFormat1(const std::string& dir,
                  const std::vector<std::pair<std::string, std::string>>& extra,
                  const std::string& format = "1") {
  rocksdb::Options options;
  options.create_if_missing = true;
  fs::create_directories(dir);
  rocksdb::DB* raw = nullptr;
  ASSERT_TRUE(rocksdb::DB::Open(options, dir, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::WriteOptions synced;
  synced.sync = true;
  ASSERT_TRUE(db->Put(synced, "meta/format", format).ok());
  ASSERT_TRUE(db->Put(synced, "meta/instance", kOldInstance).ok());
  ASSERT_TRUE(db->Put(synced, "meta/boot", "3").ok());
  rocksdb::WriteBatch batch;
  for (const auto& [key, value] : extra) ASSERT_TRUE(batch.Put(key, value).ok());
  ASSERT_TRUE(db->Write(synced, &batch).ok());
}

// Every key of the log with `prefix`, read with raw RocksDB calls (the log must be closed).
std::map<std::string, std::string> rawKeys(const std::string& dir, const std::string& prefix) {
  rocksdb::DB* raw = nullptr;
  std::map<std::string, std::string> out;
  EXPECT_TRUE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), dir, &raw).ok());
  if (!raw) return out;
  std::unique_ptr<rocksdb::DB> db(raw);
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    out.emplace(it->key().ToString(), it->value().ToString());
  }
  return out;
}

TEST_F(CoordinatorLogTest, Format1LogIsUpgradedWithItsInDoubtDecisions) {
  // An in-doubt transaction of the old proxy (boot 2): decided, branches prepared on two data
  // sources, not finished when it stopped.
  const std::string inDoubt = std::string("sp-") + kOldInstance + "-2-7";
  const std::string other = std::string("sp-") + kOldInstance + "-3-1";
  writeFormat1(dir_, {{"commit/" + inDoubt, "ds_0\nds_1"}, {"commit/" + other, "ds_1"}});
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    EXPECT_EQ(log->instanceId(), kOldInstance);  // the same instance: its branches stay ours
    EXPECT_EQ(log->boot(), 4u);
    // What recovery reads: the pending decisions and each branch's decision.
    auto pending = log->readPending();
    ASSERT_TRUE(pending.isOk()) << pending.status().toString();
    EXPECT_EQ(*pending,
              (CoordinatorLog::Decisions{{inDoubt, {"ds_0", "ds_1"}}, {other, {"ds_1"}}}));
    EXPECT_TRUE(log->hasDecision(inDoubt));
    auto record = log->readDecisionRecord(inDoubt);
    ASSERT_TRUE(record.isOk() && record->has_value());
    EXPECT_EQ((*record)->dataSources, (std::vector<std::string>{"ds_0", "ds_1"}));
    EXPECT_EQ((*record)->decidedAtMillis, 0);  // not known in format 1
    XidGenerator xids(log->instanceId(), log->boot());
    EXPECT_TRUE(xids.ours(inDoubt));
    EXPECT_FALSE(log->hasDecision(std::string("sp-") + kOldInstance + "-2-8"));
    // New decisions carry their time; old ones can be finished.
    const auto before = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    ASSERT_TRUE(log->logCommit("g-new", {"ds_0"}).isOk());
    auto fresh = log->readDecisionRecord("g-new");
    ASSERT_TRUE(fresh.isOk() && fresh->has_value());
    EXPECT_GE((*fresh)->decidedAtMillis, before);
    ASSERT_TRUE(log->finish(other).isOk());
  }
  EXPECT_EQ(rawKeys(dir_, "meta/format"),
            (std::map<std::string, std::string>{{"meta/format", "2"}}));
  EXPECT_TRUE(rawKeys(dir_, "commit/").empty());
  // Opening again changes nothing but the boot.
  auto again = openLog();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->boot(), 5u);
  auto pending = again->readPending();
  ASSERT_TRUE(pending.isOk());
  EXPECT_EQ(pending->size(), 2u);
  EXPECT_EQ(pending->at(inDoubt), (std::vector<std::string>{"ds_0", "ds_1"}));
  EXPECT_EQ(pending->count("g-new"), 1u);
}

TEST_F(CoordinatorLogTest, InterruptedUpgradeIsFinishedOnTheNextOpen) {
  // A crash after the first batch: one decision moved, two not, the format still 1.
  writeFormat1(dir_,
               {{"decision/g1", "0\nds_0"}, {"commit/g2", "ds_0\nds_1"}, {"commit/g3", "ds_1"}});
  {
    auto log = openLog();
    ASSERT_TRUE(log);
    auto pending = log->readPending();
    ASSERT_TRUE(pending.isOk());
    EXPECT_EQ(*pending, (CoordinatorLog::Decisions{
                            {"g1", {"ds_0"}}, {"g2", {"ds_0", "ds_1"}}, {"g3", {"ds_1"}}}));
  }
  EXPECT_TRUE(rawKeys(dir_, "commit/").empty());
  EXPECT_EQ(rawKeys(dir_, "decision/").size(), 3u);
}

TEST_F(CoordinatorLogTest, UpgradeMovesManyDecisionsInBatches) {
  std::vector<std::pair<std::string, std::string>> old;
  for (int i = 0; i < 700; ++i)
    old.emplace_back("commit/g" + std::to_string(i), "ds_" + std::to_string(i % 3));
  writeFormat1(dir_, old);
  auto log = openLog();
  ASSERT_TRUE(log);
  auto pending = log->readPending();
  ASSERT_TRUE(pending.isOk());
  ASSERT_EQ(pending->size(), 700u);
  EXPECT_EQ(pending->at("g699"), std::vector<std::string>{"ds_0"});
}

TEST_F(CoordinatorLogTest, NewerFormatIsRefused) {
  writeFormat1(dir_, {{"decision/g1", "0\nds_0"}}, "3");
  auto log = CoordinatorLog::open(dir_);
  ASSERT_FALSE(log.isOk());
  EXPECT_EQ(log.status().code(), 1105);
  const std::string& message = log.status().message();
  EXPECT_NE(message.find("newer shardproxy (format version 3"), std::string::npos) << message;
  EXPECT_NE(message.find("versions 1 to 2"), std::string::npos) << message;
  // Refused without touching it: the newer proxy still finds its log as it left it.
  EXPECT_EQ(rawKeys(dir_, "meta/boot"), (std::map<std::string, std::string>{{"meta/boot", "3"}}));
  for (const char* bad : {"0", "two", ""}) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    writeFormat1(dir_, {}, bad);
    auto refused = CoordinatorLog::open(dir_);
    ASSERT_FALSE(refused.isOk()) << bad;
    EXPECT_NE(refused.status().message().find("unsupported format version"), std::string::npos)
        << refused.status().message();
  }
}

}  // namespace
}  // namespace shardproxy::txn
