// Raw node:http: the floor of what any framework on node:http can do. Routing by hand,
// validation by hand for the POST case (same rules as the schema).
import { createServer } from "node:http";
import { isValidUser, ROUTE_COUNT } from "./shapes.mjs";

const routeRe = /^\/r(\d+)\/([^/]+)\/items\/([^/]+)$/;
let nextId = 1;

function json(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) });
  res.end(body);
}

createServer({ keepAliveTimeout: Number(process.env.BENCH_KEEP_ALIVE_TIMEOUT_MS ?? 5000) }, (req, res) => {
  if (req.method === "GET" && req.url === "/ping") return json(res, 200, { message: "pong" });
  if (req.method === "GET") {
    const m = routeRe.exec(req.url);
    if (m && Number(m[1]) < ROUTE_COUNT && /^\d+$/.test(m[2])) {
      return json(res, 200, { route: Number(m[1]), id: Number(m[2]), item: decodeURIComponent(m[3]) });
    }
  }
  if (req.method === "POST" && req.url === "/users") {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      let user;
      try {
        user = JSON.parse(Buffer.concat(chunks).toString());
      } catch {
        return json(res, 400, { detail: "invalid JSON" });
      }
      if (!isValidUser(user)) return json(res, 422, { detail: "invalid" });
      json(res, 200, { id: nextId++, name: user.name, age: user.age, tags: user.tags });
    });
    return;
  }
  json(res, 404, { detail: "Not Found" });
}).listen(Number(process.env.PORT), "127.0.0.1");
