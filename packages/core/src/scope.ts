// One encapsulation context, like a Fastify plugin instance: the hooks, middleware, request
// decorations, exception handlers, container and plugin names registered at one level. A route
// uses its own scope and every ancestor; siblings and parents never see a child's registrations.
import type { App } from "./app.js";
import { Container } from "./container.js";
import type { ErrorClass, ExceptionHandler } from "./exception-handlers.js";
import { emptyRequestHooks, type RequestHookLists } from "./hooks.js";
import type { Middleware } from "./middleware.js";

export interface RequestDecoration {
  readonly name: string;
  readonly init: () => unknown;
}

export class Scope {
  readonly parent: Scope | null;
  readonly container: Container;
  readonly hooks: RequestHookLists = emptyRequestHooks();
  readonly middleware: Middleware[] = [];
  readonly requestDecorations: RequestDecoration[] = [];
  readonly exceptionHandlers = new Map<ErrorClass<unknown>, ExceptionHandler<unknown>>();
  /** Names of plugins registered at this level (global plugins register at their parent's). */
  readonly pluginNames = new Set<string>();
  /** The app object that carries this scope's decorations. */
  owner: App;

  constructor(parent: Scope | null, owner: App) {
    this.parent = parent;
    this.owner = owner;
    this.container = parent === null ? new Container() : parent.container.child();
  }

  /** This scope and its ancestors, root first. */
  chain(): Scope[] {
    const scopes: Scope[] = [];
    for (let s: Scope | null = this; s !== null; s = s.parent) scopes.unshift(s);
    return scopes;
  }

  hasPlugin(name: string): boolean {
    for (let s: Scope | null = this; s !== null; s = s.parent) if (s.pluginNames.has(name)) return true;
    return false;
  }

  hasRequestDecoration(name: string): boolean {
    for (let s: Scope | null = this; s !== null; s = s.parent) {
      if (s.requestDecorations.some((d) => d.name === name)) return true;
    }
    return false;
  }
}
