#include "merger/aggregate.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <string>

#include "merger/decimal.h"

namespace shardproxy::merger {

namespace {

using Op = ColumnMerge::Op;

Status notANumber(std::string_view what, const std::string& text) {
  return makeError(er::kUnknownError, "merge: " + std::string(what) + " of a value that is not " +
                                          "a number: '" + text.substr(0, 64) + "'");
}

Result<std::string> addExact(const std::string& a, const std::string& b, std::string_view what) {
  auto x = parseDecimal(a);
  if (!x) return notANumber(what, a);
  auto y = parseDecimal(b);
  if (!y) return notANumber(what, b);
  return addDecimal(*x, *y);
}

double toDouble(const std::string& text) { return std::strtod(text.c_str(), nullptr); }

Cell textCell(std::string text) { return Cell{false, std::move(text)}; }

Result<Cell> average(const Cell& sum, const Cell& count, const ColumnMerge& m) {
  if (sum.null || count.null) return Cell{};
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(count.text.data(), count.text.data() + count.text.size(), n);
  if (ec != std::errc() || end != count.text.data() + count.text.size()) {
    return notANumber("AVG count", count.text);
  }
  if (n == 0) return Cell{};
  if (m.inDouble) return textCell(formatDouble(toDouble(sum.text) / static_cast<double>(n)));
  auto d = parseDecimal(sum.text);
  if (!d) return notANumber("AVG", sum.text);
  return textCell(divideDecimal(*d, n, m.scale));
}

}  // namespace

MemoryBudget::MemoryBudget(size_t maxRows, MemoryTracker* memory, uint64_t maxBytes)
    : limit_(maxRows),
      own_(memory ? nullptr : std::make_unique<MemoryTracker>(maxBytes, nullptr)),
      memory_(memory ? memory : own_.get()) {}

Status MemoryBudget::charge(size_t rows, size_t bytes) {
  used_ += rows;
  Status s = memory_->charge(bytes);
  if (used_ > limit_) {
    // ER_OUT_OF_SORTMEMORY: the nearest MySQL error for a merge that outgrew its memory.
    return Status(er::kOutOfSortMemory, "HY001",
                  "Out of merge memory: more than " + std::to_string(limit_) +
                      " rows held to merge GROUP BY, DISTINCT or COUNT(DISTINCT) results of "
                      "several shards; narrow the query or raise proxy-merge-max-memory-rows");
  }
  return s;
}

void MemoryBudget::release(size_t rows, size_t bytes) {
  used_ -= rows < used_ ? rows : used_;
  memory_->release(bytes);
}

size_t rowBytes(const Row& row) {
  size_t bytes = sizeof(Row) + row.capacity() * sizeof(Cell);
  for (const Cell& c : row) {
    // libstdc++ keeps up to 15 characters inside the string itself.
    if (c.text.capacity() > 15) bytes += c.text.capacity() + 1;
  }
  return bytes;
}

bool AggregateSpec::hasDistinct() const {
  for (const ColumnMerge& c : columns) {
    if (c.op == Op::CountDistinct || c.op == Op::SumDistinct || c.op == Op::AvgDistinct) {
      return true;
    }
  }
  return false;
}

GroupAccumulator::GroupAccumulator(const AggregateSpec& spec, MemoryBudget* budget)
    : spec_(spec), budget_(budget), states_(spec.columns.size()) {
  for (size_t i = 0; i < states_.size(); ++i) {
    const ColumnMerge& m = spec_.columns[i];
    if (m.op == Op::BitAnd) states_[i].bits = std::numeric_limits<uint64_t>::max();
    if (m.op == Op::CountDistinct || m.op == Op::SumDistinct || m.op == Op::AvgDistinct ||
        (m.op == Op::GroupConcat && m.pieces && !m.args.empty())) {
      states_[i].distinct =
          std::make_unique<std::set<Row, RowLess>>(RowLess{&spec_.columns[i].argKey});
    }
  }
}

GroupAccumulator::~GroupAccumulator() {
  if (budget_) budget_->release(held_, heldBytes_);
}

size_t GroupAccumulator::fixedBytes(const AggregateSpec& spec) {
  return sizeof(GroupAccumulator) + spec.columns.size() * sizeof(State);
}

Status GroupAccumulator::add(const Row& row) {
  for (size_t i = 0; i < states_.size() && i < row.size(); ++i) {
    if (Status s = addCell(i, row[i], row); !s) return s;
  }
  return Status::ok();
}

Row GroupAccumulator::project(const Row& row, const std::vector<size_t>& columns) {
  Row out;
  out.reserve(columns.size());
  for (size_t c : columns) out.push_back(c < row.size() ? row[c] : Cell{});
  return out;
}

namespace {

// The end of the longest prefix of `text` of at most `max` bytes that does not split a UTF-8
// character (MySQL cuts a GROUP_CONCAT value at a character boundary).
size_t cutPoint(const std::string& text, size_t max, bool binary) {
  if (text.size() <= max || binary) return std::min(text.size(), max);
  size_t at = max;
  while (at > 0 && (static_cast<unsigned char>(text[at]) & 0xC0) == 0x80) --at;
  return at;
}

}  // namespace

bool GroupAccumulator::cutByUnit(const ColumnMerge& m, const Cell& cell, const Row& row) {
  if (m.lengthColumn >= row.size() || row[m.lengthColumn].null) return false;
  uint64_t length = 0;
  const std::string& text = row[m.lengthColumn].text;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), length);
  return ec == std::errc() && length > cell.text.size();
}

