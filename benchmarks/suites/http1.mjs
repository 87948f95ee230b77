// `pnpm bench http1`: FasterAPI (native engine and node:http path) against Fastify, node:http,
// Hono and nginx on /ping, a 50-route table, a validated POST and pipelined /ping (depth 16).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { baselineServers } from "../lib/baseline.mjs";
import { nginxCommand } from "../lib/nginx.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const node = (file) => () => ["node", here(`../servers/${file}`)];

const nativeBuilt = existsSync(here("../../packages/http1/native/build/Release"));
const fasterapi = [
  ...(nativeBuilt
    ? [{ name: "FasterAPI native", command: node("fasterapi.mjs"), env: { FASTERAPI_NATIVE: "1" } }]
    : []),
  { name: "FasterAPI JS", command: node("fasterapi.mjs"), env: { FASTERAPI_NATIVE: "0" } },
];

export default {
  title: "HTTP/1.1",
  subjects: ["FasterAPI native", "FasterAPI JS"],
  servers: [
    ...fasterapi,
    ...baselineServers(fasterapi),
    { name: "Fastify", command: node("fastify.mjs") },
    { name: "node:http", command: node("node-http.mjs") },
    { name: "Hono", command: node("hono.mjs") },
    { name: "nginx", command: nginxCommand, only: ["ping", "ping pipelined x16"] },
  ],
  cases: [
    { name: "ping", path: "/ping", connections: 64 },
    { name: "50 routes", path: "/", script: here("../wrk/route-table.lua"), connections: 64 },
    { name: "validated POST", path: "/users", script: here("../wrk/post-user.lua"), connections: 64 },
    {
      name: "ping pipelined x16",
      path: "/ping",
      script: here("../wrk/pipeline.lua"),
      connections: 64,
      servers: [
        "Fastify",
        "node:http",
        "nginx",
        ...[...fasterapi, ...baselineServers(fasterapi)].map((s) => s.name),
      ],
    },
  ],
};
