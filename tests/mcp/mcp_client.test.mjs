// `cm mcp` as an MCP client sees it: the official TypeScript SDK spawns the real binary over
// stdio, lists its tools and calls each one. CM_BINARY names the binary (run.sh sets it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';

const cm = process.env.CM_BINARY;
assert.ok(cm, 'CM_BINARY must name the cm binary');
const dir = mkdtempSync(join(tmpdir(), 'cm-mcp-'));
const store = join(dir, 'events.db');
// No configuration of the person running the test leaks in.
const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), AGENTMETRICS_CONFIG: '' };
let client;
let ruleId;
let antiId;

function cmJson(...args) {
  return JSON.parse(execFileSync(cm, ['--store', store, ...args, '--json'], { env, encoding: 'utf8' }));
}

function payload(result) {
  assert.equal(result.content[0].type, 'text');
  const parsed = JSON.parse(result.content[0].text);
  assert.deepEqual(result.structuredContent, parsed);
  return parsed;
}

before(async () => {
  ruleId = cmJson('playbook', 'add', 'Always write unit tests before implementing authentication logic').data.id;
  antiId = cmJson('playbook', 'add', 'Never store passwords in plain text', '--kind', 'anti-pattern').data.id;
  client = new Client({ name: 'agentmetrics-cm-mcp-test', version: '1.0.0' });
  const transport = new StdioClientTransport({ command: cm, args: ['--store', store, 'mcp'], env, stderr: 'inherit' });
  await client.connect(transport);
});

after(async () => {
  await client?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the server introduces itself', () => {
  assert.equal(client.getServerVersion().name, 'cm');
  assert.ok(client.getServerCapabilities().tools);
});

test('lists the four tools with their input schemas', async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ['cm_context', 'cm_mark', 'cm_outcome', 'cm_playbook_list']);
  for (const tool of tools) assert.equal(tool.inputSchema.type, 'object');
  assert.deepEqual(tools.find((t) => t.name === 'cm_context').inputSchema.required, ['task']);
});

test('cm_context returns the specification shape', async () => {
  const result = await client.callTool({ name: 'cm_context', arguments: { task: 'implementing user authentication with passwords' } });
  assert.equal(result.isError, false);
  const data = payload(result);
  assert.deepEqual(Object.keys(data), ['task', 'relevantBullets', 'antiPatterns', 'historySnippets']);
  assert.equal(data.relevantBullets[0].id, ruleId);
  assert.deepEqual(Object.keys(data.relevantBullets[0]), ['id', 'content', 'confidence', 'evidence_count', 'source', 'added_by', 'created']);
  assert.equal(data.antiPatterns[0].id, antiId);
});

test('cm_mark raises a rule it calls helpful', async () => {
  const data = payload(await client.callTool({ name: 'cm_mark', arguments: { id: ruleId, feedback: 'helpful' } }));
  assert.equal(data.confidence_before, 0.7);
  assert.equal(data.confidence_after, 0.75);
});

test('cm_outcome blames only related rules of a failure', async () => {
  const data = payload(
    await client.callTool({ name: 'cm_outcome', arguments: { status: 'failure', rules: [ruleId, antiId], stage: 'test', failure_type: 'test_failure' } }),
  );
  assert.equal(data.policy, 'related');
  assert.deepEqual(data.applied.map((a) => a.id), [ruleId]);
  assert.deepEqual(data.unaffected, [antiId]);
  assert.equal(data.applied[0].confidence_after, 0.55);
});

test('cm_playbook_list shows the feedback', async () => {
  const data = payload(await client.callTool({ name: 'cm_playbook_list', arguments: {} }));
  assert.equal(data.count, 2);
  const rule = data.bullets.find((b) => b.id === ruleId);
  assert.equal(rule.helpful, 1);
  assert.equal(rule.harmful, 1);
});

test('a bad call is a tool error with the reason, and the server keeps serving', async () => {
  const result = await client.callTool({ name: 'cm_mark', arguments: { id: 'b-000000', feedback: 'harmful' } });
  assert.equal(result.isError, true);
  assert.equal(payload(result).code, 'UNKNOWN_RULE');
  const empty = await client.callTool({ name: 'cm_context', arguments: { task: '  ' } });
  assert.equal(empty.isError, true);
  assert.equal(payload(empty).exitCode, 2);
  assert.equal((await client.listTools()).tools.length, 4);
});
