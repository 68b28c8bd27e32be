// Runs several coroutines at once on one executor and waits for all of them.
#pragma once

#include <chrono>
#include <cstddef>

#include "common/asio.h"

namespace shardproxy {

// Starts body(0) .. body(n-1) (each returning awaitable<void>) together on `executor` and
// returns when every one has finished. The executor must be the caller's single-threaded one:
// the bodies then share its thread, so what they write needs no lock, and none of them runs
// before the caller waits.
template <typename Body>
awaitable<void> runAll(asio::any_io_executor executor, size_t n, Body body) {
  size_t pending = n;
  asio::steady_timer allDone(executor, std::chrono::steady_clock::time_point::max());
  for (size_t i = 0; i < n; ++i) {
    asio::co_spawn(
        executor,
        [&, i]() -> awaitable<void> {
          co_await body(i);
          if (--pending == 0) allDone.cancel();
        },
        asio::detached);
  }
  if (pending > 0) {
    boost::system::error_code ignored;
    co_await allDone.async_wait(asio::redirect_error(use_awaitable, ignored));
  }
}

}  // namespace shardproxy
