#include "txn/wait_for_graph.h"

#include <algorithm>
#include <optional>
#include <set>

namespace shardproxy::txn {

namespace {

// InnoDB detects a cycle when each member waits with the very connection the previous member
// waits for: then the whole cycle is one server's, among its own transactions.
bool innodbSees(const std::vector<const WaitEdge*>& cycle) {
  for (size_t i = 0; i < cycle.size(); ++i) {
    const WaitEdge& in = *cycle[i];
    const WaitEdge& out = *cycle[(i + 1) % cycle.size()];
    if (in.server != out.server || in.holderThread != out.waiterThread) return false;
  }
  return true;
}

class CycleFinder {
 public:
  CycleFinder(const std::vector<WaitEdge>& edges, const std::set<uint64_t>& removed)
      : removed_(removed) {
    for (const WaitEdge& e : edges) {
      if (removed.count(e.waiter) || removed.count(e.holder)) continue;
      out_[e.waiter].push_back(&e);
    }
  }

  // A cycle InnoDB cannot see (its edges in order), or nothing.
  std::optional<std::vector<const WaitEdge*>> find() {
    for (const auto& [node, edges] : out_) {
      if (done_.count(node)) continue;
      if (auto cycle = visit(node)) return cycle;
    }
    return std::nullopt;
  }

 private:
  // Depth first; every edge back to a node on the path closes a cycle, each one checked.
  std::optional<std::vector<const WaitEdge*>> visit(uint64_t node) {
    onPath_.insert(node);
    auto it = out_.find(node);
    if (it != out_.end()) {
      for (const WaitEdge* e : it->second) {
        path_.push_back(e);
        if (onPath_.count(e->holder)) {
          // The cycle: from the edge leaving e->holder to e.
          auto from = std::find_if(path_.begin(), path_.end(),
                                   [&](const WaitEdge* p) { return p->waiter == e->holder; });
          std::vector<const WaitEdge*> cycle(from, path_.end());
          if (!innodbSees(cycle)) return cycle;
        } else if (!done_.count(e->holder)) {
          if (auto cycle = visit(e->holder)) return cycle;
        }
        path_.pop_back();
      }
    }
    onPath_.erase(node);
    done_.insert(node);
    return std::nullopt;
  }

  const std::set<uint64_t>& removed_;
  std::map<uint64_t, std::vector<const WaitEdge*>> out_;
  std::set<uint64_t> onPath_;
  std::set<uint64_t> done_;
  std::vector<const WaitEdge*> path_;
};

}  // namespace

std::vector<uint64_t> deadlockVictims(const std::vector<WaitEdge>& edges,
                                      const std::map<uint64_t, int64_t>& startedAt) {
  std::vector<uint64_t> victims;
  std::set<uint64_t> removed;
  auto started = [&](uint64_t id) {
    auto it = startedAt.find(id);
    return it == startedAt.end() ? INT64_MIN : it->second;
  };
  // Each victim leaves the graph; the search starts over until no cycle is left (a graph has at
  // most as many victims as transactions, so this ends).
  for (;;) {
    auto cycle = CycleFinder(edges, removed).find();
    if (!cycle) break;
    uint64_t youngest = (*cycle)[0]->waiter;
    for (const WaitEdge* e : *cycle) {
      uint64_t id = e->waiter;
      if (started(id) > started(youngest) || (started(id) == started(youngest) && id > youngest)) {
        youngest = id;
      }
    }
    victims.push_back(youngest);
    removed.insert(youngest);
  }
  return victims;
}

}  // namespace shardproxy::txn
