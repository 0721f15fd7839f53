// Reading a report file, which is untrusted input: bounded in size, and byte offsets turned
// into the line numbers an error message gives.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace agentmetrics::ingest {

// Larger files are refused rather than risk exhausting memory; real reports are far smaller.
inline constexpr std::size_t kMaxReportBytes = 256u << 20;

// The whole content of `path`. Throws IngestError (line 0) when it is missing, not a regular
// file, unreadable or larger than kMaxReportBytes.
std::string read_report_file(const std::string& path);

// The 1-based line holding the byte at `offset`; an offset past the end is on the last line.
std::size_t line_at(std::string_view text, std::size_t offset);

}  // namespace agentmetrics::ingest
