# The real coding agents (Claude Code, Codex and opencode from the npm registry, pinned by
# tests/agents/package-lock.json), each run once by the harness of tests/agents inside a
# loopback-only network namespace against its scripted model server, with its OTLP export caught
# by the capture sink. Skipped (77) without npm. Nothing of ours runs in it, so the sanitizer
# builds leave it out (it would only install the agents, 1.2 GB, a second time).
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  add_test(NAME agents_harness COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/agents/run.sh ${CMAKE_CURRENT_BINARY_DIR}/agents-packages)
  # RESOURCE_LOCK: tests/opencode/real_opencode.sh installs into the same directory.
  set_tests_properties(agents_harness PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK agents-packages COST 16)
endif()
# The real Claude Code, Codex and Gemini CLI exporting their OpenTelemetry to the real agentmetricsd, in every
# protocol each speaks, with exact tokens, cost, sessions and tools (agents/otlp_real_clients.py).
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  add_test(NAME otlp_real_clients
           COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/agents/otlp_real_clients.sh ${CMAKE_CURRENT_BINARY_DIR}/agents-packages
                   $<TARGET_FILE_DIR:agentmetricsd> ${CMAKE_CURRENT_BINARY_DIR}/otlp-real-clients)
  set_tests_properties(otlp_real_clients PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 600 RESOURCE_LOCK agents-packages)
endif()
# cm inside the real agents (each script runs its scenario in a loopback-only namespace):
#   ClaudeCodeHooks.InsideTheRealClaudeCode: the hooks `cm install claude-code` writes, the rule in
#     the model's requests, its grade once per session, the session import of the same transcripts
#     included (agents/claude_code_hooks.py);
#   CodexInlineFeedback.InsideTheRealCodex: the rules of an AGENTS.md `cm export` wrote, the agent's
#     [cass: helpful <id>] markers in its answers, read by `agentmetrics import` and applied by
#     `cm reflect` once per session, a resumed session included (agents/codex_inline_feedback.py).
if(NOT AGENTMETRICS_SANITIZE AND NOT AGENTMETRICS_TSAN)
  foreach(agent_test IN ITEMS "ClaudeCodeHooks.InsideTheRealClaudeCode claude_code_hooks claude-code-hooks"
                              "CodexInlineFeedback.InsideTheRealCodex codex_inline_feedback codex-inline-feedback")
    separate_arguments(agent_test)
    list(GET agent_test 0 name)
    list(GET agent_test 1 script)
    list(GET agent_test 2 out)
    add_test(NAME ${name} COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/agents/cm_in_agent.sh ${script} ${CMAKE_CURRENT_BINARY_DIR}/agents-packages
                                  $<TARGET_FILE:cm> $<TARGET_FILE:agentmetrics-cli> ${CMAKE_CURRENT_BINARY_DIR}/${out})
    set_tests_properties(${name} PROPERTIES LABELS agents SKIP_RETURN_CODE 77 TIMEOUT 300 RESOURCE_LOCK agents-packages)
  endforeach()
endif()
