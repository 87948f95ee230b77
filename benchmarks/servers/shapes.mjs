// The routes every HTTP benchmark server implements, with the same JSON Schemas for FasterAPI
// and Fastify, so each peer does the same work: /ping, a 50-route table with params, and a
// validated POST whose response is serialized from a schema (the extra `email` field is dropped).
export const ROUTE_COUNT = 50;

export const pingResponse = {
  type: "object",
  properties: { message: { type: "string" } },
  required: ["message"],
};

export const routeParams = {
  type: "object",
  properties: { id: { type: "integer" }, item: { type: "string" } },
  required: ["id", "item"],
};

export const routeResponse = {
  type: "object",
  properties: { route: { type: "integer" }, id: { type: "integer" }, item: { type: "string" } },
  required: ["route", "id", "item"],
};

export const userBody = {
  type: "object",
  properties: {
    name: { type: "string", minLength: 1, maxLength: 100 },
    age: { type: "integer", minimum: 0, maximum: 150 },
    email: { type: "string", maxLength: 200 },
    tags: { type: "array", items: { type: "string" }, maxItems: 10 },
  },
  required: ["name", "age", "email"],
};

export const userResponse = {
  type: "object",
  properties: {
    id: { type: "integer" },
    name: { type: "string" },
    age: { type: "integer" },
    tags: { type: "array", items: { type: "string" } },
  },
  required: ["id", "name", "age"],
};

export function routePath(i) {
  return `/r${i}/:id/items/:item`;
}

/** The userBody rules by hand, for the peers without JSON Schema validation (node:http, Hono). */
export function isValidUser(u) {
  return (
    u !== null &&
    typeof u === "object" &&
    typeof u.name === "string" &&
    u.name.length >= 1 &&
    u.name.length <= 100 &&
    Number.isInteger(u.age) &&
    u.age >= 0 &&
    u.age <= 150 &&
    typeof u.email === "string" &&
    u.email.length <= 200
  );
}
