// An nginx peer: one worker, `return 200` with the same JSON body as /ping, config in a temp dir.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export function nginxCommand(port) {
  const dir = mkdtempSync(join(tmpdir(), "fasterapi-nginx-"));
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
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:${port} reuseport;
    location = /ping { default_type application/json; return 200 '{"message":"pong"}'; }
  }
}
`,
  );
  return ["nginx", "-c", conf];
}
