// How long the XA coordinator log's synced commit decision takes here, alone and with several
// threads deciding at once (RocksDB joins concurrent synced writes into one fsync), and the
// unsynced removal of a finished decision.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "txn/coordinator_log.h"

namespace {

using shardproxy::txn::CoordinatorLog;

std::unique_ptr<CoordinatorLog>& sharedLog() {
  static std::unique_ptr<CoordinatorLog> log = [] {
    std::string dir = std::filesystem::temp_directory_path() /
                      ("shardproxy-xa-log-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir);
    auto opened = CoordinatorLog::open(dir);
    return opened ? std::move(opened.value()) : nullptr;
  }();
  return log;
}

std::atomic<uint64_t> sequence{0};

void BM_LogCommitSynced(benchmark::State& state) {
  CoordinatorLog* log = sharedLog().get();
  if (!log) {
    state.SkipWithError("cannot open the coordinator log");
    return;
  }
  for (auto _ : state) {
    std::string gtrid = "sp-bench-1-" + std::to_string(sequence.fetch_add(1));
    if (!log->logCommit(gtrid, {"ds_0", "ds_1"})) state.SkipWithError("logCommit failed");
  }
}
BENCHMARK(BM_LogCommitSynced)->Threads(1)->Threads(4)->Threads(8)->Threads(16)->UseRealTime();

void BM_FinishUnsynced(benchmark::State& state) {
  CoordinatorLog* log = sharedLog().get();
  if (!log) {
    state.SkipWithError("cannot open the coordinator log");
    return;
  }
  for (auto _ : state) {
    state.PauseTiming();
    std::string gtrid = "sp-bench-2-" + std::to_string(sequence.fetch_add(1));
    (void)log->logCommit(gtrid, {"ds_0"});
    state.ResumeTiming();
    (void)log->finish(gtrid);
  }
}
BENCHMARK(BM_FinishUnsynced);

}  // namespace

BENCHMARK_MAIN();
