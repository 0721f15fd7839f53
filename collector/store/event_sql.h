// The one notation in which readers of the events (the KPI engine) write their SQL, so that each
// query is written once and runs on both stores. It is the SQL both databases share, plus:
//   {num:key}   the event field `key` as a number (booleans as 1/0; absent, text: NULL)
//   {text:key}  the event field `key` as text (a number as its digits; absent: NULL)
//   {day:column} the UTC date, YYYY-MM-DD, of a column of Unix seconds (`time`, `received`)
//   ?1 ... ?9   the read's parameters (numbers)
//   ?t1 ... ?t9 the read's text parameters (compared as they are; never spliced into the SQL)
// and total(x), SQLite's sum that skips NULLs and is 0.0 over no rows (the PostgreSQL schema
// defines the same aggregate). Truth values are numbers compared with 0 (`ok <> 0`), never
// bare operands of AND/OR/NOT, which PostgreSQL types strictly.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace agentmetrics::store {

// SQLite binds ?tN at this index plus N.
inline constexpr int kSqliteTextParameter = 10;

// SQLite: json_extract(fields, '$.key') (which gives booleans as 1/0), parameters as they are
// (?tN as ?(kSqliteTextParameter + N)).
std::string sqlite_event_sql(std::string_view sql);
// PostgreSQL: am_num(fields, 'key') and fields->>'key', the parameters written in as numbers
// (exactly: the shortest text that reads back as the same double) and the texts as their bytes
// in hex (decoded by the server, so no text can end the literal). Throws std::invalid_argument
// for a parameter it was not given or a key that is not [A-Za-z0-9_].
std::string postgres_event_sql(std::string_view sql, std::span<const double> parameters, std::span<const std::string> texts = {});

}  // namespace agentmetrics::store
