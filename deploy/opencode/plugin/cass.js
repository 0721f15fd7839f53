// agentmetrics for opencode: the specification's plugin/cass.mjs, as opencode loads plugins
// (a .js module in .opencode/plugin/ or ~/.config/opencode/plugin/, run by Bun).
//
// What each hook of @opencode-ai/plugin does here (shown against the real opencode 1.18.33 in
// tests/opencode/real_opencode.py; docs/opencode.md has the details):
//   chat.message                        the user's message starts a task (its text is the task)
//   experimental.chat.system.transform  the task's rules, anti-patterns and history from the
//                                       learning system are added to the system prompt (not to
//                                       the title request's)
//   tool.execute.before / .after        each tool call moves opencode_tool_calls_total{tool} and
//                                       its duration; a failed one opencode_tool_errors_total{tool}
//   event: message.part.updated         a tool that threw (its part in state "error") never
//                                       reaches tool.execute.after: counted here, once; a text
//                                       part of the answer is read for inline feedback
//                                       ("[cass: harmful b-8f3a2c]") on the rules injected
//   event: session.idle / session.error the task ends: a `task` outcome event is recorded (it
//                                       moves opencode_task_total and ..._duration_seconds) and
//                                       its outcome is reported for the rules that were injected,
//                                       with the session and the failure type, so that the
//                                       session grades its rules once. The session goes as its
//                                       digest (sessionDigest), never as opencode's id. A rule the
//                                       answer gave feedback on goes in the task event's
//                                       rule_feedback instead, graded by the agent's word
//   dispose                             opencode awaits this hook, not the event hooks, before it
//                                       exits: the outcomes still being written are awaited here
//
// Events go through libagentmetrics (the C ABI, with bun:ffi) into the collector's shared
// memory; without the library, through the `agentmetrics` command. Context and outcomes go to
// the collector's HTTP API when AGENTMETRICS_URL is set, else to the `cm` command.
//
// Environment: AGENTMETRICS_LIB (path of libagentmetrics.so), AGENTMETRICS_BIN and CM_BIN
// (the commands, default from PATH), AGENTMETRICS_URL (e.g. http://127.0.0.1:9090),
// AGENTMETRICS_API_TOKEN or AGENTMETRICS_API_TOKEN_FILE (the API's bearer token, needed beyond
// loopback: docs/security.md),
// CASS_CONTEXT_LIMIT (default 5), CASS_TASK_TYPE (default "chat"), CASS_AUTO_INJECT=false to
// record without injecting, CASS_EXIT_WAIT_SECONDS (default 10: how long opencode's exit waits
// for outcomes still being written). The plugin never throws into opencode: a failure is
// logged once.

import { readFileSync } from "node:fs";

// What stands for a session's id wherever it is kept (collector/common/intake_key.h): "s-" and
// FNV-1a over ("session/opencode", NUL, the id) in hex, the digest the session import gives the
// same session, so that the store keeps no session id and the two count the session once.
function sessionDigest(sessionID) {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`session/opencode\0${sessionID}`)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return `s-${hash.toString(16).padStart(16, "0")}`;
}

// Inline feedback (collector/common/rule_markers.h), and the line the context ends with that asks
// for it (kMarkerInvitation).
const markerPattern = /\[\s*cass\s*:\s*(helpful|harmful)\s+((?:b|ap)-[0-9a-f]{6,64})\s*\]/gi;
const markerInvitation = "If a rule above helped or misled you, say so in your answer: [cass: helpful <id>] or [cass: harmful <id>].";
const maxRuleFeedbackBytes = 128; // the task event's rule_feedback field (ipc/outcome_event.cpp)

const env = (name, fallback) => (process.env[name] && process.env[name] !== "" ? process.env[name] : fallback);

// The API's bearer token as the collector finds it: the variable, else the file it names.
function authorization() {
  let token = env("AGENTMETRICS_API_TOKEN", "");
  const file = env("AGENTMETRICS_API_TOKEN_FILE", "");
  if (!token && file) token = readFileSync(file, "utf8").trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}

function warnOnce() {
  const seen = new Set();
  return (what, error) => {
    if (seen.has(what)) return;
    seen.add(what);
    console.error(`[agentmetrics] ${what}: ${error?.message ?? error}`);
  };
}

