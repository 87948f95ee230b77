// Service endpoints: liveness with a database round trip, and a validated echo.
import { Depends, Router } from "@fasterapi/core";
import { PgPool } from "@fasterapi/pg-pool";
import { Type as t } from "@sinclair/typebox";

const EchoBody = t.Object({
  message: t.String({ minLength: 1, maxLength: 1000 }),
  repeat: t.Integer({ minimum: 1, maximum: 10, default: 1 }),
});

export function serviceRouter(): Router {
  const router = new Router({ tags: ["service"] });

  router.get(
    "/health",
    {
      deps: { db: Depends(PgPool) },
      response: { 200: t.Object({ status: t.Literal("ok"), database: t.Boolean() }) },
      summary: "Liveness, including a database round trip",
    },
    async ({ deps }) => {
      await deps.db.one("SELECT 1 AS ok");
      return { status: "ok" as const, database: true };
    },
  );

  router.post(
    "/echo",
    { body: EchoBody, response: { 200: t.Object({ echo: t.String() }) }, summary: "Validated echo" },
    ({ body }) => ({ echo: Array.from({ length: body.repeat }, () => body.message).join(" ") }),
  );

  return router;
}
