# The deployment files under deploy/: Prometheus rules and configurations (promtool), the
# Alertmanager configuration (amtool), the Grafana dashboard (structure, and every query run by
# a real Prometheus against a real collector), the Kubernetes manifests, the Dockerfile and the
# seccomp profile (parsed), the systemd unit (systemd-analyze, and its system call filter
# against a strace of the collector), and deploy/local-stack.sh --smoke.
find_package(yaml-cpp REQUIRED CONFIG)
find_program(AMTOOL_BINARY amtool)
find_program(SYSTEMD_ANALYZE_BINARY systemd-analyze)
find_program(STRACE_BINARY strace)
foreach(tool AMTOOL_BINARY SYSTEMD_ANALYZE_BINARY STRACE_BINARY)
  if(${tool})
    set(${tool}_PATH ${${tool}})
  else()
    set(${tool}_PATH "")
    message(STATUS "deploy tests: ${tool} not found; the tests that need it will say so")
  endif()
endforeach()

set(deploy_tests_dir ${CMAKE_CURRENT_LIST_DIR}/../deploy)
agentmetrics_test(deploy_test
  ${deploy_tests_dir}/deploy_support.cpp
  ${deploy_tests_dir}/deploy_files_test.cpp
  ${deploy_tests_dir}/dashboard_queries_test.cpp
  ${deploy_tests_dir}/local_stack_test.cpp)
target_link_libraries(deploy_test PRIVATE yaml-cpp nlohmann_json::nlohmann_json GTest::gtest_main)
target_compile_definitions(deploy_test PRIVATE
  AM_REPO_DIR="${PROJECT_SOURCE_DIR}"
  AM_BUILD_DIR="${PROJECT_BINARY_DIR}"
  AM_AMTOOL="${AMTOOL_BINARY_PATH}"
  AM_SYSTEMD_ANALYZE="${SYSTEMD_ANALYZE_BINARY_PATH}"
  AM_STRACE="${STRACE_BINARY_PATH}"
  AM_AGENT_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data/agents")
add_dependencies(deploy_test agentmetricsd agentmetrics-cli agentmetrics-demo)
