// An OTLP/HTTP request body as a message: the content encoding undone (gzip, inflated no
// further than the size limit, so a small bomb cannot become a large body), then parsed as
// protobuf (application/x-protobuf) or as OTLP/JSON (application/json). What cannot be read is
// told with the status the OTLP specification gives it.
#pragma once

#include <google/protobuf/message.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace agentmetrics::intake {

struct BodyRefusal {
  int status;           // 400 undecodable, 413 too large, 415 unsupported type or encoding
  std::string message;  // for the answer's Status.message and the log
};

// A body with its content encoding undone, not parsed yet.
struct UnpackedBody {
  std::string_view bytes;  // the body, or `inflated`
  bool json = false;       // application/json, else application/x-protobuf
  std::string inflated;
};

// Reads `body` into `message`. `max_bytes` bounds the body after decompression.
std::optional<BodyRefusal> read_otlp_body(std::string_view body, std::string_view content_type, std::string_view content_encoding,
                                          std::size_t max_bytes, google::protobuf::Message& message);
// read_otlp_body in two steps: the type checked and the encoding undone, then the parse.
std::optional<BodyRefusal> unpack_otlp_body(std::string_view body, std::string_view content_type, std::string_view content_encoding,
                                            std::size_t max_bytes, UnpackedBody& out);
std::optional<BodyRefusal> parse_otlp_body(const UnpackedBody& body, google::protobuf::Message& message);

// Inflates a gzip body, failing (nothing) when it is not gzip or would exceed `max_bytes`;
// `too_large` tells the two apart.
std::optional<std::string> gunzip_bounded(std::string_view body, std::size_t max_bytes, bool& too_large);

}  // namespace agentmetrics::intake
