# The KPI engine: catalogue, engine over a real store, gauges, report.
agentmetrics_test(kpi_test CONCURRENT unit/kpi_catalogue_test.cpp unit/kpi_engine_test.cpp unit/kpi_gauges_test.cpp unit/kpi_report_test.cpp)
target_link_libraries(kpi_test PRIVATE agentmetrics_kpi GTest::gtest_main)
# DORA's keys: recovery, pull request states, quantiles, bands, and the engine computing them.
target_sources(kpi_test PRIVATE unit/dora_kpis_test.cpp)
