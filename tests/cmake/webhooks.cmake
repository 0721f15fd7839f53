# The forges' webhooks: their parts (signatures, times, trailers, the history a rollback is
# told from), and the real daemon receiving GitHub's recorded payloads signed by GitHub's own
# library (tests/webhooks: npm packages installed into the build tree by the test) and GitLab's
# documented ones, the KPIs they make, and the GitHub backfill.
agentmetrics_test(webhook_parts_test unit/webhook_parts_test.cpp)
target_link_libraries(webhook_parts_test PRIVATE agentmetrics_intake GTest::gtest_main)

agentmetrics_test(webhooks_test CONCURRENT TIMEOUT 300 integration/webhooks_test.cpp)
target_link_libraries(webhooks_test PRIVATE agentmetrics_store nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(webhooks_test PRIVATE AM_WEBHOOK_TESTS_DIR="${CMAKE_CURRENT_SOURCE_DIR}/webhooks"
                           AM_WEBHOOK_PACKAGES_DIR="${CMAKE_CURRENT_BINARY_DIR}/webhook-packages"
                           AM_WEBHOOK_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data/webhooks")
add_dependencies(webhooks_test agentmetricsd agentmetrics-cli)
