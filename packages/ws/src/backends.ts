// The backends the ws plugin can create, by the kind of UpgradeHandle they take over. A backend
// is created on the first upgrade of its kind, so an app pays only for the paths it serves.
import type { BackendFactory } from "./backend.js";
import { MemoryBackend } from "./memory-backend.js";
import { NativeBackend } from "./native-backend.js";
import { NodeBackend } from "./node-backend.js";

export const BACKEND_FACTORIES: Readonly<Record<string, BackendFactory>> = {
  node: (context) => new NodeBackend(context),
  inject: (context) => new MemoryBackend(context),
  native: (context) => new NativeBackend(context),
};
