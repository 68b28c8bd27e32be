#include "merger/streams.h"

#include <algorithm>
#include <map>

namespace shardproxy::merger {

namespace {

Status badWidth(size_t got, size_t want) {
  return makeError(er::kUnknownError, "merge: a unit returned a row of " + std::to_string(got) +
                                          " columns, expected " + std::to_string(want));
}

std::string describeKeys(const RowComparator& c) {
  std::string out;
  for (const SortKey& k : c.keys()) {
    if (!out.empty()) out += ",";
    out += std::to_string(k.column);
    if (k.desc) out += " desc";
  }
  return out;
}

std::string describeAll(const Streams& units) {
  std::string out;
  for (const auto& u : units) {
    if (!out.empty()) out += ", ";
    out += u ? u->describe() : "-";
  }
  return out;
}

// A memory merge's own work (accumulating, sorting, finishing groups) runs without waiting for
// anything: between steps of it, the worker's other sessions get their turn.
awaitable<void> letOthersRun() {
  co_await asio::post(co_await asio::this_coro::executor, use_awaitable);
}
constexpr size_t kRowsPerStep = 4096;

// std::stable_sort in steps: sorted runs of kRowsPerStep rows, then merged pairwise (stable
// too), with the other sessions run between steps.
template <class Less>
awaitable<void> stableSortInSteps(std::vector<Row>& rows, Less less) {
  const size_t n = rows.size();
  if (n <= kRowsPerStep) {
    std::stable_sort(rows.begin(), rows.end(), less);
    co_return;
  }
  for (size_t at = 0; at < n; at += kRowsPerStep) {
    std::stable_sort(rows.begin() + at, rows.begin() + std::min(n, at + kRowsPerStep), less);
    co_await letOthersRun();
  }
  for (size_t width = kRowsPerStep; width < n; width *= 2) {
    for (size_t at = 0; at + width < n; at += 2 * width) {
      std::inplace_merge(rows.begin() + at, rows.begin() + at + width,
                         rows.begin() + std::min(n, at + 2 * width), less);
      co_await letOthersRun();
    }
  }
}

}  // namespace

// ---- Concat -------------------------------------------------------------------------------------

ConcatStream::ConcatStream(Streams units, size_t width) : units_(std::move(units)), width_(width) {}

awaitable<Result<bool>> ConcatStream::next(Row& row) {
  while (!failed_ && at_ < units_.size()) {
    Result<bool> got = co_await units_[at_]->next(row);
    if (!got) {
      failed_ = true;
      co_return got;
    }
    if (*got) {
      if (row.size() != width_) {
        failed_ = true;
        co_return badWidth(row.size(), width_);
      }
      co_return true;
    }
    ++at_;
  }
  co_return false;
}

std::string ConcatStream::describe() const { return "Concat(" + describeAll(units_) + ")"; }

// ---- MergeSort ----------------------------------------------------------------------------------

MergeSortStream::MergeSortStream(Streams units, size_t width, RowComparator order)
    : units_(std::move(units)), width_(width), order_(std::move(order)), heads_(units_.size()) {
  heap_.reserve(units_.size());
}

bool MergeSortStream::after(size_t a, size_t b) const {
  int c = order_.compare(heads_[a].row, heads_[b].row);
  return c != 0 ? c > 0 : a > b;
}

awaitable<Status> MergeSortStream::pull(size_t unit) {
  Head& head = heads_[unit];
  Result<bool> got = co_await units_[unit]->next(head.row);
  if (!got) co_return got.status();
  if (!*got) co_return Status::ok();
  if (head.row.size() != width_) co_return badWidth(head.row.size(), width_);
  head.unit = unit;
  heap_.push_back(unit);
  std::push_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return after(a, b); });
  co_return Status::ok();
}

