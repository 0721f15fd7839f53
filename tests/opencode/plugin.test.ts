// The opencode plugin (deploy/opencode/plugin/cass.js), loaded as opencode loads a plugin
// module and driven through its hooks with inputs of the shapes @opencode-ai/plugin declares
// (`tsc --noEmit` checks this file against those types), in the order and with the contents the
// real opencode 1.18.33 gave them (tests/opencode/real_opencode.py runs the plugin inside it).
// The events must reach the real collector and its store, and the learning system's rules must
// reach the system prompt. run.sh starts the collector and sets the environment.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Hooks, PluginInput } from "@opencode-ai/plugin";

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`run.sh sets ${name}`);
  return value;
};

// opencode calls every export of a plugin module with the plugin input.
async function loadAsOpencodeDoes(): Promise<Hooks[]> {
  const mod: Record<string, unknown> = await import(env("PLUGIN_PATH"));
  const input = { directory: process.cwd(), worktree: process.cwd() } as unknown as PluginInput;
  const hooks: Hooks[] = [];
  for (const [, fn] of Object.entries(mod)) {
    if (typeof fn === "function") hooks.push(await (fn as (i: PluginInput) => Promise<Hooks>)(input));
  }
  return hooks;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 200; ++i) {
    const got = await probe();
    if (got !== undefined) return got;
    await Bun.sleep(50);
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function sample(name: string): Promise<number | undefined> {
  const body = await (await fetch(`${env("COLLECTOR_URL")}/metrics`)).text();
  const line = body.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

// The digest the plugin keeps for a session instead of its id (collector/common/intake_key.h:
// FNV-1a over "session/opencode", NUL, the id), computed here on its own.
function digest(sessionID: string): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(`session/opencode\0${sessionID}`)) hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & 0xffffffffffffffffn;
  return `s-${hash.toString(16).padStart(16, "0")}`;
}

test("a session's digest is the collector's (SessionDigest.IsTheSameInEveryLanguage)", () => {
  expect(digest("ses-plugin-1")).toBe("s-01f288b4865705e6");
});

// The task event the plugin recorded for the session, found by the session's digest.
function storedTask(sessionID: string): Record<string, unknown> | undefined {
  const db = new Database(env("AGENTMETRICS_STORE"), { readonly: true });
  try {
    const row = db
      .query("SELECT fields FROM events WHERE kind = 'task' AND json_extract(fields, '$.session_id') = ?")
      .get(digest(sessionID)) as { fields: string } | null;
    return row ? JSON.parse(row.fields) : undefined;
  } finally {
    db.close();
  }
}

// The grades the feedback table holds for a rule: [kind, origin, session].
function grades(ruleId: string): [string, string, string | null][] {
  const db = new Database(env("AGENTMETRICS_STORE"), { readonly: true });
  try {
    const rows = db.query("SELECT kind, origin, session_id FROM feedback WHERE bullet_id = ? ORDER BY id").all(ruleId) as {
      kind: string;
      origin: string;
      session_id: string | null;
    }[];
    return rows.map((r) => [r.kind, r.origin, r.session_id]);
  } finally {
    db.close();
  }
}

async function cm(...args: string[]): Promise<any> {
  const proc = Bun.spawn([env("CM_BIN"), "--json", ...args], { stdout: "pipe", stderr: "pipe" });
  const out = await new Response(proc.stdout).text();
  expect(await proc.exited).toBe(0);
  return JSON.parse(out);
}

const model = { providerID: "anthropic", modelID: "claude" } as unknown as Parameters<NonNullable<Hooks["experimental.chat.system.transform"]>>[0]["model"];

type Event = Parameters<NonNullable<Hooks["event"]>>[0]["event"];

// A tool part as opencode 1.18.33 sends it in message.part.updated.
function toolPart(sessionID: string, callID: string, tool: string, state: Record<string, unknown>): Event {
  const part = { id: `prt-${callID}`, sessionID, messageID: `msg-${sessionID}`, type: "tool", callID, tool, state };
  return { type: "message.part.updated", properties: { part } } as unknown as Event;
}

// The title request's system prompt, as opencode 1.18.33 sends it through the same hook.
const titleSystem = () => ({ system: ["You are a title generator. You output ONLY a thread title. Nothing else.\n\n<task>..."] });

