// Public surface of @fasterapi/native: the addon loader every FasterAPI package uses, and the
// typed engine wrapper. Protocol logic lives in the protocol packages, not here.

export type { EngineListenOptions, EngineUdpBindOptions, PemInput, TlsOptions } from "./engine.js";
export { Engine, engineApi } from "./engine.js";
export type {
  EngineAddon,
  EngineApiHandle,
  EngineHandle,
  EngineStats,
  NativeEngine,
  NativeTlsOptions,
  NativeUdpBindOptions,
  ProtocolHandle,
  UdpProtocolHandle,
} from "./engine-addon.js";
export { loadEngineAddon } from "./engine-addon.js";
export type { LoadAddonOptions } from "./load-addon.js";
export { loadAddon, localAddonPaths, NativeAddonError, platformPackage } from "./load-addon.js";
export type { AddonSource, LoadedAddon } from "./loaded-addons.js";
export { nativeAddons } from "./loaded-addons.js";
export type { NativeMode } from "./native-mode.js";
export { nativeMode } from "./native-mode.js";