// The C ABI through bun:ffi, or null when the library cannot be loaded.
async function loadLibrary(warn) {
  let ffi;
  try {
    ffi = await import("bun:ffi");
  } catch (error) {
    warn("bun:ffi is not available; events go through the agentmetrics command", error);
    return null;
  }
  const { dlopen, FFIType, ptr } = ffi;
  const names = [env("AGENTMETRICS_LIB", ""), "libagentmetrics.so.0", "libagentmetrics.so"].filter(Boolean);
  for (const name of names) {
    try {
      const lib = dlopen(name, {
        am_event_new: { args: [FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
        am_event_parse: { args: [FFIType.ptr, FFIType.ptr, FFIType.ptr], returns: FFIType.i32 },
        am_event_record: { args: [FFIType.ptr], returns: FFIType.i32 },
        am_event_free: { args: [FFIType.ptr], returns: FFIType.void },
        am_counter_get: {
          args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr],
          returns: FFIType.i32,
        },
        am_counter_inc: { args: [FFIType.ptr], returns: FFIType.void },
        am_histogram_get: {
          args: [FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.ptr, FFIType.u64, FFIType.ptr, FFIType.u64, FFIType.ptr],
          returns: FFIType.i32,
        },
        am_histogram_observe: { args: [FFIType.ptr, FFIType.f64], returns: FFIType.void },
        am_last_error_message: { args: [], returns: FFIType.cstring },
      });
      return { lib: lib.symbols, ptr };
    } catch {
      // try the next name
    }
  }
  warn("libagentmetrics could not be loaded (set AGENTMETRICS_LIB); events go through the agentmetrics command", names.join(", "));
  return null;
}

// C strings and arrays of them, kept alive for as long as the call needs them.
function cstr(text) {
  return Buffer.from(`${text}\0`, "utf8");
}

function makeRecorder(native, warn) {
  const handles = new Map();
  const metricPrefix = env("AGENTMETRICS_METRIC_PREFIX", "opencode");

  // A series handle of the C ABI, resolved once per (name, labels).
  function series(kind, name, help, labelName, labelValue, buckets) {
    const key = `${kind}|${name}|${labelValue}`;
    if (handles.has(key)) return handles.get(key);
    const { lib, ptr } = native;
    const n = cstr(name), h = cstr(help), ln = cstr(labelName), lv = cstr(labelValue);
    const names = new BigUint64Array([BigInt(ptr(ln))]);
    const values = new BigUint64Array([BigInt(ptr(lv))]);
    const out = new BigUint64Array(1);
    let status;
    if (kind === "counter") {
      status = lib.am_counter_get(ptr(n), ptr(h), ptr(names), ptr(values), 1, ptr(out));
    } else {
      const b = new Float64Array(buckets);
      status = lib.am_histogram_get(ptr(n), ptr(h), ptr(names), ptr(values), 1, ptr(b), b.length, ptr(out));
    }
    const handle = status === 0 ? Number(out[0]) : null;
    if (handle === null) warn(`cannot declare ${name}`, lib.am_last_error_message());
    handles.set(key, handle);
    return handle;
  }

  return {
    count(name, help, labelName, labelValue) {
      if (!native) return;
      const handle = series("counter", `${metricPrefix}_${name}`, help, labelName, labelValue);
      if (handle) native.lib.am_counter_inc(handle);
    },
    observe(name, help, labelName, labelValue, buckets, value) {
      if (!native) return;
      const handle = series("histogram", `${metricPrefix}_${name}`, help, labelName, labelValue, buckets);
      if (handle) native.lib.am_histogram_observe(handle, value);
    },
    // An outcome event: fields as text, as `agentmetrics record` takes them.
    async event(kind, fields) {
      if (native) {
        const { lib, ptr } = native;
        const out = new BigUint64Array(1);
        const k = cstr(kind);
        if (lib.am_event_new(ptr(k), ptr(out)) !== 0) return warn("am_event_new failed", lib.am_last_error_message());
        const event = Number(out[0]);
        try {
          for (const [field, value] of Object.entries(fields)) {
            const f = cstr(field), v = cstr(String(value));
            if (lib.am_event_parse(event, ptr(f), ptr(v)) !== 0) warn(`field ${field}`, lib.am_last_error_message());
          }
          const status = lib.am_event_record(event);
          if (status !== 0) warn("the event was not recorded", lib.am_last_error_message());
        } finally {
          lib.am_event_free(event);
        }
        return;
      }
      const args = [env("AGENTMETRICS_BIN", "agentmetrics"), "record", kind];
      for (const [field, value] of Object.entries(fields)) args.push(`--${field}`, String(value));
      try {
        const proc = Bun.spawn(args, { stdout: "ignore", stderr: "pipe" });
        if ((await proc.exited) !== 0) warn("agentmetrics record failed", await new Response(proc.stderr).text());
      } catch (error) {
        warn("agentmetrics record could not run", error);
      }
    },
  };
}

// The learning system: the collector's HTTP API, or the cm command.
function makeMemory(warn) {
  const url = env("AGENTMETRICS_URL", "");
  const cm = env("CM_BIN", "cm");

  async function runCm(args) {
    const proc = Bun.spawn([cm, ...args], { stdout: "pipe", stderr: "pipe" });
    const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
    if (code !== 0) throw new Error(`cm ${args[0]} exited ${code}: ${err || out}`);
    return out;
  }

  return {
    async context(task, limit) {
      try {
        if (url) {
          const r = await fetch(`${url}/api/context?task=${encodeURIComponent(task)}&limit=${limit}`, { headers: authorization() });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return await r.json();
        }
        return JSON.parse(await runCm(["context", task, "--json", "--limit", String(limit)]));
      } catch (error) {
        warn("no context from the learning system", error);
        return null;
      }
    },
    // The session goes with the outcome, so that it and the task event's rule_ids grade a rule
    // once; the failure type, so that a failure the rules had no part in (APIError) blames none;
    // the task's title (the task event's), so that a success teaches the rules its words.
    async outcome(success, ruleIds, session, failureType, title) {
      if (ruleIds.length === 0) return;
      const status = success ? "success" : "failure";
      try {
        if (url) {
          const body = { status, rules: ruleIds, session_id: session, task: title };
          if (failureType) body.failure_type = failureType;
          const r = await fetch(`${url}/api/outcome`, {
            method: "POST",
            headers: { "content-type": "application/json", ...authorization() },
            body: JSON.stringify(body),
          });
          if (!r.ok) throw new Error(`HTTP ${r.status}`);
          return;
        }
        const args = ["outcome", status, "--rules", ruleIds.join(","), "--session-id", session, "--task", title];
        if (failureType) args.push("--failure-type", failureType);
        await runCm(args);
      } catch (error) {
        warn("the outcome was not reported", error);
      }
    },
  };
}

// The context as the system prompt's addition. (Not exported: opencode calls every export of a
// plugin module as a plugin.)
function formatContext(context) {
  const data = context?.data;
  if (!data) return "";
  const lines = [];
  // Each rule says where it came from, so the model (and a person reading the prompt) can tell
  // a rule learned from outcomes from one a person or a credential added.
  const origin = (b) => [b.source, b.added_by && `added by ${b.added_by}`, b.created?.slice(0, 10)].filter(Boolean).join(", ");
  if (data.relevantBullets?.length) {
    lines.push("Rules learned from earlier tasks (most relevant first):");
    for (const b of data.relevantBullets) lines.push(`- [${b.id}] ${b.content} (${origin(b)})`);
  }
  if (data.antiPatterns?.length) {
    lines.push("Avoid:");
    for (const b of data.antiPatterns) lines.push(`- [${b.id}] ${b.content} (${origin(b)})`);
  }
  if (data.historySnippets?.length) {
    lines.push("Similar past tasks:");
    for (const h of data.historySnippets) lines.push(`- ${h.title} (${h.outcome}, ${h.duration}): ${h.snippet}`);
  }
  if (data.relevantBullets?.length || data.antiPatterns?.length) lines.push(markerInvitation);
  return lines.length ? `## From agentmetrics memory\n${lines.join("\n")}` : "";
}

// `opencode run "fix the login"` hands the message on as "\"fix the login\"": it quotes each
// argument that has a space (and escapes its quotes). A message that is one such argument is
// taken without them.
function unquoted(text) {
  if (text.length < 2 || !text.startsWith('"') || !text.endsWith('"')) return text;
  const inner = text.slice(1, -1);
  if (!inner.includes(" ") || /(^|[^\\])"/.test(inner)) return text;
  return inner.replaceAll('\\"', '"');
}

function textOf(parts) {
  const text = (parts ?? [])
    .filter((p) => p?.type === "text" && !p.synthetic && typeof p.text === "string")
    .map((p) => p.text)
    .join("\n")
    .trim();
  return unquoted(text);
}

// opencode asks the small model for the session's title with a request of its own, whose system
// prompt is the title agent's; the rules are not for it. (The hook's input does not say which
// agent asks: its prompt does.)
const isTitleRequest = (system) => typeof system?.[0] === "string" && system[0].startsWith("You are a title generator");

// A set of at most `max` keys that forgets the oldest first.
function boundedSet(max) {
  const keys = new Set();
  return {
    has: (key) => keys.has(key),
    add(key) {
      keys.add(key);
      if (keys.size > max) keys.delete(keys.values().next().value);
    },
  };
}

export const CassPlugin = async (_input, options = {}) => {
  const warn = warnOnce();
  const recorder = makeRecorder(await loadLibrary(warn), warn);
  const memory = makeMemory(warn);
  const limit = Number(options.contextLimit ?? env("CASS_CONTEXT_LIMIT", "5"));
  const taskType = String(options.taskType ?? env("CASS_TASK_TYPE", "chat"));
  const autoInject = String(options.autoInject ?? env("CASS_AUTO_INJECT", "true")) !== "false";
  const exitWait = Number(options.exitWaitSeconds ?? env("CASS_EXIT_WAIT_SECONDS", "10"));
  const sessions = new Map(); // sessionID -> the task in progress
  const toolStarts = new Map(); // callID -> start time (ms), for at most 4096 calls in flight
  const toolsCounted = boundedSet(4096); // callIDs already counted, by either path
  const pending = new Set(); // tasks being written (the event hook is not awaited by opencode)

  function countTool(sessionID, tool, callID, failed, seconds) {
    toolsCounted.add(callID);
    toolStarts.delete(callID);
    recorder.count("tool_calls_total", "Tool calls made by the agent", "tool", tool);
    if (seconds !== undefined) {
      recorder.observe("tool_duration_seconds", "Tool call duration in seconds", "tool", tool, [0.1, 1, 10, 60, 300], seconds);
    }
    if (failed) recorder.count("tool_errors_total", "Tool calls that failed", "tool", tool);
    const task = sessions.get(sessionID);
    if (task) {
      task.toolCalls += 1;
      if (failed) task.toolErrors += 1;
    }
  }

  // The markers in a text of the answer on the rules the task was given, the first on each.
  function readFeedback(task, text) {
    for (const [, verdict, id] of text.matchAll(markerPattern)) {
      const rule = id.toLowerCase();
      if (task.ruleIds.includes(rule) && !task.feedback.has(rule)) task.feedback.set(rule, verdict.toLowerCase() === "helpful");
    }
  }

  async function finish(sessionID, success, failureType) {
    const task = sessions.get(sessionID);
    if (!task) return;
    sessions.delete(sessionID);
    const fields = {
      agent_type: task.agent,
      task_type: taskType,
      success,
      duration_seconds: Math.max(0, (Date.now() - task.started) / 1000),
      session_id: sessionDigest(sessionID),
      title: task.text.split("\n")[0].slice(0, 200),
      tool_calls: task.toolCalls,
      tool_errors: task.toolErrors,
    };
    if (task.ruleIds.length) fields.rule_ids = task.ruleIds.join(",");
    if (!success && failureType) fields.failure_type = failureType;
    // The rules the answer spoke of are graded by its word: the reflection reads rule_feedback
    // before rule_ids, once per session; the outcome grades the others.
    const spoken = new Set();
    let feedback = "";
    for (const [id, helpful] of task.feedback) {
      const entry = `${feedback ? " " : ""}${helpful ? "+" : "-"}${id}`;
      if (feedback.length + entry.length > maxRuleFeedbackBytes) break;
      feedback += entry;
      spoken.add(id);
    }
    if (feedback) fields.rule_feedback = feedback;
    await recorder.event("task", fields);
    const outcomeRules = task.ruleIds.filter((id) => !spoken.has(id));
    await memory.outcome(success, outcomeRules, fields.session_id, success ? undefined : failureType, fields.title);
  }

  // finish() as work that dispose waits for.
  function finishing(sessionID, success, failureType) {
    const work = finish(sessionID, success, failureType).catch((error) => warn("the task was not recorded", error));
    pending.add(work);
    work.finally(() => pending.delete(work));
    return work;
  }

  return {
    "chat.message": async (input, output) => {
      const text = textOf(output?.parts);
      if (!text || sessions.has(input.sessionID)) return;
      sessions.set(input.sessionID, {
        text,
        agent: input.agent ?? output?.message?.agent ?? "unknown",
        started: Date.now(),
        ruleIds: [],
        injected: null,
        userMessage: output?.message?.id,
        feedback: new Map(), // rule id -> helpful: the answer's first word on each rule injected
        toolCalls: 0,
        toolErrors: 0,
      });
    },
    "experimental.chat.system.transform": async (input, output) => {
      const task = input.sessionID ? sessions.get(input.sessionID) : undefined;
      if (!task || !autoInject || isTitleRequest(output.system)) return;
      // Asked once per task; later turns of the same task reuse it.
      if (task.injected === null) {
        const context = await memory.context(task.text, limit);
        task.injected = formatContext(context);
        const data = context?.data ?? {};
        task.ruleIds = [...(data.relevantBullets ?? []), ...(data.antiPatterns ?? [])].map((b) => b.id);
      }
      if (task.injected) output.system.push(task.injected);
    },
    "tool.execute.before": async (input) => {
      toolStarts.set(input.callID, Date.now());
      if (toolStarts.size > 4096) toolStarts.delete(toolStarts.keys().next().value);
    },
    "tool.execute.after": async (input, output) => {
      if (toolsCounted.has(input.callID)) return;
      const started = toolStarts.get(input.callID);
      const m = output?.metadata;
      const failed = Boolean(m && (m.error || (typeof m.exit === "number" && m.exit !== 0)));
      countTool(input.sessionID, input.tool, input.callID, failed, started === undefined ? undefined : (Date.now() - started) / 1000);
    },
    event: async ({ event }) => {
      const type = event?.type;
      const properties = event?.properties ?? {};
      if (type === "message.part.updated") {
        const part = properties.part;
        if (part?.type === "text") {
          const task = sessions.get(part.sessionID);
          if (task && part.messageID !== task.userMessage && !part.synthetic && typeof part.text === "string") readFeedback(task, part.text);
          return;
        }
        // A tool that threw: its part ends in state "error" and tool.execute.after never runs.
        if (part?.type !== "tool" || part.state?.status !== "error" || !part.callID || toolsCounted.has(part.callID)) return;
        const started = toolStarts.get(part.callID);
        const time = part.state.time;
        const seconds =
          started !== undefined ? (Date.now() - started) / 1000 : time?.end >= time?.start ? (time.end - time.start) / 1000 : undefined;
        countTool(part.sessionID, String(part.tool), part.callID, true, seconds);
        return;
      }
      // session.error comes before session.idle (twice, in 1.18): the first to end the task wins.
      if (type === "session.idle" && properties.sessionID) await finishing(properties.sessionID, true);
      if (type === "session.error" && properties.sessionID) {
        await finishing(properties.sessionID, false, properties.error?.name ?? "session_error");
      }
    },
    // opencode awaits dispose before it exits (`opencode run` about 10 ms after the session goes
    // idle), not the event hook that started the writing: wait for it here, within a bound. A
    // task still open (opencode left in the middle of it without an error) ends as interrupted.
    dispose: async () => {
      for (const sessionID of [...sessions.keys()]) finishing(sessionID, false, "interrupted");
      if (pending.size === 0) return;
      let timer;
      const timeout = new Promise((resolve) => {
        timer = setTimeout(resolve, Math.max(0, exitWait) * 1000);
      });
      await Promise.race([Promise.allSettled([...pending]), timeout]);
      clearTimeout(timer);
      if (pending.size) warn("exit", `${pending.size} task(s) still being recorded after ${exitWait} s were given up`);
    },
  };
};
