// The official `openai` npm SDK against the gateway's OpenAI-compatible door: the real server jar,
// real HTTP, real providers, fake upstreams of each wire format (OpenAI, Anthropic, Gemini).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI from 'openai';
import { startUpstreams } from './fake-upstreams.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const KEY = 'sk-node-compat-0123456789';
const sha = (s) => createHash('sha256').update(s).digest('hex');
const WEATHER = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};
const USER = [{ role: 'user', content: 'Hello' }];
const MODELS = { 'oai/gpt-fake': 'openai', 'ant/claude-fake': 'anthropic', 'gem/gemini-fake': 'gemini' };

let upstreams;
let gateway;
let client;
let baseURL;

before(async () => {
  upstreams = await startUpstreams();
  const jar = process.env.PROVIDER_GATEWAY_JAR ?? join(ROOT, 'server/target/provider-gateway.jar');
  assert.ok(existsSync(jar), `${jar} not found: build it with ./mvnw -B -q -ntp package -DskipTests`);
  const dir = mkdtempSync(join(tmpdir(), 'gw-node-'));
  const config = join(dir, 'gateway.yaml');
  writeFileSync(
    config,
    `server: {host: 127.0.0.1}
resilience: {max_retries: 0}
providers:
  - {name: oai, type: openai, base_url: "${upstreams.base}/v1", api_key: k, default_model: gpt-fake}
  - {name: ant, type: anthropic, base_url: "${upstreams.base}", api_key: k, default_model: claude-fake}
  - {name: gem, type: gemini, base_url: "${upstreams.base}", api_key: k, default_model: gemini-fake}
default_provider: oai
auth:
  keys:
    - {id: node, key_sha256: ${sha(KEY)}}
`,
  );
  gateway = spawn('java', ['-jar', jar, '--config', config, '--port', '0'], {
    env: { ...process.env, PROVIDER_GATEWAY_HTTP_PORT: '0' },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  baseURL = await new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error('gateway did not start in 90 s')), 90_000);
    let buffered = '';
    gateway.stdout.on('data', (d) => {
      buffered += d;
      const m = /OpenAI-compatible HTTP on (http:\/\/\S+)/.exec(buffered);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    gateway.on('exit', (code) => fail(new Error(`gateway exited with ${code}`)));
  });
  client = new OpenAI({ baseURL, apiKey: KEY, maxRetries: 0 });
});

after(async () => {
  gateway?.kill('SIGTERM');
  await upstreams?.close();
});

for (const [model, wire] of Object.entries(MODELS)) {
  test(`chat through a ${wire} upstream answers in OpenAI's shape`, async () => {
    const r = await client.chat.completions.create({ model, messages: USER, max_tokens: 40 });
    assert.equal(r.object, 'chat.completion');
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(r.choices[0].message.content, `Hello from ${wire}`);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.ok(r.usage.total_tokens > 0);
  });

  test(`streaming through a ${wire} upstream ends with usage and [DONE]`, async () => {
    const stream = await client.chat.completions.create({
      model, messages: USER, stream: true, stream_options: { include_usage: true },
    });
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finish = c.finish_reason ?? finish;
      }
      usage = chunk.usage ?? usage;
    }
    assert.equal(text, `Hello from ${wire}`);
    assert.equal(finish, 'stop');
    assert.ok(usage.total_tokens > 0);
  });

  test(`parallel tool calls through a ${wire} upstream, whole and streamed`, async () => {
    const messages = [{ role: 'user', content: 'Weather in Paris and Tokyo?' }];
    const r = await client.chat.completions.create({ model, messages, tools: [WEATHER] });
    const calls = r.choices[0].message.tool_calls;
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(calls.map((c) => JSON.parse(c.function.arguments)), [{ city: 'Paris' }, { city: 'Tokyo' }]);

    const runner = client.chat.completions.stream({ model, messages, tools: [WEATHER] });
    const final = await runner.finalChatCompletion();
    const streamed = final.choices[0].message.tool_calls;
    assert.deepEqual(streamed.map((c) => c.function.name), ['get_weather', 'get_weather']);
    assert.deepEqual(streamed.map((c) => JSON.parse(c.function.arguments)), [{ city: 'Paris' }, { city: 'Tokyo' }]);
  });
}

test('models lists provider/model ids', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  for (const id of Object.keys(MODELS)) assert.ok(ids.includes(id), `${id} in ${ids}`);
});

test('a wrong key is AuthenticationError, a wrong type BadRequestError, and neither reaches upstream', async () => {
  const before = upstreams.requests.length;
  const bad = new OpenAI({ baseURL, apiKey: 'sk-wrong', maxRetries: 0 });
  await assert.rejects(bad.chat.completions.create({ model: 'oai/gpt-fake', messages: USER }), OpenAI.AuthenticationError);
  await assert.rejects(
    client.chat.completions.create({ model: 'oai/gpt-fake', messages: USER, max_tokens: 'ten' }),
    (e) => e instanceof OpenAI.BadRequestError && e.param === 'max_tokens' && /max_tokens: must be an integer/.test(e.message),
  );
  await assert.rejects(client.chat.completions.create({ model: 'nope/x', messages: USER }), OpenAI.NotFoundError);
  assert.equal(upstreams.requests.length, before);
});
