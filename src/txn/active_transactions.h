// The XA transactions this process is running, by gtrid, shared by every worker: recovery must
// leave their branches alone (a branch prepared a moment ago is not in doubt; its coordinator is
// about to decide).
#pragma once

#include <mutex>
#include <set>
#include <string>

namespace shardproxy::txn {

class ActiveTransactions {
 public:
  void add(const std::string& gtrid) {
    std::lock_guard lock(mutex_);
    active_.insert(gtrid);
  }
  void remove(const std::string& gtrid) {
    std::lock_guard lock(mutex_);
    active_.erase(gtrid);
  }
  bool contains(const std::string& gtrid) const {
    std::lock_guard lock(mutex_);
    return active_.count(gtrid) > 0;
  }

 private:
  mutable std::mutex mutex_;
  std::set<std::string> active_;
};

}  // namespace shardproxy::txn
