// The files of the /ui page, built into the binary (collector/ui/CMakeLists.txt embeds
// collector/ui/web/ and its vendored uPlot, whose SHA-256 it checks first): nothing is read
// from disk or fetched at run time.
#pragma once

#include <span>
#include <string_view>

namespace agentmetrics::ui {

struct UiAsset {
  std::string_view name;          // "index.html", "app.js", "uPlot.iife.min.js", ...
  std::string_view content_type;  // "text/javascript; charset=utf-8", ...
  std::string_view bytes;
};

std::span<const UiAsset> ui_assets();
// The asset of that name; null when there is none.
const UiAsset* find_ui_asset(std::string_view name);

}  // namespace agentmetrics::ui