awaitable<Result<bool>> MergeSortStream::next(Row& row) {
  if (failed_) co_return false;
  Status s;
  if (!started_) {
    started_ = true;
    for (size_t u = 0; u < units_.size() && s; ++u) s = co_await pull(u);
  } else if (refill_) {
    size_t u = *refill_;
    refill_.reset();
    s = co_await pull(u);
  }
  if (!s) {
    failed_ = true;
    co_return s;
  }
  if (heap_.empty()) co_return false;
  std::pop_heap(heap_.begin(), heap_.end(), [this](size_t a, size_t b) { return after(a, b); });
  size_t u = heap_.back();
  heap_.pop_back();
  std::swap(row, heads_[u].row);
  refill_ = u;
  co_return true;
}

std::string MergeSortStream::describe() const {
  return "MergeSort[" + describeKeys(order_) + "](" + describeAll(units_) + ")";
}

// ---- StreamGroupBy ------------------------------------------------------------------------------

StreamGroupByStream::StreamGroupByStream(std::unique_ptr<RowStream> source, RowComparator groupKeys,
                                         AggregateSpec spec, std::shared_ptr<MemoryBudget> budget)
    : source_(std::move(source)),
      keys_(std::move(groupKeys)),
      spec_(std::move(spec)),
      budget_(std::move(budget)) {}

awaitable<Result<bool>> StreamGroupByStream::next(Row& row) {
  if (done_) co_return false;
  if (!started_) {
    started_ = true;
    Result<bool> got = co_await source_->next(pending_);
    if (!got) {
      done_ = true;
      co_return got;
    }
    havePending_ = *got;
    if (!havePending_ && keys_.empty()) {
      // An aggregate over no rows still has its one row.
      done_ = true;
      GroupAccumulator empty(spec_, budget_.get());
      Result<Row> out = empty.finish();
      if (!out) co_return out.status();
      row = std::move(out.value());
      co_return true;
    }
  }
  if (!havePending_) {
    done_ = true;
    co_return false;
  }
  GroupAccumulator group(spec_, budget_.get());
  Status s = group.add(pending_);
  Row first = pending_;  // the group's key, compared against the rows that follow
  havePending_ = false;
  while (s) {
    Result<bool> got = co_await source_->next(pending_);
    if (!got) {
      s = got.status();
      break;
    }
    if (!*got) break;
    if (!keys_.empty() && keys_.compare(first, pending_) != 0) {
      havePending_ = true;
      break;
    }
    s = group.add(pending_);
  }
  if (!s) {
    done_ = true;
    co_return s;
  }
  Result<Row> out = group.finish();
  if (!out) {
    done_ = true;
    co_return out.status();
  }
  row = std::move(out.value());
  co_return true;
}

std::string StreamGroupByStream::describe() const {
  return std::string(keys_.empty() ? "Aggregate" : "StreamGroupBy[" + describeKeys(keys_) + "]") +
         "(" + source_->describe() + ")";
}

// ---- MemoryGroupBy ------------------------------------------------------------------------------

MemoryGroupByStream::MemoryGroupByStream(std::unique_ptr<RowStream> source, RowComparator groupKeys,
                                         RowComparator order, AggregateSpec spec,
                                         std::shared_ptr<MemoryBudget> budget)
    : source_(std::move(source)),
      keys_(std::move(groupKeys)),
      order_(std::move(order)),
      spec_(std::move(spec)),
      budget_(std::move(budget)) {}

MemoryGroupByStream::~MemoryGroupByStream() { budget_->release(0, rowsBytes_); }

