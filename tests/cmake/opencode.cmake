# The opencode plugin, run by the real Bun (from the npm registry) against a real collector.
add_test(NAME OpencodePlugin.HooksInjectContextAndRecordTasks
         COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/opencode/run.sh ${CMAKE_CURRENT_BINARY_DIR}/opencode-packages
                 $<TARGET_FILE:agentmetricsd> $<TARGET_FILE:agentmetrics-cli> $<TARGET_FILE:cm> $<TARGET_FILE:agentmetrics>)
set_tests_properties(OpencodePlugin.HooksInjectContextAndRecordTasks PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT 300)
if(AGENTMETRICS_SANITIZE)
  # Bun loads the ASan-built libagentmetrics through its FFI: the ASan runtime must then be the
  # first library of the process. Bun's own allocations are not ours to judge: no leak check.
  execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libasan.so OUTPUT_VARIABLE am_libasan OUTPUT_STRIP_TRAILING_WHITESPACE)
  set_tests_properties(OpencodePlugin.HooksInjectContextAndRecordTasks PROPERTIES
                       ENVIRONMENT "LD_PRELOAD=${am_libasan};ASAN_OPTIONS=detect_leaks=0")
endif()
