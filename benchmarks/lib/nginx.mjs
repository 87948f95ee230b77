// An nginx peer: one worker, `return 200` with the same JSON body as /ping, config in a temp dir.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Writes a one-worker nginx.conf (in a temp dir) whose http block ends with `http`; returns the command that runs it. */
function nginxWith(prefix, http) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const conf = join(dir, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log crit;
events { worker_connections 20000; }
http {
  access_log off;
  client_body_temp_path ${dir};
${http}
}
`,
  );
  return ["nginx", "-c", conf];
}

const PING = `location = /ping { default_type application/json; return 200 '{"message":"pong"}'; }`;

export function nginxCommand(port) {
  return nginxWith(
    "fasterapi-nginx-",
    `  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} reuseport;
    ${PING}
  }`,
  );
}

/**
 * An HTTP/2 nginx peer (one worker): h2c with prior knowledge, or h2 over TLS with `tls`
 * ({ key, cert } file paths); /ping as above, /json a static file of `jsonFile` and /1mb one of
 * `downloadFile`.
 */
export function nginxHttp2Command(port, { jsonFile, downloadFile, tls }) {
  const listen = tls
    ? `listen 127.0.0.1:${port} ssl http2 reuseport;\n    ssl_certificate ${tls.cert};\n    ssl_certificate_key ${tls.key};`
    : `listen 127.0.0.1:${port} http2 reuseport;`;
  return nginxWith(
    "fasterapi-nginx-h2-",
    `  http2_max_requests 1000000;
  keepalive_requests 1000000;
  server {
    ${listen}
    ${PING}
    location = /json { default_type application/json; alias ${jsonFile}; }
    location = /1mb { default_type application/octet-stream; alias ${downloadFile}; }
  }`,
  );
}