function userMessage(sessionID: string, text: string) {
  const message = { id: `m-${sessionID}`, sessionID, role: "user", time: { created: Date.now() }, agent: "build", model: { providerID: "anthropic", modelID: "claude" } } as const;
  const parts = [{ id: `p-${sessionID}`, sessionID, messageID: message.id, type: "text", text } as const];
  return { message, parts } as unknown as Parameters<NonNullable<Hooks["chat.message"]>>[1];
}

test("a task gets the relevant rules in its system prompt and is recorded with them when it ends", async () => {
  const added = await cm("playbook", "add", "Write unit tests for the authentication module before the implementation");
  const ruleId: string = added.data.id;
  const [hooks] = await loadAsOpencodeDoes();
  expect(hooks).toBeDefined();

  const sessionID = "ses-plugin-1";
  // As `opencode run "implement ..."` hands it on: in quotes, which the title leaves out.
  await hooks["chat.message"]!({ sessionID }, userMessage(sessionID, '"implement user authentication for the login page"'));
  // opencode's title request comes first, through the same hook: no rules for it.
  const title = titleSystem();
  await hooks["experimental.chat.system.transform"]!({ sessionID, model }, title);
  expect(title.system.length).toBe(1);
  const system = { system: ["You are opencode."] };
  await hooks["experimental.chat.system.transform"]!({ sessionID, model }, system);
  expect(system.system.length).toBe(2);
  expect(system.system[1]).toContain(`[${ruleId}] Write unit tests for the authentication module`);
  // Where the rule came from is part of what the model reads.
  expect(system.system[1]).toContain("(manual, added by cli, 20");

  await hooks["tool.execute.before"]!({ tool: "bash", sessionID, callID: "c1" }, { args: { command: "make test" } });
  await hooks["tool.execute.after"]!({ tool: "bash", sessionID, callID: "c1", args: {} }, { title: "make test", output: "FAILED", metadata: { exit: 2 } });
  await hooks["tool.execute.before"]!({ tool: "read", sessionID, callID: "c2" }, { args: {} });
  await hooks["tool.execute.after"]!({ tool: "read", sessionID, callID: "c2", args: {} }, { title: "read", output: "ok", metadata: {} });
  await hooks.event!({ event: toolPart(sessionID, "c2", "read", { status: "completed", input: {}, output: "ok", title: "read", metadata: {}, time: { start: 1, end: 2 } }) });
  // A read that throws: before, then its part in state "error", and never tool.execute.after.
  await hooks["tool.execute.before"]!({ tool: "read", sessionID, callID: "c3" }, { args: { filePath: "/missing.txt" } });
  await hooks.event!({ event: toolPart(sessionID, "c3", "read", { status: "running", input: {}, time: { start: 1 } }) });
  await hooks.event!({ event: toolPart(sessionID, "c3", "read", { status: "error", input: {}, error: "File not found: /missing.txt", time: { start: 1, end: 2 } }) });
  // The same part again, or a call counted by tool.execute.after whose part ends in error: once.
  await hooks.event!({ event: toolPart(sessionID, "c3", "read", { status: "error", input: {}, error: "File not found: /missing.txt", time: { start: 1, end: 2 } }) });
  await hooks.event!({ event: toolPart(sessionID, "c1", "bash", { status: "error", input: {}, error: "exit 2", time: { start: 1, end: 2 } }) });
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });

  const task = await waitFor("the task event in the store", () => storedTask(sessionID));
  expect(task.agent_type).toBe("build");
  expect(task.task_type).toBe("chat");
  expect(task.success).toBe(true);
  expect(task.title).toBe("implement user authentication for the login page");
  expect(task.rule_ids).toBe(ruleId);
  expect(task.tool_calls).toBe(3);
  expect(task.tool_errors).toBe(2);

  await waitFor("the task counter", async () => ((await sample('opencode_task_total{agent_type="build",task_type="chat",success="true"}')) === 1 ? true : undefined));
  expect(await sample('opencode_tool_calls_total{tool="bash"}')).toBe(1);
  expect(await sample('opencode_tool_calls_total{tool="read"}')).toBe(2);
  expect(await sample('opencode_tool_errors_total{tool="bash"}')).toBe(1);
  expect(await sample('opencode_tool_errors_total{tool="read"}')).toBe(1);

  // The success was reported for the injected rule, with the session: once, and not again when a
  // reflection reads the task event's rule_ids.
  await hooks.dispose!();
  expect(grades(ruleId)).toEqual([["helpful", "outcome", digest(sessionID)]]);
  expect((await cm("reflect")).data.feedback_applied).toBe(0);
  const listed = await cm("playbook", "list");
  const rule = listed.data.bullets.find((b: { id: string }) => b.id === ruleId);
  expect(rule.helpful).toBe(1);
  expect(grades(ruleId)).toEqual([["helpful", "outcome", digest(sessionID)]]);
});

