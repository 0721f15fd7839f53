#include "ipc/segment_name.h"

#include <charconv>

namespace agentmetrics::ipc {
namespace {

constexpr std::string_view kPublishedPrefix = "agentmetrics.";
constexpr std::string_view kInitPrefix = ".agentmetrics-init.";

std::string compose(std::string_view prefix, std::string_view ns, std::int32_t pid, std::uint64_t nonce) {
  std::string name(prefix);
  name += ns;
  name += '.';
  name += std::to_string(pid);
  name += '.';
  name += std::to_string(nonce);
  return name;
}

template <typename T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

bool is_valid_namespace(std::string_view ns) {
  if (ns.empty() || ns.size() > 64) return false;
  for (char c : ns) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string segment_file_name(std::string_view ns, std::int32_t pid, std::uint64_t nonce) {
  return compose(kPublishedPrefix, ns, pid, nonce);
}

std::string init_file_name(std::string_view ns, std::int32_t pid, std::uint64_t nonce) { return compose(kInitPrefix, ns, pid, nonce); }

namespace {

std::optional<ParsedSegmentName> parse_name(std::string_view file_name, std::string_view prefix, std::string_view ns) {
  if (!file_name.starts_with(prefix)) return std::nullopt;
  file_name.remove_prefix(prefix.size());
  if (!file_name.starts_with(ns) || file_name.size() <= ns.size() || file_name[ns.size()] != '.') return std::nullopt;
  file_name.remove_prefix(ns.size() + 1);
  const auto dot = file_name.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  ParsedSegmentName parsed{};
  if (!parse_number(file_name.substr(0, dot), parsed.pid) || parsed.pid <= 0) return std::nullopt;
  if (!parse_number(file_name.substr(dot + 1), parsed.nonce)) return std::nullopt;
  return parsed;
}

}  // namespace

std::optional<ParsedSegmentName> parse_segment_file_name(std::string_view file_name, std::string_view ns) {
  return parse_name(file_name, kPublishedPrefix, ns);
}

std::optional<ParsedSegmentName> parse_init_file_name(std::string_view file_name, std::string_view ns) {
  return parse_name(file_name, kInitPrefix, ns);
}

}  // namespace agentmetrics::ipc
