// The record of which native addons this thread loaded and from where, so an app (or a test
// installed from npm) can tell the native paths are really in use: `nativeAddons()`. loadAddon
// writes to it; nothing else does, and a JS-path fallback leaves no entry.

/** Where a native addon came from: the package's own build/, or its prebuilt platform package. */
export type AddonSource = "local" | "prebuilt";

export interface LoadedAddon {
  /** The addon's name, as in `loadAddon({ name })`, e.g. "fasterapi_engine". */
  readonly name: string;
  /** Absolute path of the `.node` file that was loaded. */
  readonly path: string;
  readonly source: AddonSource;
}

const loaded = new Map<string, LoadedAddon>();

/** @internal Called by loadAddon after a successful load. */
export function recordLoadedAddon(addon: LoadedAddon): void {
  loaded.set(addon.name, Object.freeze({ ...addon }));
}

/** Every native addon loaded on this thread so far, in load order. */
export function nativeAddons(): LoadedAddon[] {
  return [...loaded.values()];
}