// MySQL's GROUP_CONCAT: a separator before every value but the first; once the text is longer
// than group_concat_max_len it is cut there and takes no more values. `cut`: a unit already cut
// `text` there (what follows it in the full value is cut away too).
void GroupAccumulator::appendConcat(State& st, const ColumnMerge& m, const std::string& text,
                                    bool cut) const {
  if (st.cut) return;
  if (st.has) {
    st.value.text += m.separator;
  } else {
    st.value = Cell{false, std::string()};
    st.has = true;
  }
  st.value.text += text;
  if (cut || st.value.text.size() > spec_.groupConcatMaxLen) {
    st.value.text.resize(cutPoint(st.value.text, spec_.groupConcatMaxLen, m.binary));
    st.cut = true;
    if (spec_.notes) ++spec_.notes->cutValues;
  }
}

Status GroupAccumulator::addCell(size_t column, const Cell& cell, const Row& row) {
  const ColumnMerge& m = spec_.columns[column];
  State& st = states_[column];
  if (m.op == Op::CountDistinct || m.op == Op::SumDistinct || m.op == Op::AvgDistinct) {
    Row tuple = project(row, m.args);
    // COUNT(DISTINCT a, b) counts the tuples without a NULL; SUM/AVG ignore NULL.
    for (const Cell& c : tuple) {
      if (c.null) return Status::ok();
    }
    if (tuple.empty()) return Status::ok();
    if (m.op != Op::CountDistinct && !m.inDouble && !parseDecimal(tuple.front().text)) {
      return notANumber(m.op == Op::SumDistinct ? "SUM" : "AVG", tuple.front().text);
    }
    size_t bytes = rowBytes(tuple) + kNodeBytes;
    if (st.distinct->insert(std::move(tuple)).second) {
      ++held_;
      heldBytes_ += bytes;
      if (budget_) {
        if (Status s = budget_->charge(1, bytes); !s) return s;
      }
    }
    st.has = true;
    return Status::ok();
  }
  if (m.op == Op::GroupConcat && m.pieces) {
    // A NULL piece: the unit's rows of it all had a NULL argument.
    if (cell.null) return Status::ok();
    if (st.distinct) {
      Row tuple = project(row, m.args);
      if (!st.distinct->insert(std::move(tuple)).second) return Status::ok();
    }
    st.pieces.push_back(Piece{project(row, m.order), cell.text, cutByUnit(m, cell, row)});
    st.has = true;
    const Piece& piece = st.pieces.back();
    size_t bytes = sizeof(Piece) + rowBytes(piece.key) + piece.text.capacity();
    ++held_;
    heldBytes_ += bytes;
    if (budget_) return budget_->charge(1, bytes);
    return Status::ok();
  }
  if (m.op == Op::First) {
    if (!st.has) {
      st.value = cell;
      st.has = true;
    }
    return Status::ok();
  }
  if (cell.null || m.op == Op::Avg) return Status::ok();
  switch (m.op) {
    case Op::First:
    case Op::Avg:
      break;
    case Op::Count:
    case Op::Sum:
      if (m.op == Op::Sum && m.inDouble) {
        st.number += toDouble(cell.text);
      } else if (!st.has) {
        if (!parseDecimal(cell.text))
          return notANumber(m.op == Op::Sum ? "SUM" : "COUNT", cell.text);
        st.value = cell;
      } else {
        auto sum = addExact(st.value.text, cell.text, m.op == Op::Sum ? "SUM" : "COUNT");
        if (!sum) return sum.status();
        st.value.text = std::move(sum.value());
      }
      break;
    case Op::Min:
    case Op::Max: {
      if (!st.has) {
        st.value = cell;
        break;
      }
      int c = m.comparator.compare(cell, st.value);
      if ((m.op == Op::Min && c < 0) || (m.op == Op::Max && c > 0)) st.value = cell;
      break;
    }
    case Op::BitAnd:
    case Op::BitOr:
    case Op::BitXor: {
      uint64_t v = 0;
      auto [end, ec] = std::from_chars(cell.text.data(), cell.text.data() + cell.text.size(), v);
      if (ec != std::errc() || end != cell.text.data() + cell.text.size()) {
        return notANumber("BIT_AND/BIT_OR/BIT_XOR", cell.text);
      }
      st.bits =
          m.op == Op::BitAnd ? (st.bits & v) : (m.op == Op::BitOr ? (st.bits | v) : (st.bits ^ v));
      break;
    }
    case Op::GroupConcat:
      appendConcat(st, m, cell.text, cutByUnit(m, cell, row));
      break;
    case Op::CountDistinct:
    case Op::SumDistinct:
    case Op::AvgDistinct:
      break;  // (above)
  }
  st.has = true;
  return Status::ok();
}

