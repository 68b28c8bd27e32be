// Logging set-up: one spdlog logger for the whole process (the only global mutable state).
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace shardproxy {

// Installs the process logger; level is one of spdlog's names ("info", "debug", ...).
void initLogging(const std::string& level);

}  // namespace shardproxy
