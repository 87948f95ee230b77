// LISTEN/NOTIFY on one dedicated connection outside the pool's `max`: handlers per channel, and after the
// connection drops (restart, pg_terminate_backend) it reconnects with backoff and LISTENs every channel
// again. Notifications sent while it was disconnected are lost: PostgreSQL does not queue them.
import type { NotificationResponse } from "@fasterapi/pg-codec";
import type { Connection } from "./connection.js";
import { quoteIdentifier } from "./identifier.js";

export type NotificationHandler = (
  payload: string,
  notification: { channel: string; processId: number },
) => void;

const RECONNECT_BASE_MS = 50;
const RECONNECT_MAX_MS = 5000;

export class NotificationListener {
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private readonly channels = new Map<string, Set<NotificationHandler>>();
  private reconnectTimer: NodeJS.Timeout | undefined;
  private attempts = 0;
  private closed = false;
  /** Times the listener connection was re-established after a loss. */
  reconnects = 0;

  constructor(
    private readonly connect: () => Promise<Connection>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get connected(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /** Backend process id of the listening session (for diagnostics), or undefined while disconnected. */
  get processId(): number | undefined {
    return this.connected ? this.connection!.processId : undefined;
  }

  async listen(channel: string, handler: NotificationHandler): Promise<() => Promise<void>> {
    if (this.closed) throw new Error("pool is ending; cannot LISTEN");
    if (typeof handler !== "function") throw new TypeError("listen: handler must be a function");
    const sql = `LISTEN ${quoteIdentifier(channel)}`;
    let handlers = this.channels.get(channel);
    if (!handlers) {
      handlers = new Set();
      this.channels.set(channel, handlers);
    }
    handlers.add(handler);
    try {
      const connection = await this.ensureConnected();
      // LISTEN is idempotent, so a channel LISTENed twice (also by a reconnect racing us) is harmless.
      await connection.command(sql);
    } catch (error) {
      this.removeHandler(channel, handler);
      throw error;
    }
    let listening = true;
    return async () => {
      if (!listening) return;
      listening = false;
      if (this.removeHandler(channel, handler) && this.connected) {
        await this.connection!.command(`UNLISTEN ${quoteIdentifier(channel)}`);
      }
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    this.channels.clear();
    const connection = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    await connection?.close();
  }

  /** Removes one handler; true when the channel has none left (and was forgotten). */
  private removeHandler(channel: string, handler: NotificationHandler): boolean {
    const handlers = this.channels.get(channel);
    if (!handlers) return false;
    handlers.delete(handler);
    if (handlers.size > 0) return false;
    this.channels.delete(channel);
    return true;
  }

  private ensureConnected(): Promise<Connection> {
    if (this.connected) return Promise.resolve(this.connection!);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async open(): Promise<Connection> {
    const connection = await this.connect();
    if (this.closed) {
      await connection.close();
      throw new Error("pool is ending; cannot LISTEN");
    }
    connection.onNotification = (notification) => this.deliver(notification);
    connection.onClose = () => {
      if (this.connection === connection) this.connection = undefined;
      this.scheduleReconnect();
    };
    try {
      await Promise.all(
        [...this.channels.keys()].map((channel) => connection.command(`LISTEN ${quoteIdentifier(channel)}`)),
      );
    } catch (error) {
      connection.destroy();
      throw error;
    }
    this.connection = connection;
    return connection;
  }

  private scheduleReconnect(): void {
    if (this.closed || this.channels.size === 0 || this.reconnectTimer) return;
    const delay = Math.random() * Math.min(RECONNECT_MAX_MS, RECONNECT_BASE_MS * 2 ** this.attempts);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.ensureConnected().then(
        () => {
          this.attempts = 0;
          this.reconnects++;
        },
        (error) => {
          this.attempts++;
          this.onError(error);
          this.scheduleReconnect();
        },
      );
    }, delay);
  }

  private deliver(notification: NotificationResponse): void {
    const handlers = this.channels.get(notification.channel);
    if (!handlers) return;
    const info = { channel: notification.channel, processId: notification.pid };
    for (const handler of handlers) {
      try {
        handler(notification.payload, info);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
