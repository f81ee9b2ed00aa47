// Fake LLM upstreams speaking the real wire formats the gateway's providers call: OpenAI Chat
// Completions (POST /v1/chat/completions), Anthropic Messages (POST /v1/messages) and Gemini
// (POST /v1beta/models/{model}:generateContent or :streamGenerateContent?alt=sse), JSON or SSE.
// A request with tools gets two parallel calls of its first tool (Paris, Tokyo); others get
// "Hello from <format>". Every request is kept in `requests`.
import http from 'node:http';

const CITIES = ['Paris', 'Tokyo'];

export async function startUpstreams() {
  const requests = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const body = raw ? JSON.parse(raw) : {};
      requests.push({ path: req.url, body });
      if (req.url.startsWith('/v1/chat/completions')) openai(res, body);
      else if (req.url.startsWith('/v1/messages')) anthropic(res, body);
      else if (req.url.includes(':generateContent')) gemini(res, body, false);
      else if (req.url.includes(':streamGenerateContent')) gemini(res, body, true);
      else {
        res.writeHead(404);
        res.end();
      }
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${server.address().port}`,
    requests,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

function json(res, payload) {
  const data = JSON.stringify(payload);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

function sse(res, events) {
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const e of events) res.write(e);
  res.end();
}

function openai(res, body) {
  const tools = body.tools ?? [];
  const model = body.model;
  const usage = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };
  if (!body.stream) {
    const message = { role: 'assistant', content: tools.length ? null : 'Hello from openai' };
    if (tools.length) {
      message.tool_calls = CITIES.map((c, i) => ({
        id: `call_${i}`,
        type: 'function',
        function: { name: tools[0].function.name, arguments: JSON.stringify({ city: c }) },
      }));
    }
    return json(res, {
      id: 'chatcmpl-up', object: 'chat.completion', created: 1, model,
      choices: [{ index: 0, message, finish_reason: tools.length ? 'tool_calls' : 'stop' }],
      usage,
    });
  }
  const chunk = (delta, finish = null) =>
    `data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  const events = [chunk({ role: 'assistant', content: '' })];
  if (tools.length) {
    CITIES.forEach((c, i) => {
      const args = JSON.stringify({ city: c });
      events.push(chunk({ tool_calls: [{ index: i, id: `call_${i}`, type: 'function', function: { name: tools[0].function.name, arguments: args.slice(0, 4) } }] }));
      events.push(chunk({ tool_calls: [{ index: i, function: { arguments: args.slice(4) } }] }));
    });
    events.push(chunk({}, 'tool_calls'));
  } else {
    for (const w of ['Hello ', 'from ', 'openai']) events.push(chunk({ content: w }));
    events.push(chunk({}, 'stop'));
  }
  if (body.stream_options?.include_usage) {
    events.push(`data: ${JSON.stringify({ id: 'chatcmpl-up', object: 'chat.completion.chunk', created: 1, model, choices: [], usage })}\n\n`);
  }
  events.push('data: [DONE]\n\n');
  sse(res, events);
}

function anthropic(res, body) {
  const tools = body.tools ?? [];
  const usage = { input_tokens: 10, output_tokens: 6 };
  if (!body.stream) {
    const content = tools.length
      ? CITIES.map((c, i) => ({ type: 'tool_use', id: `toolu_${i}`, name: tools[0].name, input: { city: c } }))
      : [{ type: 'text', text: 'Hello from anthropic' }];
    return json(res, {
      id: 'msg_up', type: 'message', role: 'assistant', model: body.model, content,
      stop_reason: tools.length ? 'tool_use' : 'end_turn', stop_sequence: null, usage,
    });
  }
  const ev = (name, data) => `event: ${name}\ndata: ${JSON.stringify({ type: name, ...data })}\n\n`;
  const events = [
    ev('message_start', { message: { id: 'msg_up', type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } }),
  ];
  if (tools.length) {
    CITIES.forEach((c, i) => {
      const args = JSON.stringify({ city: c });
      events.push(ev('content_block_start', { index: i, content_block: { type: 'tool_use', id: `toolu_${i}`, name: tools[0].name, input: {} } }));
      events.push(ev('content_block_delta', { index: i, delta: { type: 'input_json_delta', partial_json: args.slice(0, 3) } }));
      events.push(ev('content_block_delta', { index: i, delta: { type: 'input_json_delta', partial_json: args.slice(3) } }));
      events.push(ev('content_block_stop', { index: i }));
    });
  } else {
    events.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
    for (const w of ['Hello ', 'from ', 'anthropic']) {
      events.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: w } }));
    }
    events.push(ev('content_block_stop', { index: 0 }));
  }
  events.push(ev('message_delta', { delta: { stop_reason: tools.length ? 'tool_use' : 'end_turn', stop_sequence: null }, usage: { output_tokens: 6 } }));
  events.push(ev('message_stop', {}));
  sse(res, events);
}

function gemini(res, body, stream) {
  const decls = (body.tools ?? []).flatMap((t) => t.functionDeclarations ?? t.function_declarations ?? []);
  const parts = decls.length
    ? CITIES.map((c) => ({ functionCall: { name: decls[0].name, args: { city: c } } }))
    : [{ text: 'Hello from gemini' }];
  const usageMetadata = { promptTokenCount: 9, candidatesTokenCount: 5, totalTokenCount: 14 };
  const final = { candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }], usageMetadata, modelVersion: 'gemini-fake' };
  if (!stream) return json(res, final);
  sse(res, [`data: ${JSON.stringify(final)}\r\n\r\n`]);
}
