'use strict';
// Preloaded into the Portkey gateway by bench/run.sh (node --require). Its start-server.js takes
// --port=N but no host, and so listens on every interface; this binds the servers it opens to
// 127.0.0.1 instead, as LiteLLM is with --host 127.0.0.1: the benchmarks stay on loopback.
const net = require('net');

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const [first, ...rest] = args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof rest[0] !== 'function') rest.shift(); // the host, if any (undefined from @hono/node-server)
    return listen.call(this, first, '127.0.0.1', ...rest);
  }
  if (first && typeof first === 'object' && first.port !== undefined) {
    return listen.call(this, { ...first, host: '127.0.0.1' }, ...rest);
  }
  return listen.apply(this, args);
};
