// Boost.Asio's TLS streams, included after common/asio.h (which Asio needs first).
#pragma once

// common/asio.h must come first, so the include order is not sorted here.
// clang-format off
#include "common/asio.h"

#include <boost/asio/ssl.hpp>
// clang-format on
