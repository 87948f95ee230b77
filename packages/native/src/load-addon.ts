// Finds and loads a FasterAPI native addon: the local build first (build/Release, or the
// sanitizer build when FASTERAPI_SANITIZE=1), then the prebuilt platform package, else null
// with one log line so the caller uses its JS twin. It never builds or downloads anything.
// What it loaded, and from where, is listed by nativeAddons() (loaded-addons.ts).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordLoadedAddon } from "./loaded-addons.js";
import { nativeMode } from "./native-mode.js";

export interface LoadAddonOptions {
  /** File name of the addon without `.node`, as in binding.gyp's `target_name`. */
  name: string;
  /** The package root holding `build/Release/<name>.node` (a path or a `file:` URL). */
  localBuildDir: string | URL;
  /**
   * Optional prebuilt package name, e.g. `() => platformPackage("@fasterapi/native")`; a function
   * is called only when the local build is missing (libc detection costs ~10 ms).
   */
  prebuiltPackage?: string | (() => string);
  /** Where the single fallback line goes; defaults to `console.warn`. */
  log?: (message: string) => void;
}

/** Thrown when `FASTERAPI_NATIVE=1` and the addon cannot be loaded. */
export class NativeAddonError extends Error {
  override readonly name = "NativeAddonError";
  readonly code = "ERR_FASTERAPI_NATIVE_MISSING";
}

/** `@fasterapi/<x>-native` + `-linux-x64-gnu` (platform, arch, libc) for the running Node. */
export function platformPackage(base: string): string {
  return `${base}-${process.platform}-${process.arch}${libcSuffix()}`;
}

let libc: string | undefined;

function libcSuffix(): string {
  if (libc === undefined) {
    libc = "";
    if (process.platform === "linux") {
      const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } };
      libc = report?.header?.glibcVersionRuntime ? "-gnu" : "-musl";
    }
  }
  return libc;
}

/** Local build paths tried in order for `options`. */
export function localAddonPaths(name: string, localBuildDir: string | URL): string[] {
  const root = typeof localBuildDir === "string" ? localBuildDir : fileURLToPath(localBuildDir);
  // The sanitizer build lives in its own tree (see scripts/build-native.mjs) and is used
  // alone when asked for: silently falling back to the optimised build would hide bugs.
  if (process.env.FASTERAPI_SANITIZE === "1") {
    return [join(root, "build-sanitize", "build", "Release", `${name}.node`)];
  }
  return [join(root, "build", "Release", `${name}.node`)];
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.message.split("\n")[0] ?? error.message) : String(error);
}

/**
 * Loads the addon `options.name`, or returns null when the JS path should be used.
 * `FASTERAPI_NATIVE=0` returns null at once; `FASTERAPI_NATIVE=1` throws NativeAddonError
 * instead of returning null.
 */
export function loadAddon<T = unknown>(options: LoadAddonOptions): T | null {
  const mode = nativeMode();
  if (mode === "js") return null;
  const require = createRequire(import.meta.url);
  const tried: string[] = [];
  const failures: string[] = [];

  for (const path of localAddonPaths(options.name, options.localBuildDir)) {
    tried.push(path);
    if (!existsSync(path)) continue;
    try {
      const addon = require(path) as T;
      recordLoadedAddon({ name: options.name, path, source: "local" });
      return addon;
    } catch (error) {
      failures.push(`${path}: ${describe(error)}`);
    }
  }

  const prebuilt =
    typeof options.prebuiltPackage === "function" ? options.prebuiltPackage() : options.prebuiltPackage;
  if (prebuilt !== undefined) {
    tried.push(prebuilt);
    // Resolve from the package that declares the optional dependency, not from here.
    const root =
      typeof options.localBuildDir === "string"
        ? options.localBuildDir
        : fileURLToPath(options.localBuildDir);
    const fromCaller = createRequire(join(root, "package.json"));
    try {
      const addon = fromCaller(prebuilt) as T;
      recordLoadedAddon({ name: options.name, path: fromCaller.resolve(prebuilt), source: "prebuilt" });
      return addon;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const missing = code === "MODULE_NOT_FOUND" && describe(error).includes(prebuilt);
      if (!missing) failures.push(`${prebuilt}: ${describe(error)}`);
    }
  }

  const why =
    failures.length > 0 ? `failed: ${failures.join("; ")}` : `not found (tried ${tried.join(", ")})`;
  if (mode === "require") {
    throw new NativeAddonError(`FASTERAPI_NATIVE=1 but native addon ${options.name} ${why}`);
  }
  (options.log ?? console.warn)(`[fasterapi] native addon ${options.name} ${why}; using the JS path`);
  return null;
}
