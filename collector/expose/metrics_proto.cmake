# Prometheus's own exposition schema (io.prometheus.client.MetricFamily, with native
# histograms), from Debian's golang-github-prometheus-client-model-dev, compiled at build time
# with Debian's protoc. Included by collector/CMakeLists.txt; expose/protobuf_exposition uses it.
find_package(Protobuf REQUIRED)
find_path(PROMETHEUS_CLIENT_MODEL_DIR io/prometheus/client/metrics.proto
          PATHS /usr/share/gocode/src/github.com/prometheus/client_model
          DOC "Where Prometheus's metrics.proto is (golang-github-prometheus-client-model-dev)")
if(NOT PROMETHEUS_CLIENT_MODEL_DIR)
  message(FATAL_ERROR "io/prometheus/client/metrics.proto not found: install golang-github-prometheus-client-model-dev "
                      "(deploy/install-deps.sh) or set PROMETHEUS_CLIENT_MODEL_DIR")
endif()
set(metrics_proto_out ${CMAKE_CURRENT_BINARY_DIR}/proto)
file(MAKE_DIRECTORY ${metrics_proto_out})
add_custom_command(
  OUTPUT ${metrics_proto_out}/io/prometheus/client/metrics.pb.cc ${metrics_proto_out}/io/prometheus/client/metrics.pb.h
  COMMAND protobuf::protoc --cpp_out=${metrics_proto_out} -I ${PROMETHEUS_CLIENT_MODEL_DIR} -I ${Protobuf_INCLUDE_DIRS}
          ${PROMETHEUS_CLIENT_MODEL_DIR}/io/prometheus/client/metrics.proto
  DEPENDS ${PROMETHEUS_CLIENT_MODEL_DIR}/io/prometheus/client/metrics.proto protobuf::protoc
  COMMENT "protoc: io/prometheus/client/metrics.proto")
add_library(agentmetrics_metrics_proto STATIC ${metrics_proto_out}/io/prometheus/client/metrics.pb.cc)
# Generated code: not held to the project's warnings.
target_compile_options(agentmetrics_metrics_proto PRIVATE -w)
target_include_directories(agentmetrics_metrics_proto SYSTEM PUBLIC ${metrics_proto_out})
target_link_libraries(agentmetrics_metrics_proto PUBLIC protobuf::libprotobuf)
