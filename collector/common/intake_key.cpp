#include "collector/common/intake_key.h"

#include <cstdio>

namespace agentmetrics {

std::uint64_t intake_producer_id(std::string_view source, std::string_view key) {
  std::uint64_t hash = 14695981039346656037ULL;
  const auto mix = [&](std::string_view text) {
    for (const char c : text) {
      hash ^= static_cast<unsigned char>(c);
      hash *= 1099511628211ULL;
    }
  };
  mix(source);
  mix(std::string_view("\0", 1));  // ("ab", "c") and ("a", "bc") are different producers
  mix(key);
  return hash;
}

std::uint64_t session_producer_id(std::string_view agent, std::string_view session_id) {
  return intake_producer_id("session/" + std::string(agent), session_id);
}

std::string session_digest(std::uint64_t session_producer) {
  char digest[24];
  std::snprintf(digest, sizeof digest, "s-%016llx", static_cast<unsigned long long>(session_producer));
  return digest;
}

std::string session_digest(std::string_view agent, std::string_view session_id) {
  return session_digest(session_producer_id(agent, session_id));
}

}  // namespace agentmetrics
