// Named models (schemas with an `$id`, e.g. TypeBox `Type.Object({...}, { $id: "Item" })`) that
// other schemas reference with `$ref` / `Type.Ref`. One registry per app, handed to the validator,
// the serializer and the OpenAPI document; it compiles nothing itself.
import { plainSchema } from "./plain-schema.js";

export class SharedSchemas {
  private readonly byId = new Map<string, object>();
  private readonly texts = new Map<string, string>();

  /** Registers a schema by its `$id`. The same model twice is fine; a different one under a taken id is not. */
  add(schema: object): void {
    const id = (schema as { $id?: unknown }).$id;
    if (typeof id !== "string" || id === "") throw new Error("A shared schema needs a string $id");
    const plain = plainSchema(schema);
    const text = JSON.stringify(plain);
    const existing = this.texts.get(id);
    if (existing === text) return;
    if (existing !== undefined) throw new Error(`Another schema with $id "${id}" is already registered`);
    this.byId.set(id, plain);
    this.texts.set(id, text);
  }

  get size(): number {
    return this.byId.size;
  }

  /** Plain-JSON copies by `$id`, leaving out `exclude` (ids a schema being compiled defines itself). */
  toRecord(exclude?: ReadonlySet<string>): Record<string, object> {
    const record: Record<string, object> = {};
    for (const [id, schema] of this.byId) if (exclude === undefined || !exclude.has(id)) record[id] = schema;
    return record;
  }
}

/** Every `$id` defined anywhere inside `schema`. */
export function definedIds(schema: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) {
    for (const item of schema) definedIds(item, into);
  } else if (schema !== null && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$id" && typeof value === "string") into.add(value);
      else if (typeof value === "object") definedIds(value, into);
    }
  }
  return into;
}
