// @fasterapi/pg-pool-native: PostgreSQL session sockets served by the FasterAPI C++ engine.
// @fasterapi/pg-pool hands its authenticated plaintext sessions to it when the addons load;
// this entry point is for that package and for tests.
export {
  adoptSessionSocket,
  NativeSessionSocket,
  nativeSessionSocketsAvailable,
  type SessionSocketEvents,
} from "./native-session-socket.js";
export { loadWireAddon, type WireAddon, type WireProtocol } from "./pgwire-addon.js";
