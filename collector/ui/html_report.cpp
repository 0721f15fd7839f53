#include "collector/ui/html_report.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

#include "collector/ui/ui_assets.h"

namespace agentmetrics::ui {
namespace {

std::string_view asset(std::string_view name) {
  const UiAsset* a = find_ui_asset(name);
  if (!a) throw std::logic_error("the /ui asset " + std::string(name) + " is not embedded");
  return a->bytes;
}

// Replaces the one occurrence of `tag` in `page` (index.html names each file once).
void replace_tag(std::string& page, std::string_view tag, std::string_view with) {
  const auto at = page.find(tag);
  if (at == std::string::npos) throw std::logic_error("index.html has no " + std::string(tag));
  page.replace(at, tag.size(), with);
}

// JSON text that is safe inside <script>: '<' appears only in strings, where \u003c reads the same.
std::string script_safe_json(const nlohmann::ordered_json& data) {
  const std::string text = data.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '<') {
      out += "\\u003c";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string csp_hash_source(std::string_view content) {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(content.data()), content.size(), digest.data());
  std::array<unsigned char, 4 * ((SHA256_DIGEST_LENGTH + 2) / 3) + 1> base64{};
  const int length = EVP_EncodeBlock(base64.data(), digest.data(), static_cast<int>(digest.size()));
  return "'sha256-" + std::string(reinterpret_cast<const char*>(base64.data()), static_cast<std::size_t>(length)) + "'";
}

std::string render_html_report(const nlohmann::ordered_json& data) {
  const std::string_view chart_style = asset("uPlot.min.css"), page_style = asset("app.css");
  const std::string_view chart_script = asset("uPlot.iife.min.js"), page_script = asset("app.js");
  std::string page(asset("index.html"));
  const std::string policy = "default-src 'none'; script-src " + csp_hash_source(chart_script) + " " + csp_hash_source(page_script) +
                             "; style-src " + csp_hash_source(chart_style) + " " + csp_hash_source(page_style) +
                             "; img-src data:; base-uri 'none'; form-action 'none'";
  replace_tag(page, "<meta charset=\"utf-8\">",
              "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"" + policy + "\">");
  replace_tag(page, "<link rel=\"stylesheet\" href=\"ui/uPlot.min.css\">", "<style>" + std::string(chart_style) + "</style>");
  replace_tag(page, "<link rel=\"stylesheet\" href=\"ui/app.css\">", "<style>" + std::string(page_style) + "</style>");
  replace_tag(page, "<script src=\"ui/uPlot.iife.min.js\"></script>",
              "<script type=\"application/json\" id=\"am-data\">" + script_safe_json(data) + "</script>\n<script>" +
                  std::string(chart_script) + "</script>");
  replace_tag(page, "<script src=\"ui/app.js\"></script>", "<script>" + std::string(page_script) + "</script>");
  return page;
}

}  // namespace agentmetrics::ui
