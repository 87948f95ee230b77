// The connection of an HTTP/1.1 Upgrade request on the native path, as core sees it on the request
// (RequestView.upgrade, kind "native"): a WebSocket backend that approves the upgrade calls
// handOver() and the connection leaves HTTP/1.1 for the backend's protocol module without its
// bytes ever reaching JavaScript. Any other answer is a normal response, and HTTP/1.1 goes on.
import type { ProtocolHandle } from "@fasterapi/native";

/** What the upgrade needs from its exchange (native-exchange.ts). */
export interface UpgradeTarget {
  upgradeTo(protocol: ProtocolHandle, handoff: Buffer, upgradeToken: string, headers: string[]): boolean;
}

export class NativeUpgrade {
  readonly kind = "native";
  private readonly target: UpgradeTarget;

  constructor(target: UpgradeTarget) {
    this.target = target;
  }

  /**
   * Writes the 101 head (`Upgrade: upgradeToken`, `Connection: Upgrade`, then `headers`: flat name,
   * value pairs) and hands the connection to `protocol` (a protocol module's external, e.g.
   * @fasterapi/ws-native's) with `handoff`, the blob that module reads first. Returns false when
   * the request was answered already or the client is gone.
   */
  handOver(protocol: ProtocolHandle, handoff: Buffer, upgradeToken: string, headers: string[]): boolean {
    return this.target.upgradeTo(protocol, handoff, upgradeToken, headers);
  }
}
