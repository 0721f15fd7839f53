# The KPI alert webhook: payload shape and the notifier against a real local HTTP receiver.
agentmetrics_test(alert_notifier_test CONCURRENT unit/alert_payload_test.cpp unit/alert_notifier_test.cpp)
target_link_libraries(alert_notifier_test PRIVATE
  agentmetrics_alerts agentmetrics_http nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(alert_notifier_test PRIVATE AGENTMETRICS_VERSION="${PROJECT_VERSION}")