// A text part of the answer, as message.part.updated carries it.
function answerPart(sessionID: string, id: string, text: string, messageID = `msg-answer-${sessionID}`): Event {
  const part = { id, sessionID, messageID, type: "text", text };
  return { type: "message.part.updated", properties: { part } } as unknown as Event;
}

test("the answer's inline feedback on a rule it was given grades that rule by the agent's word, once", async () => {
  const misled = (await cm("playbook", "add", "Regenerate the lock file whenever a dependency install fails")).data.id as string;
  const other = (await cm("playbook", "add", "Pin the package manager version before regenerating the lock file")).data.id as string;
  const [hooks] = await loadAsOpencodeDoes();
  const sessionID = "ses-plugin-markers";
  await hooks["chat.message"]!({ sessionID }, userMessage(sessionID, "the dependency install fails, fix the lock file"));
  const system = { system: ["You are opencode."] };
  await hooks["experimental.chat.system.transform"]!({ sessionID, model }, system);
  expect(system.system[1]).toContain(`[${misled}]`);
  expect(system.system[1]).toContain(`[${other}]`);
  expect(system.system[1]).toContain("[cass: helpful <id>] or [cass: harmful <id>]");
  // The user's own message (its part as opencode updates it), and a rule the task was not given,
  // count for nothing; the answer's first word on a rule stands.
  await hooks.event!({ event: answerPart(sessionID, `p-${sessionID}`, `[cass: helpful ${misled}]`, `m-${sessionID}`) });
  await hooks.event!({ event: answerPart(sessionID, "p-1", `Fixed it. [cass: harmful ${misled}] [CASS: Helpful ${misled}] [cass: helpful b-123456]`) });
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });
  await hooks.dispose!();

  const task = await waitFor("the task in the store", () => storedTask(sessionID));
  expect(task.rule_feedback).toBe(`-${misled}`);
  // The outcome graded the rule the answer did not speak of; the one it spoke of is left to a
  // reflection (the collector's own may run first), which reads the agent's word before the
  // task's rule_ids.
  expect(grades(other)).toEqual([["helpful", "outcome", digest(sessionID)]]);
  expect(grades(misled).filter(([, origin]) => origin === "outcome")).toEqual([]);
  await cm("reflect");
  expect(grades(misled)).toEqual([["harmful", "marker", digest(sessionID)]]);
  expect(grades(other)).toEqual([["helpful", "outcome", digest(sessionID)]]);
});

test("a model error (APIError, then session.idle twice) is a failed task that blames no rule", async () => {
  const added = await cm("playbook", "add", "Keep each schema migration reversible and small");
  const ruleId: string = added.data.id;
  const [hooks] = await loadAsOpencodeDoes();
  const sessionID = "ses-plugin-api-error";
  await hooks["chat.message"]!({ sessionID }, userMessage(sessionID, "make the schema migration reversible"));
  const system = { system: ["You are opencode."] };
  await hooks["experimental.chat.system.transform"]!({ sessionID, model }, system);
  expect(system.system[1]).toContain(`[${ruleId}]`);
  const error = { name: "APIError", data: { message: "Invalid request", statusCode: 400, isRetryable: false } };
  await hooks.event!({ event: { type: "session.error", properties: { sessionID, error } } as unknown as Event });
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });
  await hooks.dispose!();
  const task = await waitFor("the failed task", () => storedTask(sessionID));
  expect(task.success).toBe(false);
  expect(task.failure_type).toBe("APIError");
  expect(task.rule_ids).toBe(ruleId);
  await cm("reflect");
  expect(grades(ruleId)).toEqual([]);
  const rule = (await cm("playbook", "list")).data.bullets.find((b: { id: string }) => b.id === ruleId);
  expect([rule.helpful, rule.harmful]).toEqual([0, 0]);
});

