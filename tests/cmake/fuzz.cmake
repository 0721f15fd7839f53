# Fuzz targets (tests/fuzz/): the segment validator with string-table, record and frame
# decoding, outcome-event decoding, each report parser, the configuration loader, and the forge
# webhooks' receiver with the GitHub backfill.
#
# Every build replays the committed corpora (tests/fuzz/corpus/<target>/) through each target
# as an ordinary test, fuzz_corpus.<target> (label "fuzz"): a plain main() feeds it the files.
#
# With -DAGENTMETRICS_FUZZ=ON and clang (-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang)
# the targets are also built as libFuzzer binaries fuzz_<target> with ASan and UBSan, and the
# libraries they exercise are instrumented for coverage. Build them with the target
# fuzz_targets; tests/fuzz/run.sh SECONDS does that in build-fuzz and runs each for SECONDS.
option(AGENTMETRICS_FUZZ "Build the libFuzzer targets (clang only; build the target fuzz_targets)" OFF)

set(AM_FUZZ_DIR ${CMAKE_CURRENT_SOURCE_DIR}/fuzz)
set(AM_FUZZ_CORPUS ${AM_FUZZ_DIR}/corpus)

if(AGENTMETRICS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "AGENTMETRICS_FUZZ needs clang (libFuzzer): configure with -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
  endif()
  if(AGENTMETRICS_SANITIZE OR AGENTMETRICS_TSAN)
    message(FATAL_ERROR "AGENTMETRICS_FUZZ brings its own sanitizers; leave AGENTMETRICS_SANITIZE and AGENTMETRICS_TSAN off")
  endif()
  set(AM_FUZZ_SANITIZERS -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g)
  # The collector's code the targets reach, compiled on its own: the rest of agentmetrics_collector
  # (store, KPI engine, alerts) is not needed by them.
  set(src ${PROJECT_SOURCE_DIR}/collector)
  add_library(agentmetrics_fuzz_core STATIC
    ${src}/drain/attached_segment.cpp ${src}/drain/segment_directory.cpp ${src}/expose/prometheus_text.cpp ${src}/aggregate/family_registry.cpp
    ${src}/drain/fault_guard.cpp ${src}/expose/openmetrics_text.cpp ${src}/expose/self_metrics.cpp ${src}/aggregate/shard.cpp
    ${src}/expose/text_primitives.cpp ${src}/aggregate/epoch_reclaimer.cpp ${src}/aggregate/exponential_histogram.cpp
    ${src}/aggregate/label_text.cpp ${src}/aggregate/series_reader.cpp ${src}/expose/scrape.cpp ${src}/expose/protobuf_exposition.cpp
    ${src}/expose/http_encoding.cpp ${src}/expose/buffer_pool.cpp)
  target_link_libraries(agentmetrics_fuzz_core PUBLIC agentmetrics_ipc agentmetrics_common prometheus-cpp::core agentmetrics_metrics_proto
    PkgConfig::LIBISAL Threads::Threads)
  # The configuration loader.
  add_library(agentmetrics_fuzz_config STATIC ${src}/config/config.cpp ${src}/http/listen_address.cpp ${src}/store/store_url.cpp
    ${src}/config/kpi_settings.cpp ${src}/kpi/kpi_catalogue.cpp)
  target_link_libraries(agentmetrics_fuzz_config PUBLIC agentmetrics_ipc agentmetrics_common yaml-cpp Threads::Threads)
  target_compile_options(agentmetrics_fuzz_config PRIVATE -fsanitize=fuzzer-no-link ${AM_FUZZ_SANITIZERS})
  set(AM_FUZZ_CONFIG agentmetrics_fuzz_config)
  set(AM_FUZZ_COLLECTOR agentmetrics_fuzz_core)
  # The code under test is instrumented for coverage (libFuzzer's guidance) and for ASan and
  # UBSan; the libraries it merely calls (prometheus-cpp, yaml-cpp, pugixml) are not.
  foreach(lib agentmetrics_ipc agentmetrics_ingest agentmetrics_fuzz_core agentmetrics_common agentmetrics_intake agentmetrics_otlp)
    target_compile_options(${lib} PRIVATE -fsanitize=fuzzer-no-link ${AM_FUZZ_SANITIZERS})
  endforeach()
  add_custom_target(fuzz_targets)
else()
  set(AM_FUZZ_COLLECTOR agentmetrics_collector)
  set(AM_FUZZ_CONFIG agentmetrics_config)
endif()

# agentmetrics_fuzz_target(NAME SOURCES files... LIBS libs... [DEFINITIONS defs...])
function(agentmetrics_fuzz_target name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LIBS;DEFINITIONS")
  if(AGENTMETRICS_FUZZ)
    set(target fuzz_${name})
    add_executable(${target} ${ARG_SOURCES})
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer ${AM_FUZZ_SANITIZERS})
    target_link_options(${target} PRIVATE -fsanitize=fuzzer ${AM_FUZZ_SANITIZERS})
    add_dependencies(fuzz_targets ${target})
    # A libFuzzer binary replays a corpus with -runs=0.
    add_test(NAME fuzz_corpus.${name} COMMAND ${target} -runs=0 ${AM_FUZZ_CORPUS}/${name})
  else()
    set(target fuzz_${name}_replay)
    add_executable(${target} ${ARG_SOURCES} ${AM_FUZZ_DIR}/replay_main.cpp)
    add_test(NAME fuzz_corpus.${name} COMMAND ${target} ${AM_FUZZ_CORPUS}/${name})
  endif()
  target_link_libraries(${target} PRIVATE ${ARG_LIBS})
  target_compile_definitions(${target} PRIVATE ${ARG_DEFINITIONS})
  set_tests_properties(fuzz_corpus.${name} PROPERTIES TIMEOUT 120 LABELS fuzz)
endfunction()

agentmetrics_fuzz_target(segment SOURCES ${AM_FUZZ_DIR}/segment_fuzz.cpp LIBS ${AM_FUZZ_COLLECTOR})
agentmetrics_fuzz_target(string_table SOURCES ${AM_FUZZ_DIR}/string_table_fuzz.cpp LIBS agentmetrics_ipc)
agentmetrics_fuzz_target(outcome_event SOURCES ${AM_FUZZ_DIR}/outcome_event_fuzz.cpp LIBS agentmetrics_ipc)
foreach(format junit lcov cobertura sarif)
  agentmetrics_fuzz_target(${format} SOURCES ${AM_FUZZ_DIR}/ingest_fuzz.cpp LIBS agentmetrics_ingest
                           DEFINITIONS AM_INGEST_FORMAT="${format}")
endforeach()
agentmetrics_fuzz_target(config SOURCES ${AM_FUZZ_DIR}/config_fuzz.cpp LIBS ${AM_FUZZ_CONFIG})
# The forge webhooks' receiver and the GitHub backfill (collector/intake/webhooks/).
agentmetrics_fuzz_target(webhook SOURCES ${AM_FUZZ_DIR}/webhook_fuzz.cpp LIBS agentmetrics_intake)
# OTLP metrics requests read in place, against the generated classes (collector/intake/otlp/).
agentmetrics_fuzz_target(otlp_metrics SOURCES ${AM_FUZZ_DIR}/otlp_metrics_fuzz.cpp LIBS agentmetrics_otlp)

# Writes the hand-made seeds of the binary formats (see tests/fuzz/make_seeds.cpp).
add_executable(fuzz_make_seeds EXCLUDE_FROM_ALL ${AM_FUZZ_DIR}/make_seeds.cpp)
target_link_libraries(fuzz_make_seeds PRIVATE agentmetrics_ipc)
