// The stable keys of what comes in from outside the rings (OTLP, forge webhooks, the sessions the
// agents wrote on disk, a hook's session): the same on every run and every machine, so that what
// arrives twice, by two ways or after a restart, is known for the same thing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace agentmetrics {

// A 64-bit producer id for the events of (`source`, `key`) (FNV-1a over both). Ring producers
// draw theirs at random from the same space; a collision is as likely as two random producers
// colliding.
std::uint64_t intake_producer_id(std::string_view source, std::string_view key);

// The producer id of an agent's session ("claude_code", its own session id): one task however
// the session came.
std::uint64_t session_producer_id(std::string_view agent, std::string_view session_id);

// What stands for a session id where the id itself may not be kept (privacy by default):
// "s-" and the session's producer id in hex. The import's task events carry it, and a hook keys
// the rules it gave a session by it, so that the feedback of both counts once.
std::string session_digest(std::uint64_t session_producer);
std::string session_digest(std::string_view agent, std::string_view session_id);

}  // namespace agentmetrics
