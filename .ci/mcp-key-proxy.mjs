// A tiny reverse proxy for CI: the MCP conformance suite and Inspector send no
// credentials, so this adds the test key to every request and forwards it unchanged
// otherwise (Host and Origin included, so the server's DNS-rebinding checks still see
// what the client sent). Streams both ways, so SSE responses pass through as they come.
//
//   node mcp-key-proxy.mjs LISTEN_PORT TARGET_PORT   (key in INTERLOCK_PROXY_KEY)
import http from 'node:http';

const [listenPort, targetPort] = process.argv.slice(2).map(Number);
const key = process.env.INTERLOCK_PROXY_KEY;
if (!listenPort || !targetPort || !key) {
  console.error('usage: INTERLOCK_PROXY_KEY=... node mcp-key-proxy.mjs LISTEN_PORT TARGET_PORT');
  process.exit(2);
}

http.createServer((req, res) => {
  const headers = { ...req.headers, 'x-api-key': key };
  const upstream = http.request(
    { host: '127.0.0.1', port: targetPort, method: req.method, path: req.url, headers },
    (up) => {
      res.writeHead(up.statusCode, up.headers);
      res.flushHeaders();
      up.pipe(res);
    });
  upstream.on('error', (e) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'application/json' });
    }
    res.end(JSON.stringify({ error: `proxy: ${e.message}` }));
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
}).listen(listenPort, '127.0.0.1', () => {
  console.error(`mcp-key-proxy: 127.0.0.1:${listenPort} -> 127.0.0.1:${targetPort}`);
});
