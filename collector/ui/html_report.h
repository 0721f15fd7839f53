// `agentmetrics report --html FILE`: the /ui page as one file, for a person without a running
// collector. The page's style sheets and scripts are written inline, the data (Dashboard::report)
// in a <script type="application/json">, and a Content-Security-Policy <meta> allows exactly
// those inline pieces (by their SHA-256) and nothing else: the file loads nothing from anywhere.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace agentmetrics::ui {

std::string render_html_report(const nlohmann::ordered_json& data);

// The CSP source of an inline script or style: "'sha256-<base64 of its SHA-256>'".
std::string csp_hash_source(std::string_view content);

}  // namespace agentmetrics::ui