awaitable<Status> MemoryGroupByStream::load() {
  // Group key (the group's first row) -> its accumulator, ordered by the group keys.
  std::map<Row, std::unique_ptr<GroupAccumulator>, RowLess> groups(RowLess{&keys_});
  const size_t fixedBytes = kNodeBytes + GroupAccumulator::fixedBytes(spec_);
  size_t charged = 0;
  size_t chargedBytes = 0;
  Status s;
  Row row;
  while (s) {
    Result<bool> got = co_await source_->next(row);
    if (!got) {
      s = got.status();
      break;
    }
    if (!*got) break;
    auto it = groups.find(row);
    if (it == groups.end()) {
      // The key row, and the accumulator's copies of its values (first row, MIN, MAX, SUM
      // text): about the row again.
      size_t bytes = fixedBytes + 2 * rowBytes(row);
      ++charged;
      chargedBytes += bytes;
      s = budget_->charge(1, bytes);
      if (!s) break;
      it = groups.emplace(row, std::make_unique<GroupAccumulator>(spec_, budget_.get())).first;
    }
    s = it->second->add(row);
  }
  if (s) {
    rows_.reserve(groups.size());
    rowsBytes_ += rows_.capacity() * sizeof(Row);
    s = budget_->charge(0, rows_.capacity() * sizeof(Row));
    size_t finished = 0;
    for (auto it = groups.begin(); s && it != groups.end(); it = groups.erase(it)) {
      if (++finished % kRowsPerStep == 0) co_await letOthersRun();
      Result<Row> out = it->second->finish();
      if (!out) {
        s = out.status();
        break;
      }
      size_t bytes = rowBytes(out.value());
      rowsBytes_ += bytes;
      s = budget_->charge(0, bytes);
      rows_.push_back(std::move(out.value()));
    }
  }
  groups.clear();
  budget_->release(charged, chargedBytes);
  if (s && !order_.empty()) {
    co_await stableSortInSteps(
        rows_, [this](const Row& a, const Row& b) { return order_.compare(a, b) < 0; });
  }
  co_return s;
}

awaitable<Result<bool>> MemoryGroupByStream::next(Row& row) {
  if (failed_) co_return false;
  if (!loaded_) {
    loaded_ = true;
    Status s = co_await load();
    if (!s) {
      failed_ = true;
      rows_ = {};
      budget_->release(0, rowsBytes_);
      rowsBytes_ = 0;
      co_return s;
    }
  }
  if (at_ >= rows_.size()) co_return false;
  row = std::move(rows_[at_++]);
  co_return true;
}

std::string MemoryGroupByStream::describe() const {
  std::string out = "MemoryGroupBy[" + describeKeys(keys_) + "]";
  if (!order_.empty()) out += "[order " + describeKeys(order_) + "]";
  return out + "(" + source_->describe() + ")";
}

// ---- Distinct -----------------------------------------------------------------------------------

DistinctStream::DistinctStream(std::unique_ptr<RowStream> source, RowComparator key,
                               std::shared_ptr<MemoryBudget> budget)
    : source_(std::move(source)),
      key_(std::make_unique<RowComparator>(std::move(key))),
      budget_(std::move(budget)),
      seen_(RowLess{key_.get()}) {}

DistinctStream::~DistinctStream() { budget_->release(seen_.size(), seenBytes_); }

awaitable<Result<bool>> DistinctStream::next(Row& row) {
  while (true) {
    Result<bool> got = co_await source_->next(row);
    if (!got || !*got) co_return got;
    if (seen_.contains(row)) continue;
    size_t bytes = rowBytes(row) + kNodeBytes;
    if (Status s = budget_->charge(1, bytes); !s) {
      budget_->release(1, bytes);
      co_return s;
    }
    seen_.insert(row);
    seenBytes_ += bytes;
    co_return true;
  }
}

std::string DistinctStream::describe() const {
  return "Distinct[" + describeKeys(*key_) + "](" + source_->describe() + ")";
}

// ---- Limit --------------------------------------------------------------------------------------

LimitStream::LimitStream(std::unique_ptr<RowStream> source, uint64_t offset,
                         std::optional<uint64_t> count)
    : source_(std::move(source)), offset_(offset), count_(count) {}

