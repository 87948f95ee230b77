// Schemas shared by the crud benchmark servers.
export const crudParams = { type: "object", properties: { id: { type: "integer" } }, required: ["id"] };
export const crudItem = {
  type: "object",
  properties: { id: { type: "integer" }, name: { type: "string" }, price: { type: "number" } },
  required: ["id", "name", "price"],
};
