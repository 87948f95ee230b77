// `pnpm bench crud`: GET /items/:id with a PostgreSQL primary-key lookup, FasterAPI vs Fastify + pg.
import { fileURLToPath } from "node:url";
import { baselineServers } from "../lib/baseline.mjs";
import { createItemsDatabase, dropDatabase } from "../lib/bench-database.mjs";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const DB = `bench_crud_${process.pid}`;
const env = {};
const fasterapi = [
  { name: "FasterAPI + pg-pool", command: () => ["node", here("../servers/fasterapi-crud.mjs")], env },
];

export default {
  title: "CRUD: GET /items/:id on PostgreSQL",
  subjects: ["FasterAPI + pg-pool"],
  async setup() {
    env.BENCH_DATABASE_URL = await createItemsDatabase(DB);
  },
  async teardown() {
    await dropDatabase(DB);
  },
  servers: [
    ...fasterapi,
    ...baselineServers(fasterapi),
    { name: "Fastify + pg", command: () => ["node", here("../servers/fastify-crud.mjs")], env },
  ],
  cases: [
    { name: "GET /items/:id", path: "/items/1", script: here("../wrk/random-item.lua"), connections: 64 },
  ],
};