awaitable<Result<bool>> LimitStream::next(Row& row) {
  if (count_ && returned_ >= *count_) co_return false;
  while (skipped_ < offset_) {
    Result<bool> got = co_await source_->next(row);
    if (!got || !*got) co_return got;
    ++skipped_;
  }
  Result<bool> got = co_await source_->next(row);
  if (got && *got) ++returned_;
  co_return got;
}

std::string LimitStream::describe() const {
  return "Limit[" + std::to_string(offset_) + "," +
         (count_ ? std::to_string(*count_) : std::string("all")) + "](" + source_->describe() + ")";
}

// ---- Project ------------------------------------------------------------------------------------

ProjectStream::ProjectStream(std::unique_ptr<RowStream> source, size_t width)
    : source_(std::move(source)), width_(width) {}

awaitable<Result<bool>> ProjectStream::next(Row& row) {
  Result<bool> got = co_await source_->next(row);
  if (got && *got && row.size() > width_) row.resize(width_);
  co_return got;
}

std::string ProjectStream::describe() const {
  return "Project[" + std::to_string(width_) + "](" + source_->describe() + ")";
}

HavingStream::HavingStream(std::unique_ptr<RowStream> source, std::vector<Node> nodes,
                           std::shared_ptr<const ExprEvaluator> expressions)
    : source_(std::move(source)), nodes_(std::move(nodes)), expressions_(std::move(expressions)) {}

awaitable<Result<bool>> HavingStream::next(Row& row) {
  for (;;) {
    auto more = co_await source_->next(row);
    if (!more || !*more) co_return more;
    Truth t = eval(row, 0);
    if (!error_) co_return error_;
    if (t == Truth::True) co_return true;
  }
}

std::string HavingStream::describe() const { return "Having(" + source_->describe() + ")"; }

HavingStream::Truth HavingStream::eval(const Row& row, uint32_t index) {
  using Kind = MergeSpec::HavingNode::Kind;
  using Op = CompareOp;
  const Node& n = nodes_[index];
  auto negate = [](Truth t) {
    return t == Truth::Unknown ? t : (t == Truth::True ? Truth::False : Truth::True);
  };
  switch (n.spec.kind) {
    case Kind::And: {
      Truth out = Truth::True;
      for (uint32_t c : n.spec.children) {
        Truth t = eval(row, c);
        if (t == Truth::False) return Truth::False;
        if (t == Truth::Unknown) out = Truth::Unknown;
      }
      return out;
    }
    case Kind::Or: {
      Truth out = Truth::False;
      for (uint32_t c : n.spec.children) {
        Truth t = eval(row, c);
        if (t == Truth::True) return Truth::True;
        if (t == Truth::Unknown) out = Truth::Unknown;
      }
      return out;
    }
    case Kind::Not:
      return negate(eval(row, n.spec.children.front()));
    case Kind::Expr: {
      if (!expressions_) {
        error_ = makeError(er::kUnknownError, "merge: HAVING without its expressions");
        return Truth::Unknown;
      }
      auto t = expressions_->truth(row, n.spec.expr);
      if (!t) {
        error_ = t.status();
        return Truth::Unknown;
      }
      if (!*t) return Truth::Unknown;
      return **t ? Truth::True : Truth::False;
    }
    default:
      break;
  }
  const Cell& cell = row[n.column];
  if (n.spec.kind == Kind::IsNull) {
    bool isNull = cell.null;
    return (isNull != n.spec.negated) ? Truth::True : Truth::False;
  }
  auto cmp = [&](const std::optional<std::string>& constant) -> std::optional<int> {
    if (cell.null || !constant) return std::nullopt;
    return n.comparator.compareText(cell.text, *constant);
  };
  if (n.spec.kind == Kind::Compare) {
    const auto& constant = n.spec.constants.front();
    if (n.spec.op == Op::NullSafeEq) {
      if (cell.null || !constant) return (cell.null && !constant) ? Truth::True : Truth::False;
    }
    auto c = cmp(constant);
    if (!c) return Truth::Unknown;
    bool r = false;
    switch (n.spec.op) {
      case Op::Eq:
      case Op::NullSafeEq:
        r = *c == 0;
        break;
      case Op::Ne:
        r = *c != 0;
        break;
      case Op::Lt:
        r = *c < 0;
        break;
      case Op::Le:
        r = *c <= 0;
        break;
      case Op::Gt:
        r = *c > 0;
        break;
      case Op::Ge:
        r = *c >= 0;
        break;
    }
    return r ? Truth::True : Truth::False;
  }
  if (n.spec.kind == Kind::Between) {
    auto low = cmp(n.spec.constants[0]);
    auto high = cmp(n.spec.constants[1]);
    Truth t;
    if (low && high) {
      t = (*low >= 0 && *high <= 0) ? Truth::True : Truth::False;
    } else if ((low && *low < 0) || (high && *high > 0)) {
      t = Truth::False;
    } else {
      t = Truth::Unknown;
    }
    return n.spec.negated ? negate(t) : t;
  }
  // IN
  Truth t = Truth::False;
  for (const auto& constant : n.spec.constants) {
    auto c = cmp(constant);
    if (!c) {
      t = Truth::Unknown;
    } else if (*c == 0) {
      t = Truth::True;
      break;
    }
  }
  if (cell.null) t = Truth::Unknown;
  return n.spec.negated ? negate(t) : t;
}

