#include "executor/load_data_splitter.h"

#include <algorithm>
#include <utility>

namespace shardproxy::executor {

namespace {

constexpr int kEof = -1;
constexpr int kNone = -2;  // no such character: matches no byte and not kEof

int firstByte(const std::string& s) {
  return s.empty() ? kNone : static_cast<unsigned char>(s.front());
}

}  // namespace

// Reads the buffered bytes as MySQL's READ_INFO reads its file. Past the end of what is
// buffered it answers end of file; when more may still come, `starved` says the result must be
// thrown away and made again with more bytes.
struct LoadDataSplitter::Cursor {
  std::string_view data;
  size_t pos;
  bool eof;  // nothing more will come
  bool starved = false;

  int get() {
    if (pos < data.size()) return static_cast<unsigned char>(data[pos++]);
    if (!eof) starved = true;
    return kEof;
  }
  // Gives back the byte get() just returned (never kEof).
  void unget() { --pos; }
  // After `term`'s first byte: whether the rest follows (consumed), else nothing consumed.
  bool terminator(const std::string& term) {
    size_t save = pos;
    for (size_t i = 1; i < term.size(); ++i) {
      if (get() != static_cast<unsigned char>(term[i])) {
        pos = save;
        return false;
      }
    }
    return true;
  }
};

namespace {

// READ_INFO's state between fields of one line.
struct LineState {
  bool startOfLine = false;  // LINES STARTING BY still to be found
  bool endOfLine = false;
  bool eof = false;
};

char unescape(int chr, bool& foundNull) {
  switch (chr) {
    case 'n':
      return '\n';
    case 't':
      return '\t';
    case 'r':
      return '\r';
    case 'b':
      return '\b';
    case '0':
      return '\0';
    case 'Z':
      return '\032';
    case 'N':
      foundNull = true;
      return 'N';
    default:
      return static_cast<char>(chr);
  }
}

}  // namespace

Status LoadDataSplitter::check(const LoadDataFormat& format) {
  if (format.enclosedBy.size() > 1 || format.escapedBy.size() > 1) {
    return Status(1083, "42000",
                  "Field separator argument is not what is expected; check the manual");
  }
  if (format.fieldsTerminatedBy.empty() && format.enclosedBy.empty()) {
    return Status(er::kNotSupportedYet, "42000",
                  "unsupported: LOAD DATA LOCAL with fixed-width rows (FIELDS TERMINATED BY '' "
                  "with no ENCLOSED BY)");
  }
  return Status::ok();
}

LoadDataSplitter::LoadDataSplitter(LoadDataFormat format, size_t columns, uint64_t ignoreLines)
    : format_(std::move(format)),
      columns_(std::max<size_t>(columns, 1)),
      ignoreLines_(ignoreLines) {
  // As MySQL: a line terminator equal to the field terminator is no line terminator.
  if (format_.linesTerminatedBy == format_.fieldsTerminatedBy) format_.linesTerminatedBy.clear();
  // Without a line terminator, IGNORE n LINES skips n rows.
  if (format_.linesTerminatedBy.empty()) std::swap(ignoreLines_, ignoreRows_);
}

void LoadDataSplitter::feed(std::string_view bytes) {
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    pos_ = 0;
  }
  buffer_.append(bytes);
}

bool LoadDataSplitter::skipLine(Cursor& in) {
  // next_line() from the start of a line: to the line terminator, an escaped byte never ending
  // the line. False when the data ended first.
  const int esc = firstByte(format_.escapedBy);
  const int lineChar = firstByte(format_.linesTerminatedBy);
  for (;;) {
    int c = in.get();
    if (c == kEof) return false;
    if (c == esc) {
      if (in.get() == kEof) return false;
      continue;
    }
    if (c == lineChar && in.terminator(format_.linesTerminatedBy)) return true;
  }
}

