// Sharding values as MySQL sees them next to a column: a value compared with a sharding column
// (WHERE) or stored into one (INSERT, UPDATE ... SET) is first converted as the server converts
// it for that column's type, so that `user_id = '10'` (what drivers that bind every parameter
// as a string send) routes where `user_id = 10` does. Comparing and storing differ: `'10.5'`
// stored into an INT column is 11, while `int_column = '10.5'` matches no row.
#pragma once

#include "metadata/table_schema.h"
#include "router/value.h"

namespace shardproxy::router {

struct Converted {
  enum class Kind : uint8_t {
    Exact,    // route by `value`
    NoMatch,  // no row of the column can compare equal to the value
    Unknown,  // many different stored values compare equal (a number against a string column):
              // no single value to route by
  };
  Kind kind = Kind::Exact;
  Value value;
};

// What `v` equals in a comparison with column `c` (`=`, IN, and the bounds of a range:
// `forRange` keeps a non-integral bound of an integer column as a number instead of NoMatch).
Converted forComparison(const Value& v, const metadata::ColumnSchema& c, bool forRange = false);

// The value column `c` will hold after `v` is stored into it.
Converted forStorage(const Value& v, const metadata::ColumnSchema& c);

// A string sharding value normalized by the column's collation: trailing spaces gone under a PAD
// SPACE collation, case folded under a case-insensitive one (ASCII and the Latin-1, Latin
// Extended-A, Greek and Cyrillic letters), so values MySQL holds equal route alike. Only with the
// `proxy-normalize-sharding-strings` prop: ShardingSphere's algorithms see the value as written.
Value normalizedByCollation(const Value& v, const metadata::ColumnSchema& c);

// The number MySQL reads at the start of `text` (leading spaces, sign, digits, fraction,
// exponent; the rest ignored; "" or no digits is 0), as number text for Value::ofNumberText.
std::string numericPrefix(std::string_view text);

}  // namespace shardproxy::router
