// The demo's item shapes: TypeBox schemas give validation, serialization, OpenAPI and static types at once.
import { type Static, Type as t } from "@sinclair/typebox";

export const Item = t.Object({
  id: t.Integer(),
  name: t.String(),
  description: t.Union([t.String(), t.Null()]),
  price: t.Number(),
  tags: t.Array(t.String()),
  createdAt: t.String({ format: "date-time" }),
  updatedAt: t.String({ format: "date-time" }),
});
export type Item = Static<typeof Item>;

export const ItemCreate = t.Object(
  {
    name: t.String({ minLength: 1, maxLength: 200 }),
    description: t.Optional(t.Union([t.String({ maxLength: 2000 }), t.Null()])),
    price: t.Number({ minimum: 0 }),
    tags: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 50 }), { maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type ItemCreate = Static<typeof ItemCreate>;

export const ItemUpdate = t.Partial(ItemCreate, { additionalProperties: false, minProperties: 1 });
export type ItemUpdate = Static<typeof ItemUpdate>;

export const ItemId = t.Object({ id: t.Integer({ minimum: 1 }) });

export const ItemListQuery = t.Object({
  limit: t.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: t.Integer({ minimum: 0, default: 0 }),
  q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: "case-insensitive name filter" })),
  tag: t.Optional(t.String({ minLength: 1, maxLength: 50 })),
  minPrice: t.Optional(t.Number({ minimum: 0 })),
  maxPrice: t.Optional(t.Number({ minimum: 0 })),
});
export type ItemListQuery = Static<typeof ItemListQuery>;

export const ItemPage = t.Object({
  items: t.Array(Item),
  total: t.Integer(),
  limit: t.Integer(),
  offset: t.Integer(),
});
