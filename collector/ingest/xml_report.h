// An XML report parsed with pugixml, keeping its text so that errors can name a line.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <pugixml.hpp>

namespace agentmetrics::ingest {

class XmlReport {
 public:
  // Reads and parses `path` as UTF-8 XML. Throws IngestError naming the line of a syntax error
  // (a truncated file fails on its last line).
  explicit XmlReport(const std::string& path);

  pugi::xml_node root() const { return document_.document_element(); }

  // The 1-based line where `node` starts, 0 if pugixml cannot tell.
  std::size_t line_of(pugi::xml_node node) const;

  // Throws IngestError for a problem at `node`.
  [[noreturn]] void fail(pugi::xml_node node, const std::string& message) const;

  // An attribute of `node` read as a finite number >= 0, nullopt when absent; throws when it
  // is present and malformed.
  std::optional<double> number(pugi::xml_node node, const char* attribute) const;
  // Same for a non-negative integer.
  std::optional<double> count(pugi::xml_node node, const char* attribute) const;

 private:
  std::string path_;
  std::string text_;
  pugi::xml_document document_;
};

}  // namespace agentmetrics::ingest
