// @fasterapi/ws-native: the C++ WebSocket protocol module for the FasterAPI engine, and its
// loader. Users reach it through @fasterapi/ws, whose native backend drives this addon for
// connections the native HTTP/1.1 transport upgrades.
export * from "./abi-constants.js";
export {
  acceptKey,
  type DeflateAgreement,
  type DeflateMode,
  handoffBlob,
  negotiateDeflate,
} from "./handshake.js";
export {
  loadWsAddon,
  type WsAddon,
  type WsCallbacks,
  type WsProtocol,
  type WsProtocolOptions,
  type WsProtocolStats,
} from "./ws-addon.js";