// ---- Compute ------------------------------------------------------------------------------------

ComputeStream::ComputeStream(std::unique_ptr<RowStream> source,
                             std::shared_ptr<const ExprEvaluator> expressions,
                             std::vector<Target> targets)
    : source_(std::move(source)),
      expressions_(std::move(expressions)),
      targets_(std::move(targets)) {}

awaitable<Result<bool>> ComputeStream::next(Row& row) {
  auto more = co_await source_->next(row);
  if (!more || !*more) co_return more;
  // Every value first: a later target's expression may read an earlier target's column.
  std::vector<Cell> values;
  for (const Target& t : targets_) {
    auto v = expressions_->eval(row, t.expr);
    if (!v) co_return v.status();
    values.push_back(ExprEvaluator::toCell(*v));
  }
  for (size_t i = 0; i < targets_.size(); ++i) {
    if (targets_[i].column < row.size()) row[targets_[i].column] = std::move(values[i]);
  }
  co_return true;
}

std::string ComputeStream::describe() const {
  std::string out;
  for (const Target& t : targets_) out += (out.empty() ? "" : ",") + std::to_string(t.column);
  return "Compute[" + out + "](" + source_->describe() + ")";
}

// ---- Sort ---------------------------------------------------------------------------------------

SortStream::SortStream(std::unique_ptr<RowStream> source, RowComparator order,
                       std::shared_ptr<MemoryBudget> budget)
    : source_(std::move(source)), order_(std::move(order)), budget_(std::move(budget)) {}

SortStream::~SortStream() { budget_->release(charged_, chargedBytes_); }

awaitable<Result<bool>> SortStream::next(Row& row) {
  if (failed_) co_return false;
  if (!loaded_) {
    loaded_ = true;
    Row r;
    for (;;) {
      auto more = co_await source_->next(r);
      if (!more) {
        failed_ = true;
        co_return more;
      }
      if (!*more) break;
      size_t bytes = rowBytes(r);
      ++charged_;
      chargedBytes_ += bytes;
      if (Status s = budget_->charge(1, bytes); !s) {
        failed_ = true;
        co_return s;
      }
      rows_.push_back(std::move(r));
    }
    co_await stableSortInSteps(
        rows_, [this](const Row& a, const Row& b) { return order_.compare(a, b) < 0; });
  }
  if (at_ >= rows_.size()) co_return false;
  row = std::move(rows_[at_++]);
  co_return true;
}

std::string SortStream::describe() const {
  return "Sort[" + describeKeys(order_) + "](" + source_->describe() + ")";
}

}  // namespace shardproxy::merger
