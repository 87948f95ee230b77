// Topic subscriptions of one backend: topic -> sockets and socket -> topics, kept in step, with
// a callback when a topic gains its first or loses its last subscriber (the Redis adapter then
// subscribes or unsubscribes this process). Used by the JS backends; a native one keeps its own.

export class TopicRegistry<S> {
  private readonly byTopic = new Map<string, Set<S>>();
  private readonly bySocket = new Map<S, Set<string>>();
  private readonly activity: (topic: string, active: boolean) => void;

  constructor(activity: (topic: string, active: boolean) => void) {
    this.activity = activity;
  }

  subscribe(socket: S, topic: string): boolean {
    if (typeof topic !== "string") throw new TypeError("subscribe(): the topic must be a string");
    let sockets = this.byTopic.get(topic);
    if (sockets === undefined) {
      sockets = new Set();
      this.byTopic.set(topic, sockets);
      this.activity(topic, true);
    } else if (sockets.has(socket)) {
      return false;
    }
    sockets.add(socket);
    let topics = this.bySocket.get(socket);
    if (topics === undefined) {
      topics = new Set();
      this.bySocket.set(socket, topics);
    }
    topics.add(topic);
    return true;
  }

  unsubscribe(socket: S, topic: string): boolean {
    const sockets = this.byTopic.get(topic);
    if (sockets === undefined || !sockets.delete(socket)) return false;
    if (sockets.size === 0) {
      this.byTopic.delete(topic);
      this.activity(topic, false);
    }
    const topics = this.bySocket.get(socket) as Set<string>;
    topics.delete(topic);
    if (topics.size === 0) this.bySocket.delete(socket);
    return true;
  }

  /** Drops every subscription of a socket that closed. */
  remove(socket: S): void {
    const topics = this.bySocket.get(socket);
    if (topics === undefined) return;
    for (const topic of [...topics]) this.unsubscribe(socket, topic);
  }

  isSubscribed(socket: S, topic: string): boolean {
    return this.byTopic.get(topic)?.has(socket) === true;
  }

  topicsOf(socket: S): string[] {
    const topics = this.bySocket.get(socket);
    return topics === undefined ? [] : [...topics];
  }

  /** Calls `send` for each subscriber of `topic` except `except`; returns how many did not answer "dropped". */
  deliver(topic: string, except: unknown, send: (socket: S) => string): number {
    const sockets = this.byTopic.get(topic);
    if (sockets === undefined) return 0;
    let delivered = 0;
    for (const socket of sockets) if (socket !== except && send(socket) !== "dropped") delivered++;
    return delivered;
  }

  count(topic: string): number {
    return this.byTopic.get(topic)?.size ?? 0;
  }
}
