// Runs a blocking piece of work on a thread pool and resumes the calling coroutine on its own
// executor, so that a worker serves its other sessions meanwhile.
#pragma once

#include <optional>
#include <utility>

#include "common/asio.h"

namespace shardproxy {

// Runs `work` on `pool` and resumes the caller on its own executor (the worker): Boost 1.74's
// co_spawn would resume it on the pool's thread. `work` must own what it reads. The result is an
// optional only so that the completion's type is default-constructible.
//
// Pass `work` as a named local moved in: GCC 12 gives a lambda written inside the co_await
// expression to the callee as a bitwise copy, so its captures would be freed twice.
template <class T, class F>
awaitable<std::optional<T>> runOn(asio::thread_pool& pool, F work) {
  auto initiate = [&pool](auto handler, F work) {
    auto home = asio::get_associated_executor(handler);
    asio::post(pool, [handler = std::move(handler), home, work = std::move(work)]() mutable {
      std::optional<T> result(work());
      asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
        std::move(handler)(std::move(result));
      });
    });
  };
  return asio::async_initiate<decltype(use_awaitable), void(std::optional<T>)>(
      initiate, use_awaitable, std::move(work));
}

}  // namespace shardproxy