Result<Row> GroupAccumulator::finish() const {
  Row row(states_.size());
  for (size_t i = 0; i < states_.size(); ++i) {
    auto cell = finishColumn(i);
    if (!cell) return cell.status();
    row[i] = std::move(cell.value());
  }
  return row;
}

Result<Cell> GroupAccumulator::finishColumn(size_t column) const {
  const ColumnMerge& m = spec_.columns[column];
  const State& st = states_[column];
  switch (m.op) {
    case Op::First:
    case Op::Min:
    case Op::Max:
      return st.has ? st.value : Cell{};
    case Op::GroupConcat: {
      if (!m.pieces || !st.has) return st.has ? st.value : Cell{};
      // The pieces in the GROUP_CONCAT's own order; ties keep the order they came in.
      std::vector<const Piece*> sorted;
      sorted.reserve(st.pieces.size());
      for (const Piece& p : st.pieces) sorted.push_back(&p);
      std::stable_sort(sorted.begin(), sorted.end(), [&m](const Piece* a, const Piece* b) {
        return m.orderKey.compare(a->key, b->key) < 0;
      });
      State joined;
      for (const Piece* p : sorted) {
        appendConcat(joined, m, p->text, p->cut);
        if (joined.cut) break;
      }
      return joined.value;
    }
    case Op::Count:
      return st.has ? st.value : textCell("0");
    case Op::Sum:
      if (!st.has) return Cell{};
      return m.inDouble ? textCell(formatDouble(st.number)) : st.value;
    case Op::BitAnd:
    case Op::BitOr:
    case Op::BitXor:
      return textCell(std::to_string(st.bits));
    case Op::Avg: {
      if (m.countColumn >= states_.size() || m.sumColumn >= states_.size()) return Cell{};
      auto count = finishColumn(m.countColumn);
      if (!count) return count;
      auto sum = finishColumn(m.sumColumn);
      if (!sum) return sum;
      return average(*sum, *count, m);
    }
    case Op::CountDistinct:
      return textCell(std::to_string(st.distinct->size()));
    case Op::SumDistinct:
    case Op::AvgDistinct: {
      if (st.distinct->empty()) return Cell{};
      Cell sum;
      if (m.inDouble) {
        double total = 0;
        for (const Row& c : *st.distinct) total += toDouble(c.front().text);
        sum = textCell(formatDouble(total));
      } else {
        std::string total = "0";
        for (const Row& c : *st.distinct) {
          auto next = addExact(total, c.front().text, m.op == Op::SumDistinct ? "SUM" : "AVG");
          if (!next) return next.status();
          total = std::move(next.value());
        }
        sum = textCell(std::move(total));
      }
      if (m.op == Op::SumDistinct) return sum;
      return average(sum, textCell(std::to_string(st.distinct->size())), m);
    }
  }
  return Cell{};
}

}  // namespace shardproxy::merger
