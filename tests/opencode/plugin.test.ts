// The opencode plugin (deploy/opencode/plugin/cass.js), loaded as opencode loads a plugin
// module and driven through its hooks with inputs of the shapes @opencode-ai/plugin declares
// (`tsc --noEmit` checks this file against those types). The events must reach the real
// collector and its store, and the learning system's rules must reach the system prompt.
// run.sh starts the collector and sets the environment.
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
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

function storedTask(sessionID: string): Record<string, unknown> | undefined {
  const db = new Database(env("AGENTMETRICS_STORE"), { readonly: true });
  try {
    const row = db
      .query("SELECT fields FROM events WHERE kind = 'task' AND json_extract(fields, '$.session_id') = ?")
      .get(sessionID) as { fields: string } | null;
    return row ? JSON.parse(row.fields) : undefined;
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
  await hooks["chat.message"]!({ sessionID, agent: "build" }, userMessage(sessionID, "implement user authentication for the login page"));
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
  await hooks.event!({ event: { type: "session.idle", properties: { sessionID } } });

  const task = await waitFor("the task event in the store", () => storedTask(sessionID));
  expect(task.agent_type).toBe("build");
  expect(task.task_type).toBe("chat");
  expect(task.success).toBe(true);
  expect(task.title).toBe("implement user authentication for the login page");
  expect(task.rule_ids).toBe(ruleId);

  await waitFor("the task counter", async () => ((await sample('opencode_task_total{agent_type="build",task_type="chat",success="true"}')) === 1 ? true : undefined));
  expect(await sample('opencode_tool_calls_total{tool="bash"}')).toBe(1);
  expect(await sample('opencode_tool_calls_total{tool="read"}')).toBe(1);
  expect(await sample('opencode_tool_errors_total{tool="bash"}')).toBe(1);
  expect(await sample('opencode_tool_errors_total{tool="read"}')).toBeUndefined();

  // The success was reported for the injected rule.
  const listed = await cm("playbook", "list");
  const rule = listed.data.bullets.find((b: { id: string }) => b.id === ruleId);
  expect(rule.helpful).toBeGreaterThan(0);
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
  const task = await waitFor("the task in the store", () => storedTask(sessionID));
  expect(task.rule_ids).toBe(ruleId);
  const listed = await (await fetch(`${url}/api/playbook`)).json();
  const rule = listed.data.bullets.find((b: { id: string }) => b.id === ruleId);
  expect(rule.helpful).toBeGreaterThan(0);
});
