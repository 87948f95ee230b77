// @fasterapi/core public API. reflect-metadata must load before any decorated class is defined,
// so it is imported first, here, for every user of the package.
import "reflect-metadata";

export { App, type AppOptions, type AppStats } from "./app.js";
export type { ContentTypeParser } from "./body-parser.js";
export type { ClusterStats, WorkerStatsRow } from "./cluster-stats.js";
export { Injectable, type ProvideOptions, type Provider, type Resolve, type Token } from "./container.js";
export { type AnyContext, Context } from "./context.js";
export {
  Controller,
  type ControllerOptions,
  type ControllerWebSocketOptions,
  Delete,
  Get,
  Head,
  Options,
  Patch,
  Post,
  Put,
  WebSocketRoute,
} from "./controller.js";
export {
  Dependency,
  type DependencyResult,
  type DependencyValue,
  Depends,
  type DependsOptions,
  Teardown,
  withTeardown,
} from "./depends.js";
export type { DocsOptions } from "./docs-routes.js";
export { HTTPException, RequestValidationError, reasonPhrase, type ValidationIssue } from "./errors.js";
export type { ErrorClass, ExceptionHandler } from "./exception-handlers.js";
export { FLUSH, type ResponsePayload } from "./flush.js";
export {
  type CheckResult,
  type HealthOptions,
  health,
  type ReadinessCheck,
  type ReadinessReport,
} from "./health.js";
export type {
  AppHook,
  HookFunction,
  HookName,
  OnErrorHook,
  OnSendHook,
  PreParsingHook,
  PreSerializationHook,
  RequestHook,
} from "./hooks.js";
export type { InjectOptions, InjectResponse } from "./inject.js";
export { type Logger, type LoggerSetting, REDACTED_PATHS } from "./logger.js";
export type { Middleware, Next } from "./middleware.js";
export type { OpenApiComponents, OpenApiDocument } from "./openapi.js";
export { definePlugin, type Plugin, type PluginFunction, type PluginMeta } from "./plugin.js";
export type { PressureOptions } from "./pressure.js";
export { REASON_PHRASES } from "./reason-phrases.js";
export { Reply } from "./reply.js";
export { type RequestIdOptions, requestId } from "./request-id.js";
export type { RestartOptions } from "./restart-backoff.js";
export type { Handler, RouteContext, RouteOptions, Schema } from "./route-options.js";
export { Router, type RouterOptions } from "./router-group.js";
export type { RunningApp } from "./run.js";
export type { RunOptions } from "./run-options.js";
export {
  loadSettings,
  SettingsError,
  type SettingsIssue,
  type SettingsOptions,
  variableName,
} from "./settings.js";
export { type CloseOnSignalsOptions, closeOnSignals } from "./signals.js";
export type { CoreStats, RequestCounts } from "./stats.js";
export {
  BodyLimitError,
  type HeaderPairs,
  type RequestHandler,
  type RequestView,
  type ResponseSink,
  type ResponseStream,
  type Transport,
  type TransportAddress,
  type TransportStats,
  type UpgradeHandle,
} from "./transport.js";
export type {
  ApprovedUpgrade,
  InjectedWebSocket,
  InjectWebSocketOptions,
  OriginCheck,
  ProtocolSelection,
  SendOptions,
  SendStatus,
  ServerWebSocket,
  WebSocketHandlers,
  WebSocketMessage,
  WebSocketProvider,
  WebSocketRequestOptions,
  WebSocketRouteOptions,
} from "./websocket.js";
export { UpgradeRefusedError } from "./websocket-inject.js";
export { type BusData, type BusSubscriber, WorkerBus, workerBus } from "./worker-bus.js";
export { addWorkerCollector } from "./worker-report.js";
export { currentWorker, type WorkerInfo, workerShare } from "./worker-role.js";
export type { PortSharingTransport } from "./worker-runtime.js";
