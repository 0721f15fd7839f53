#include "collector/store/event_sql.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace agentmetrics::store {
namespace {

// Rewrites each {num:key}, {text:key} and {day:column} with `field(kind, key)`, each ?N with
// `parameter(N)` and each ?tN with `text(N)`.
template <typename Field, typename Parameter, typename Text>
std::string rewrite(std::string_view sql, Field field, Parameter parameter, Text text) {
  std::string out;
  out.reserve(sql.size() * 2);
  for (std::size_t i = 0; i < sql.size();) {
    if (sql[i] == '{') {
      const std::size_t close = sql.find('}', i);
      const std::string_view inside = sql.substr(i + 1, close == std::string_view::npos ? 0 : close - i - 1);
      const std::size_t colon = inside.find(':');
      const std::string_view kind = inside.substr(0, colon);
      const std::string_view key = colon == std::string_view::npos ? std::string_view() : inside.substr(colon + 1);
      const bool valid_key =
          !key.empty() && std::all_of(key.begin(), key.end(), [](unsigned char c) { return std::isalnum(c) || c == '_'; });
      if (close == std::string_view::npos || (kind != "num" && kind != "text" && kind != "day") || !valid_key) {
        throw std::invalid_argument("event SQL: bad field reference at " + std::string(sql.substr(i, 24)));
      }
      out += field(kind, key);
      i = close + 1;
    } else if (sql[i] == '?' && i + 1 < sql.size() && std::isdigit(static_cast<unsigned char>(sql[i + 1]))) {
      out += parameter(sql[i + 1] - '0');
      i += 2;
    } else if (sql[i] == '?' && i + 2 < sql.size() && sql[i + 1] == 't' && std::isdigit(static_cast<unsigned char>(sql[i + 2]))) {
      out += text(sql[i + 2] - '0');
      i += 3;
    } else {
      out += sql[i++];
    }
  }
  return out;
}

}  // namespace

std::string sqlite_event_sql(std::string_view sql) {
  return rewrite(
      sql,
      [](std::string_view kind, std::string_view key) {
        return kind == "day" ? "date(" + std::string(key) + ", 'unixepoch')" : "json_extract(fields, '$." + std::string(key) + "')";
      },
      [](int n) { return "?" + std::to_string(n); }, [](int n) { return "?" + std::to_string(kSqliteTextParameter + n); });
}

std::string postgres_event_sql(std::string_view sql, std::span<const double> parameters, std::span<const std::string> texts) {
  return rewrite(
      sql,
      [](std::string_view kind, std::string_view key) {
        if (kind == "day") return "to_char(to_timestamp(" + std::string(key) + ") AT TIME ZONE 'UTC', 'YYYY-MM-DD')";
        return kind == "num" ? "am_num(fields, '" + std::string(key) + "')" : "(fields->>'" + std::string(key) + "')";
      },
      [&](int n) {
        if (n < 1 || static_cast<std::size_t>(n) > parameters.size() || !std::isfinite(parameters[n - 1])) {
          throw std::invalid_argument("event SQL: parameter ?" + std::to_string(n) + " not given or not finite");
        }
        char text[32];
        const auto end = std::to_chars(std::begin(text), std::end(text), parameters[n - 1]).ptr;
        return "CAST('" + std::string(text, end) + "' AS double precision)";
      },
      [&](int n) {
        if (n < 1 || static_cast<std::size_t>(n) > texts.size()) {
          throw std::invalid_argument("event SQL: text parameter ?t" + std::to_string(n) + " not given");
        }
        static constexpr char kHex[] = "0123456789abcdef";
        std::string hex;
        hex.reserve(texts[n - 1].size() * 2);
        for (const unsigned char c : texts[n - 1]) {
          hex += kHex[c >> 4];
          hex += kHex[c & 15];
        }
        return "convert_from(decode('" + hex + "', 'hex'), 'UTF8')";
      });
}

}  // namespace agentmetrics::store