test("dispose waits for the outcome that session.idle started, as opencode awaits only dispose at exit", async () => {
  const added = await cm("playbook", "add", "Read the changelog before upgrading a dependency");
  const ruleId: string = added.data.id;
  // A cm that takes a second, as a loaded machine might.
  const dir = mkdtempSync(join(tmpdir(), "slow-cm-"));
  const slowCm = join(dir, "cm");
  writeFileSync(slowCm, `#!/bin/sh\nsleep 1\nexec "${env("CM_BIN")}" "$@"\n`);
  chmodSync(slowCm, 0o755);
  const realCm = env("CM_BIN");
  process.env.CM_BIN = slowCm;
  try {
    const [hooks] = await loadAsOpencodeDoes();
    const sessionID = "ses-plugin-exit";
    await hooks["chat.message"]!({ sessionID }, userMessage(sessionID, "upgrade the dependency after reading its changelog"));
    await hooks["experimental.chat.system.transform"]!({ sessionID, model }, { system: [] });
    // opencode does not await the event hook; it calls dispose about 10 ms later and then exits.
    void hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });
    await Bun.sleep(10);
    expect(grades(ruleId)).toEqual([]);
    await hooks.dispose!();
    expect(grades(ruleId)).toEqual([["helpful", "outcome", digest(sessionID)]]);
  } finally {
    process.env.CM_BIN = realCm;
  }
});

test("a task still open when opencode exits is recorded at dispose as interrupted", async () => {
  const [hooks] = await loadAsOpencodeDoes();
  const sessionID = "ses-plugin-interrupted";
  await hooks["chat.message"]!({ sessionID }, userMessage(sessionID, "rename the configuration loader"));
  await hooks.dispose!();
  const task = await waitFor("the interrupted task", () => storedTask(sessionID));
  expect(task.success).toBe(false);
  expect(task.failure_type).toBe("interrupted");
});

test("without the library the events go through the agentmetrics command, and a failed session is a failed task", async () => {
  process.env.AGENTMETRICS_LIB = "/nonexistent/libagentmetrics.so";
  const [hooks] = await loadAsOpencodeDoes();
  const sessionID = "ses-plugin-2";
  await hooks["chat.message"]!({ sessionID, agent: "plan" }, userMessage(sessionID, "plan the database migration"));
  await hooks.event!({
    event: { type: "session.error", properties: { sessionID, error: { name: "UnknownError", data: { message: "boom" } } } },
  });
  const task = await waitFor("the failed task in the store", () => storedTask(sessionID));
  expect(task.agent_type).toBe("plan");
  expect(task.success).toBe(false);
  expect(task.failure_type).toBe("UnknownError");
});

test("with AGENTMETRICS_URL the context and the outcome go through the collector's HTTP API", async () => {
  const url = env("COLLECTOR_URL");
  process.env.AGENTMETRICS_URL = url;
  const added = await (
    await fetch(`${url}/api/playbook`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ content: "Profile the database queries before adding an index" }) })
  ).json();
  const ruleId: string = added.data.id;
  const [hooks] = await loadAsOpencodeDoes();
  const sessionID = "ses-plugin-3";
  await hooks["chat.message"]!({ sessionID, agent: "build" }, userMessage(sessionID, "speed up the slow database queries"));
  const system = { system: [] as string[] };
  await hooks["experimental.chat.system.transform"]!({ sessionID, model }, system);
  expect(system.system.join("\n")).toContain(`[${ruleId}] Profile the database queries`);
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });
  await hooks.dispose!();
  const task = await waitFor("the task in the store", () => storedTask(sessionID));
  expect(task.rule_ids).toBe(ruleId);
  const listed = await (await fetch(`${url}/api/playbook`)).json();
  const rule = listed.data.bullets.find((b: { id: string }) => b.id === ruleId);
  expect(rule.helpful).toBe(1);
  expect(grades(ruleId)).toEqual([["helpful", "outcome", digest(sessionID)]]);
});
