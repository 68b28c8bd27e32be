// What the process-wide cap costs a worker: taking and giving back a slot of a data source's
// gate (a CAS and an atomic decrement while below the cap and nobody waits), alone and from
// several threads at once on the same gate; and the check a released connection makes for
// waiters.
#include <benchmark/benchmark.h>

#include <memory>

#include "backend/connection.h"
#include "backend/data_source_gate.h"

namespace {

using shardproxy::backend::Connection;
using shardproxy::backend::DataSourceGate;

DataSourceGate& sharedGate() {
  static DataSourceGate gate("ds_bench", 1 << 20, 0);
  return gate;
}

void BM_GateTakeGive(benchmark::State& state) {
  DataSourceGate& gate = sharedGate();
  for (auto _ : state) {
    bool taken = gate.tryTake();
    benchmark::DoNotOptimize(taken);
    if (taken) gate.give();
  }
}
BENCHMARK(BM_GateTakeGive)->Threads(1)->Threads(2)->Threads(4);

void BM_GateOfferWithNobodyWaiting(benchmark::State& state) {
  DataSourceGate& gate = sharedGate();
  std::unique_ptr<Connection> conn;  // null: only the check for waiters is measured
  for (auto _ : state) {
    conn = gate.offer(std::move(conn), nullptr);
    benchmark::DoNotOptimize(conn);
  }
}
BENCHMARK(BM_GateOfferWithNobodyWaiting);

}  // namespace

BENCHMARK_MAIN();
