// The one way to include Boost.Asio: Boost 1.74's awaitable.hpp needs <utility> first.
#pragma once

// <utility> must come first, so the include order is not sorted here.
// clang-format off
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
// clang-format on

namespace shardproxy {
namespace asio = boost::asio;
template <typename T = void>
using awaitable = boost::asio::awaitable<T>;
using boost::asio::use_awaitable;
}  // namespace shardproxy
