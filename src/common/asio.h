// The one way to include Boost.Asio: Boost 1.74's awaitable.hpp needs <utility> first.
#pragma once

#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shardproxy {
namespace asio = boost::asio;
template <typename T = void>
using awaitable = boost::asio::awaitable<T>;
using boost::asio::use_awaitable;
}  // namespace shardproxy