bool LoadDataSplitter::readRow(Cursor& in, LoadDataRow& row) {
  const int esc = firstByte(format_.escapedBy);
  const int enc = firstByte(format_.enclosedBy);
  const int fieldChar = firstByte(format_.fieldsTerminatedBy);
  const int lineChar = firstByte(format_.linesTerminatedBy);
  const std::string& lineStart = format_.linesStartingBy;
  LineState st;
  st.startOfLine = !lineStart.empty();
  row.fields.clear();
  row.cut = false;

  // One field (read_field()); false when the line has no more.
  auto readField = [&](LoadDataField& out) {
    bool foundNull = false;
    if (st.endOfLine) return false;
    if (st.startOfLine) {
      // Everything up to LINES STARTING BY is skipped, line terminators included.
      st.startOfLine = false;
      bool found = false;
      for (int c = in.get(); c != kEof; c = in.get()) {
        if (c == static_cast<unsigned char>(lineStart.front()) && in.terminator(lineStart)) {
          found = true;
          break;
        }
      }
      if (!found) {
        st.endOfLine = st.eof = true;
        return false;
      }
    }
    int chr = in.get();
    if (chr == kEof) {
      st.endOfLine = st.eof = true;
      return false;
    }
    std::string& data = out.text;
    data.clear();
    int foundEnc = kNone;
    if (chr == enc) {
      foundEnc = enc;
      data.push_back(static_cast<char>(chr));
    } else {
      in.unget();
    }
    bool enclosed = false;
    for (;;) {
      chr = in.get();
      if (chr == kEof) {
        st.endOfLine = st.eof = true;
        break;
      }
      if (chr == esc) {
        chr = in.get();
        if (chr == kEof) {
          data.push_back(static_cast<char>(esc));
          st.endOfLine = st.eof = true;
          break;
        }
        // With ESCAPED BY equal to ENCLOSED BY, only a doubled one is an escape (as in SQL
        // strings); otherwise it may close the field.
        if (esc != enc || chr == esc) {
          data.push_back(unescape(chr, foundNull));
          continue;
        }
        in.unget();
        chr = esc;
      }
      if (chr == lineChar && foundEnc == kNone && in.terminator(format_.linesTerminatedBy)) {
        st.endOfLine = true;
        break;
      }
      if (chr == foundEnc) {
        int next = in.get();
        if (next == foundEnc) {  // doubled: one of it
          data.push_back(static_cast<char>(next));
          continue;
        }
        // The closing one only before a terminator (or the end); else it is data.
        if (next == kEof || (next == lineChar && in.terminator(format_.linesTerminatedBy))) {
          enclosed = true;
          st.endOfLine = true;
          if (next == kEof) st.eof = true;
          break;
        }
        if (next == fieldChar && in.terminator(format_.fieldsTerminatedBy)) {
          enclosed = true;
          break;
        }
        in.unget();
        chr = foundEnc;
      } else if (chr == fieldChar && foundEnc == kNone &&
                 in.terminator(format_.fieldsTerminatedBy)) {
        break;
      }
      data.push_back(static_cast<char>(chr));
    }
    if (enclosed) data.erase(0, 1);
    // `\N`, or NULL written without enclosure when fields may be enclosed.
    out.null = (!enclosed && enc != kNone && data == "NULL") || (data.size() == 1 && foundNull);
    return true;
  };

  while (row.fields.size() < columns_) {
    LoadDataField f;
    if (!readField(f)) break;
    row.fields.push_back(std::move(f));
  }
  if (row.fields.empty()) return false;  // the data ended
  // next_line(): what the line holds past the last column is skipped (1262, unless the data
  // ended there).
  if (st.endOfLine || st.eof || format_.linesTerminatedBy.empty()) return true;
  const size_t before = in.pos;
  for (;;) {
    int c = in.get();
    if (c == kEof) return true;
    if (c == esc) {
      if (in.get() == kEof) return true;
      continue;
    }
    if (c == lineChar && in.terminator(format_.linesTerminatedBy)) {
      row.cut = in.pos - before > format_.linesTerminatedBy.size();
      return true;
    }
  }
}

LoadDataSplitter::Next LoadDataSplitter::next(LoadDataRow& row) {
  for (;;) {
    const size_t available = buffer_.size() - pos_;
    if (!finished_ && available < retryAt_) return Next::kNeedMore;
    Cursor in{std::string_view(buffer_).substr(pos_), 0, finished_};
    bool got;
    if (ignoreLines_ > 0) {
      got = skipLine(in);
    } else {
      got = readRow(in, row);
    }
    if (in.starved) {
      // Tried again only once the buffer holds twice as much: a row longer than many packets
      // is not cut again for every packet.
      retryAt_ = std::max<size_t>(available * 2, available + 1);
      return Next::kNeedMore;
    }
    retryAt_ = 0;
    pos_ += in.pos;
    if (ignoreLines_ > 0) {
      ignoreLines_ = got ? ignoreLines_ - 1 : 0;
      continue;
    }
    if (!got) return Next::kEnd;
    if (ignoreRows_ > 0) {
      --ignoreRows_;
      continue;
    }
    return Next::kRow;
  }
}

}  // namespace shardproxy::executor
