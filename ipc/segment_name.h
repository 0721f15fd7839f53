// Where segments live and what they are called. A namespace keeps the segments of unrelated
// deployments apart on one machine; the directory is a tmpfs shared by producer and collector
// (/dev/shm, or an emptyDir with medium Memory in a pod).
//
//   <dir>/agentmetrics.<namespace>.<pid>.<nonce>        a published segment
//   <dir>/.agentmetrics-init.<namespace>.<pid>.<nonce>  one being set up (renamed when ready)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::ipc {

inline constexpr std::string_view kDefaultNamespace = "default";
inline constexpr std::string_view kDefaultSegmentDir = "/dev/shm";
// Environment variables read by the client library (the collector takes flags instead).
inline constexpr const char* kNamespaceEnv = "AGENTMETRICS_NAMESPACE";
inline constexpr const char* kSegmentDirEnv = "AGENTMETRICS_SHM_DIR";

// 1 to 64 characters of [A-Za-z0-9_-].
bool is_valid_namespace(std::string_view ns);

std::string segment_file_name(std::string_view ns, std::int32_t pid, std::uint64_t nonce);
std::string init_file_name(std::string_view ns, std::int32_t pid, std::uint64_t nonce);

struct ParsedSegmentName {
  std::int32_t pid;
  std::uint64_t nonce;
};
// Recognises a published segment of namespace `ns`; anything else (other namespaces, files
// being set up, foreign files) gives nullopt.
std::optional<ParsedSegmentName> parse_segment_file_name(std::string_view file_name, std::string_view ns);
// The same for a file of namespace `ns` still being set up (.agentmetrics-init.*).
std::optional<ParsedSegmentName> parse_init_file_name(std::string_view file_name, std::string_view ns);

}  // namespace agentmetrics::ipc
