#include "collector/ingest/xml_report.h"

#include "collector/ingest/ingest_error.h"
#include "collector/ingest/report_file.h"
#include "collector/ingest/report_values.h"

namespace agentmetrics::ingest {

XmlReport::XmlReport(const std::string& path) : path_(path), text_(read_report_file(path)) {
  // pugixml expands no external entities and builds the tree without recursion, so hostile
  // input costs memory bounded by the file's size, nothing more.
  const pugi::xml_parse_result parsed = document_.load_buffer(text_.data(), text_.size(), pugi::parse_default, pugi::encoding_utf8);
  if (!parsed) {
    throw IngestError(path_, line_at(text_, static_cast<std::size_t>(parsed.offset)),
                      std::string("malformed XML: ") + parsed.description());
  }
  if (!root()) throw IngestError(path_, 1, "the file holds no XML element");
}

std::size_t XmlReport::line_of(pugi::xml_node node) const {
  const std::ptrdiff_t offset = node.offset_debug();
  return offset < 0 ? 0 : line_at(text_, static_cast<std::size_t>(offset));
}

void XmlReport::fail(pugi::xml_node node, const std::string& message) const { throw IngestError(path_, line_of(node), message); }

std::optional<double> XmlReport::number(pugi::xml_node node, const char* attribute) const {
  const pugi::xml_attribute a = node.attribute(attribute);
  if (!a) return std::nullopt;
  const auto value = parse_non_negative(a.value());
  if (!value) {
    fail(node, std::string("<") + node.name() + "> " + attribute + "=" + quoted_excerpt(a.value()) + " is not a number >= 0");
  }
  return value;
}

std::optional<double> XmlReport::count(pugi::xml_node node, const char* attribute) const {
  const pugi::xml_attribute a = node.attribute(attribute);
  if (!a) return std::nullopt;
  const auto value = parse_count(a.value());
  if (!value) {
    fail(node, std::string("<") + node.name() + "> " + attribute + "=" + quoted_excerpt(a.value()) + " is not a whole number >= 0");
  }
  return static_cast<double>(*value);
}

}  // namespace agentmetrics::ingest
