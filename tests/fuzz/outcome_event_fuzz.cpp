// Fuzzes the decoding of an outcome event's frame payload (ipc/outcome_event.h), as the
// collector decodes what a producer put in its ring, and the check that follows.
// Oracles: no crash or sanitizer report; an event that passes check_event encodes (it fits a
// frame) and decodes back to the same event.
#include <span>
#include <stdexcept>
#include <variant>

#include "tests/fuzz/fuzz_support.h"
#include "ipc/outcome_event.h"
#include "ipc/record.h"

using namespace agentmetrics;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data), size);
  auto decoded = ipc::decode_event(bytes);
  auto* event = std::get_if<ipc::OutcomeEvent>(&decoded);
  if (!event) return 0;
  if (!ipc::check_event(*event).empty()) return 0;
  std::vector<std::byte> encoded;
  try {
    encoded = ipc::encode_event(*event);
  } catch (const std::invalid_argument& e) {
    fuzz::fail("a checked event does not encode", e.what());
  }
  if (encoded.size() > ipc::kMaxFramePayloadBytes) fuzz::fail("an encoded event does not fit a frame");
  auto again = ipc::decode_event(encoded);
  auto* copy = std::get_if<ipc::OutcomeEvent>(&again);
  if (!copy) fuzz::fail("an encoded event does not decode", std::get<ipc::OutcomeDecodeError>(again).reason);
  if (copy->kind != event->kind || copy->producer_id != event->producer_id || copy->sequence != event->sequence ||
      copy->time != event->time || copy->fields != event->fields) {
    fuzz::fail("event changed in a round trip");
  }
  return 0;
}
