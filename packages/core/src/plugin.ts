// Plugins: `definePlugin(fn, { name, dependencies, global })`. A plugin's function receives an app
// bound to a child scope (Fastify's encapsulation), or to the registering scope itself when
// `global`. Plugins run in registration order at ready(); this module defines them, app.ts loads them.
import type { App } from "./app.js";

export interface PluginMeta {
  /** Used by other plugins' `dependencies` and in error messages. */
  name?: string;
  /** Names of plugins that must be registered (in this scope or above) before this one. */
  dependencies?: readonly string[];
  /** true: hooks, decorations, routes and providers apply to the registering app, not a child scope. */
  global?: boolean;
}

/**
 * A plugin's body. It may be async (the promise is awaited before the next plugin loads); any
 * other return value, such as the app returned by a chained `app.addTransport(...)`, is ignored.
 */
export type PluginFunction<O> = (app: App, options: O) => unknown;

const PLUGIN = Symbol("fasterapi.plugin");

export interface Plugin<O = undefined> {
  readonly init: PluginFunction<O>;
  readonly meta: Readonly<PluginMeta>;
  readonly [PLUGIN]: true;
}

export function definePlugin<O = undefined>(init: PluginFunction<O>, meta: PluginMeta = {}): Plugin<O> {
  if (typeof init !== "function")
    throw new TypeError("definePlugin() needs a function (app, options) => ...");
  return { init, meta: { ...meta, dependencies: [...(meta.dependencies ?? [])] }, [PLUGIN]: true };
}

/** A plugin from definePlugin, or a bare function treated as an anonymous encapsulated plugin. */
export function asPlugin<O>(plugin: Plugin<O> | PluginFunction<O>): Plugin<O> {
  if (typeof plugin === "function") return definePlugin(plugin);
  if (plugin === null || typeof plugin !== "object" || plugin[PLUGIN] !== true) {
    throw new TypeError(
      "register() expects a plugin made with definePlugin() or a function (app, options) => ...",
    );
  }
  return plugin;
}

export function pluginLabel(plugin: Plugin<unknown>): string {
  return plugin.meta.name === undefined ? "an anonymous plugin" : `plugin "${plugin.meta.name}"`;
}
