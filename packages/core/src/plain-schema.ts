// TypeBox schemas are JSON Schema plus Symbol-keyed metadata ([Kind], [OptionalKind]...). Tools
// that walk or emit schemas (fast-json-stringify, the OpenAPI document) get a plain deep copy.
// Validation does not need this: Ajv ignores Symbol keys.

/** A plain-JSON deep copy of `schema`, without Symbol keys, functions or undefined values. */
export function plainSchema<S>(schema: S): S {
  return JSON.parse(JSON.stringify(schema)) as S;
}
