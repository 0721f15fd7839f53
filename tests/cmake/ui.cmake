# The /ui page and the HTML report in a real browser: Debian's chromium driven by puppeteer-core
# (tests/ui: npm packages installed into the build tree by the test), in a network namespace of
# its own. Screenshots at two widths are kept in build/tests/ui-artifacts for CI.
add_test(NAME ui_browser
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/ui/ui_test.sh ${CMAKE_BINARY_DIR}/bin ${CMAKE_CURRENT_BINARY_DIR}/ui-packages
          ${CMAKE_CURRENT_BINARY_DIR}/ui-artifacts)
set_tests_properties(ui_browser PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK ui-packages COST 35)
# What the page shows, over a real store: the same figures as the KPI engine and cm, the report's policy.
agentmetrics_test(ui_dashboard_test unit/ui_dashboard_test.cpp)
target_link_libraries(ui_dashboard_test PRIVATE agentmetrics_ui GTest::gtest_main)
