// The client against the real gateway: `before` starts server/target/provider-gateway.jar (built
// by `./mvnw package`; PROVIDER_GATEWAY_JAR overrides the path) on a free loopback port with its
// built-in echo provider, `after` stops it with SIGTERM. Echo's simulated upstream failures count
// towards its circuit breaker (5 in a row open it), so this suite uses one; the other error tests
// use an unknown provider or an invalid request, which are never counted.

import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, test } from "node:test";
import { status } from "@grpc/grpc-js";
import {
  EmbeddingEncoding,
  GatewayClient,
  GatewayError,
  StopReason,
  assistant,
  toolResult,
  type StreamChunk,
} from "../src/index";

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Returns the weather of a city",
  parameters: { type: "object", properties: { city: { type: "string" } } },
};

let server: ChildProcess | undefined;
let configDir: string | undefined;
let client: GatewayClient;

before(async () => {
  // Compiled to build/test/, three levels below the package, which is two below the repository.
  const jar = process.env.PROVIDER_GATEWAY_JAR ?? resolve(__dirname, "../../../../server/target/provider-gateway.jar");
  if (!existsSync(jar)) {
    throw new Error(`${jar} not found: build it with ./mvnw -B -q -ntp package -DskipTests`);
  }
  configDir = mkdtempSync(join(tmpdir(), "gateway-ts-test-"));
  const config = join(configDir, "gateway.yaml");
  writeFileSync(config, "server:\n  host: 127.0.0.1\nresilience:\n  max_retries: 0\n");
  const child = spawn("java", ["-jar", jar, "--config", config, "--port", "0"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  server = child;
  const port = await new Promise<string>((resolvePort, reject) => {
    const timer = setTimeout(() => reject(new Error("the gateway did not start within 60s")), 60_000);
    child.on("exit", (code) => reject(new Error(`the gateway exited with ${code} before it listened`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^provider-gateway listening on \S+:(\d+) /.exec(line);
      if (match) {
        clearTimeout(timer);
        resolvePort(match[1]);
      }
    });
  });
  client = new GatewayClient(`127.0.0.1:${port}`, { timeoutMs: 20_000 });
});

after(async () => {
  client?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((done) => server!.once("exit", done));
    server.kill("SIGTERM");
    const killer = setTimeout(() => server!.kill("SIGKILL"), 30_000);
    await exited;
    clearTimeout(killer);
  }
  if (configDir) {
    rmSync(configDir, { recursive: true, force: true });
  }
});

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof GatewayError, `expected a GatewayError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected the call to fail");
}

describe("chat", () => {
  test("returns the echo reply with usage", async () => {
    const reply = await client.chat({ provider: "echo", messages: [{ role: "user", content: "Hello, gateway" }] });

    assert.equal(reply.content, "Hello, gateway");
    assert.equal(reply.role, "assistant");
    assert.equal(reply.stopReason, StopReason.STOP_REASON_STOP);
    assert.equal(reply.provider, "echo");
    assert.ok(reply.usage!.totalTokens > 0);
    assert.equal(reply.usage!.totalTokens, reply.usage!.promptTokens + reply.usage!.completionTokens);
  });

  test("with tools returns the tool call", async () => {
    const reply = await client.chat({
      messages: [{ role: "user", content: 'call get_weather {"city":"Paris"}' }],
      tools: [WEATHER_TOOL],
    });

    assert.equal(reply.stopReason, StopReason.STOP_REASON_TOOL_CALLS);
    assert.equal(reply.toolCalls.length, 1);
    const [call] = reply.toolCalls;
    assert.equal(call.id, "echo_call_0");
    assert.equal(call.name, "get_weather");
    assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });
  });

  test("sends a tool result back", async () => {
    const reply = await client.chat({
      messages: [
        { role: "user", content: "weather?" },
        assistant("", [{ id: "c1", name: "get_weather", arguments: '{"city":"Oslo"}' }]),
        toolResult("c1", "sunny"),
      ],
      tools: [WEATHER_TOOL],
    });

    assert.equal(reply.content, "sunny");
  });

  test("unknown provider rejects with NOT_FOUND and reason PROVIDER_NOT_FOUND", async () => {
    const error = await rejection(client.chat({ provider: "nope", messages: [{ role: "user", content: "x" }] }));

    assert.equal(error.code, status.NOT_FOUND);
    assert.equal(error.reason, "PROVIDER_NOT_FOUND");
    assert.equal(error.domain, "providergateway");
    assert.match(error.details, /echo/);
    assert.equal(error.retryable, false);
  });

  test("invalid request names the field", async () => {
    const error = await rejection(client.chat({ messages: [{ role: "robot", content: "x" }] }));

    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.equal(error.reason, "INVALID_REQUEST");
    assert.deepEqual(
      error.fieldViolations.map((v) => v.field),
      ["messages[0].role"],
    );
  });

  test("rate limit carries the reason and retry delay", async () => {
    // This suite's one simulated upstream failure.
    const error = await rejection(
      client.chat({
        // Its own model: a 429 cools its (provider, model) down for the Retry-After period.
        model: "echo-rate-limited",
        messages: [{ role: "user", content: "x" }],
        extra: { echo_error: "PROVIDER_RATE_LIMIT", echo_retry_after_ms: 1500 },
      }),
    );

    assert.equal(error.code, status.RESOURCE_EXHAUSTED);
    assert.equal(error.reason, "PROVIDER_RATE_LIMIT");
    assert.equal(error.retryDelayMs, 1500);
    assert.equal(error.retryable, true);
    assert.equal(error.errorMetadata.provider, "echo");
  });

  test("a deadline that expires rejects with DEADLINE_EXCEEDED", async () => {
    const started = Date.now();
    const error = await rejection(
      client.chat({ messages: [{ role: "user", content: "slow" }], extra: { echo_delay_ms: 5000 } }, { timeoutMs: 300 }),
    );

    assert.equal(error.code, status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 3000);
  });

  test("an aborted signal cancels the call", async () => {
    const controller = new AbortController();
    const pending = client.chat(
      { messages: [{ role: "user", content: "slow" }], extra: { echo_delay_ms: 5000 } },
      { signal: controller.signal },
    );
    setTimeout(() => controller.abort(), 100);

    assert.equal((await rejection(pending)).code, status.CANCELLED);
  });
});

describe("stream", () => {
  test("yields word deltas, then one final chunk", async () => {
    const chunks = await client.stream("streamed word by word").toArray();

    assert.deepEqual(
      chunks.slice(0, -1).map((c) => c.content),
      ["streamed", " word", " by", " word"],
    );
    assert.ok(chunks.slice(0, -1).every((c) => !c.isFinal));
    const final = chunks[chunks.length - 1];
    assert.equal(final.isFinal, true);
    assert.equal(final.stopReason, StopReason.STOP_REASON_STOP);
    assert.equal(final.usage!.completionTokens, 4);
  });

  test("with tools: the final chunk carries the complete tool call", async () => {
    const chunks = await client
      .stream({ messages: [{ role: "user", content: 'call get_weather {"city":"Paris"}' }], tools: [WEATHER_TOOL] })
      .toArray();

    const final = chunks[chunks.length - 1];
    assert.equal(final.stopReason, StopReason.STOP_REASON_TOOL_CALLS);
    assert.deepEqual(
      final.toolCalls.map((c) => [c.id, c.name, JSON.parse(c.arguments)]),
      [["echo_call_0", "get_weather", { city: "Paris" }]],
    );
    assert.ok(chunks.slice(0, -1).every((c) => c.toolCalls.length === 0));
  });

  test("breaking out early cancels the call", async () => {
    const stream = client.stream({
      messages: [{ role: "user", content: "a b c d e f g h i j" }],
      extra: { echo_delay_ms: 200 },
    });
    const seen: StreamChunk[] = [];
    for await (const chunk of stream) {
      seen.push(chunk);
      break;
    }

    assert.equal(seen[0].content, "a");
    const code = await Promise.race([
      stream.finished,
      new Promise((_, reject) => setTimeout(() => reject(new Error("not cancelled within 1s")), 1000)),
    ]);
    assert.equal(code, status.CANCELLED);
  });

  test("a deadline that expires mid-stream throws DEADLINE_EXCEEDED", async () => {
    const stream = client.stream(
      { messages: [{ role: "user", content: "a b c d e f g h" }], extra: { echo_delay_ms: 200 } },
      { timeoutMs: 500 },
    );

    assert.equal((await rejection(stream.toArray())).code, status.DEADLINE_EXCEEDED);
  });

  test("unknown provider throws PROVIDER_NOT_FOUND from the iterator", async () => {
    const error = await rejection(client.stream({ provider: "nope", messages: [{ role: "user", content: "x" }] }).toArray());

    assert.equal(error.reason, "PROVIDER_NOT_FOUND");
  });
});

describe("converse", () => {
  test("two concurrent turns, one cancelled: the other completes and the stream stays open", async () => {
    const session = client.converse();
    const slow = session.startTurn("slow", {
      messages: [{ role: "user", content: "one two three four five six" }],
      extra: { echo_delay_ms: 300 },
    });
    const fast = session.startTurn("fast", {
      messages: [{ role: "user", content: "quick answer here" }],
      extra: { echo_delay_ms: 20 },
    });

    const slowChunks: string[] = [];
    for await (const chunk of slow) {
      slowChunks.push(chunk.content);
      break; // cancels the "slow" turn only
    }
    const fastText = (await fast.toArray()).map((c) => c.content).join("");
    const after = (await session.startTurn("after", "still open").toArray()).map((c) => c.content).join("");
    session.close();

    assert.deepEqual(slowChunks, ["one"]);
    assert.equal(fastText, "quick answer here");
    assert.equal(after, "still open");
    assert.equal(await session.finished, undefined);
  });

  test("a failed turn throws from that turn only", async () => {
    const session = client.converse();
    const bad = session.startTurn("bad", { provider: "no-such-provider", messages: [{ role: "user", content: "x" }] });
    const good = session.startTurn("good", "fine");

    const error = await rejection(bad.toArray());
    const goodText = (await good.toArray()).map((c) => c.content).join("");
    session.close();

    assert.equal(error.code, status.NOT_FOUND);
    assert.equal(error.reason, "PROVIDER_NOT_FOUND");
    assert.equal(goodText, "fine");
  });

  test("cancelling the session fails running turns with CANCELLED", async () => {
    const session = client.converse();
    const turn = session.startTurn("t", { messages: [{ role: "user", content: "a b c d" }], extra: { echo_delay_ms: 300 } });
    setTimeout(() => session.cancel(), 100);

    assert.equal((await rejection(turn.toArray())).code, status.CANCELLED);
  });
});

test("listProviders lists echo as the default provider", async () => {
  const providers = await client.listProviders();

  assert.equal(providers.defaultProvider, "echo");
  const echo = providers.providers.find((p) => p.name === "echo");
  assert.ok(echo?.demo && echo.capabilities?.tools && echo.capabilities.streaming);
});

describe("embed", () => {
  test("echo returns one unit vector per input, in order", async () => {
    const response = await client.embed({ model: "echo/echo-1", inputs: ["first text", "second text"] });

    assert.equal(response.provider, "echo");
    assert.deepEqual(
      response.embeddings.map((e) => e.index),
      [0, 1],
    );
    for (const e of response.embeddings) {
      assert.equal(e.values.length, 8);
      const norm = e.values.reduce((sum, v) => sum + v * v, 0);
      assert.ok(Math.abs(norm - 1) < 1e-4, `squared norm ${norm}`);
    }
  });

  test("base64 encoding returns little-endian float32 bytes", async () => {
    const floats = await client.embed({ model: "echo/echo-1", inputs: ["x"], dimensions: 4 });
    const raw = await client.embed({
      model: "echo/echo-1",
      inputs: ["x"],
      dimensions: 4,
      encoding: EmbeddingEncoding.EMBEDDING_ENCODING_BASE64,
    });

    const data = Buffer.from(raw.embeddings[0].data);
    assert.equal(data.length, 16);
    floats.embeddings[0].values.forEach((v, i) => assert.equal(data.readFloatLE(4 * i), v));
  });

  test("no inputs names the field", async () => {
    const error = await rejection(client.embed({ model: "echo/echo-1", inputs: [] }));

    assert.equal(error.code, status.INVALID_ARGUMENT);
    assert.deepEqual(
      error.fieldViolations.map((v) => v.field),
      ["inputs"],
    );
  });
});

describe("countTokens", () => {
  test("echo answers with the local estimate, marked estimated", async () => {
    const response = await client.countTokens({
      provider: "echo",
      messages: [{ role: "user", content: "abcdefghijklmnop" }],
    });

    assert.equal(response.estimated, true);
    assert.equal(response.inputTokens, 8);
    assert.equal(response.provider, "echo");
  });
});
