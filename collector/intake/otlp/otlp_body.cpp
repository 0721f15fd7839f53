#include "collector/intake/otlp/otlp_body.h"

#include <google/protobuf/util/json_util.h>
#include <zlib.h>

#include "collector/common/header_text.h"

namespace agentmetrics::intake {

std::optional<std::string> gunzip_bounded(std::string_view body, std::size_t max_bytes, bool& too_large) {
  too_large = false;
  z_stream z{};
  // 16 + MAX_WBITS: a gzip member, not raw deflate or zlib.
  if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return std::nullopt;
  std::string out;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
  z.avail_in = static_cast<uInt>(body.size());
  char buffer[65536];
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    z.next_out = reinterpret_cast<Bytef*>(buffer);
    z.avail_out = sizeof buffer;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END) break;
    out.append(buffer, sizeof buffer - z.avail_out);
    if (out.size() > max_bytes) {
      too_large = true;
      break;
    }
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) break;  // truncated: no more input, not at the end
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END || too_large) return std::nullopt;
  return out;
}

std::optional<BodyRefusal> unpack_otlp_body(std::string_view body, std::string_view content_type, std::string_view content_encoding,
                                            std::size_t max_bytes, UnpackedBody& out) {
  const std::string media = ascii_lower(trim_blanks(content_type.substr(0, content_type.find(';'))));
  out.json = media == "application/json";
  if (!out.json && media != "application/x-protobuf")
    return BodyRefusal{415,
                       "unsupported content type '" + std::string(content_type) + "': send application/x-protobuf or application/json"};
  const std::string encoding = ascii_lower(trim_blanks(content_encoding));
  if (encoding == "gzip") {
    bool too_large = false;
    auto inflated = gunzip_bounded(body, max_bytes, too_large);
    if (too_large) return BodyRefusal{413, "the body inflates to more than " + std::to_string(max_bytes) + " bytes"};
    if (!inflated) return BodyRefusal{400, "the body is not valid gzip"};
    out.inflated = std::move(*inflated);
    body = out.inflated;
  } else if (!encoding.empty() && encoding != "identity") {
    return BodyRefusal{415, "unsupported content encoding '" + std::string(content_encoding) + "': send gzip or none"};
  }
  if (body.size() > max_bytes) return BodyRefusal{413, "the body is larger than " + std::to_string(max_bytes) + " bytes"};
  out.bytes = body;
  return std::nullopt;
}

std::optional<BodyRefusal> parse_otlp_body(const UnpackedBody& body, google::protobuf::Message& message) {
  if (body.json) {
    google::protobuf::util::JsonParseOptions options;
    options.ignore_unknown_fields = true;  // a newer client's fields are not an error
    const auto status =
        google::protobuf::util::JsonStringToMessage(google::protobuf::StringPiece(body.bytes.data(), body.bytes.size()), &message, options);
    if (!status.ok()) return BodyRefusal{400, "the body is not OTLP/JSON: " + std::string(status.message())};
  } else if (!message.ParseFromArray(body.bytes.data(), static_cast<int>(body.bytes.size()))) {
    return BodyRefusal{400, "the body is not an OTLP protobuf message"};
  }
  return std::nullopt;
}

std::optional<BodyRefusal> read_otlp_body(std::string_view body, std::string_view content_type, std::string_view content_encoding,
                                          std::size_t max_bytes, google::protobuf::Message& message) {
  UnpackedBody unpacked;
  if (auto refused = unpack_otlp_body(body, content_type, content_encoding, max_bytes, unpacked)) return refused;
  return parse_otlp_body(unpacked, message);
}

}  // namespace agentmetrics::intake
