// A throw-away configuration directory for loader tests: files are written into a fresh folder
// under the system temp dir and removed with it.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <string>

#include "config/topology.h"

namespace shardproxy::config::testing {

class ConfigDir {
 public:
  ConfigDir() {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = "shardproxy-config-" + std::to_string(::getpid()) + "-" +
                       std::to_string(counter++) +
                       (info != nullptr ? std::string("-") + info->name() : std::string());
    dir_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  ~ConfigDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ConfigDir(const ConfigDir&) = delete;
  ConfigDir& operator=(const ConfigDir&) = delete;

  std::string path() const { return dir_.string(); }

  // The name the loader uses for `name` in its messages.
  std::string file(const std::string& name) const { return (dir_ / name).string(); }

  // Writes `content` to `name` and returns file(name).
  std::string write(const std::string& name, const std::string& content) const {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << content;
    return file(name);
  }

  std::shared_ptr<const Topology> load() const { return loadTopology(path()); }

  // The ConfigError message, or "" when loading succeeds.
  std::string error() const {
    try {
      loadTopology(path());
    } catch (const ConfigError& e) {
      return e.what();
    }
    return "";
  }

 private:
  std::filesystem::path dir_;
};

}  // namespace shardproxy::config::testing
