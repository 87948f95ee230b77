// What users see when their tsconfig lacks the decorator options class controllers need: a
// clear error naming the options, instead of routes that silently do not exist or tsyringe's
// bare "TypeInfo not known".
import { describe, expect, it } from "vitest";
import { App, Controller, Get } from "../src/index.js";

class Clock {
  now(): number {
    return 1;
  }
}

describe("controller setup errors", () => {
  it("names emitDecoratorMetadata when a controller's constructor parameters have no type metadata", async () => {
    // What tsc emits for @Controller without emitDecoratorMetadata: the decorator call, no metadata.
    class Timed {
      constructor(readonly clock: Clock) {}
      now() {
        return this.clock.now();
      }
    }
    const now = Object.getOwnPropertyDescriptor(Timed.prototype, "now") as PropertyDescriptor;
    Get("/")(Timed.prototype, "now", now);
    Controller("/timed")(Timed);
    const app = new App({ logger: false, docs: false });
    app.include(Timed);
    await expect(app.ready()).rejects.toThrow(
      'Cannot resolve Timed: TypeInfo not known for "Timed" (its constructor parameters carry no type metadata: compile with experimentalDecorators and emitDecoratorMetadata',
    );
  });

  it("refuses to be called as a standard (TC39) decorator, which would register no routes", () => {
    // Without experimentalDecorators, TypeScript emits standard decorators: (value, context).
    type StandardDecorator = (value: unknown, context: { kind: string; name: string }) => void;
    const get = Get("/now") as unknown as StandardDecorator;
    const controller = Controller("/timed") as unknown as StandardDecorator;
    expect(() => get(() => 1, { kind: "method", name: "now" })).toThrow(
      `@Get("/now"): FasterAPI controllers use TypeScript's legacy decorators: set experimentalDecorators and emitDecoratorMetadata in tsconfig.json`,
    );
    expect(() => controller(class {}, { kind: "class", name: "Timed" })).toThrow(
      `@Controller("/timed"): FasterAPI controllers use TypeScript's legacy decorators`,
    );
  });
});
