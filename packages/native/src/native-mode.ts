// Reads FASTERAPI_NATIVE, the one switch that decides between native addons and JS twins:
// "0" forces the JS path, "1" makes a missing addon an error, anything else (or unset)
// means "native when available". It does not load anything itself.

export type NativeMode = "auto" | "js" | "require";

/** The mode selected by `FASTERAPI_NATIVE` (read on every call, so tests may change it). */
export function nativeMode(env: NodeJS.ProcessEnv = process.env): NativeMode {
  const value = env.FASTERAPI_NATIVE?.trim();
  if (value === "0") return "js";
  if (value === "1") return "require";
  return "auto";
}
