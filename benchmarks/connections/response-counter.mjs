// Counts complete HTTP/1.1 responses arriving on one socket, framed by Content-Length only, and
// reports each one's status code. It is the cheapest reader that can tell "answered" from "not";
// it does not parse headers beyond the status line and Content-Length, nor chunked bodies.
const HEAD_END = Buffer.from("\r\n\r\n");
const MAX_HEAD_BYTES = 16 * 1024;
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

export class ResponseCounter {
  /** Bytes of an unfinished response head, kept until the rest arrives. */
  #partialHead = null;
  /** Body bytes still owed by the current response; -1 while reading a head. */
  #bodyLeft = -1;
  #status = 0;

  /** @param {(status: number) => void} onResponse called once per complete response */
  constructor(onResponse) {
    this.onResponse = onResponse;
  }

  /** Feeds received bytes; throws on a response this reader cannot frame. */
  push(chunk) {
    let data = chunk;
    if (this.#partialHead) {
      data = Buffer.concat([this.#partialHead, chunk]);
      this.#partialHead = null;
    }
    let offset = 0;
    while (offset < data.length) {
      if (this.#bodyLeft < 0) {
        const end = data.indexOf(HEAD_END, offset);
        if (end < 0) {
          if (data.length - offset > MAX_HEAD_BYTES) throw new Error("response head larger than 16 KiB");
          this.#partialHead = data.subarray(offset);
          return;
        }
        this.#readHead(data.toString("latin1", offset, end));
        offset = end + HEAD_END.length;
        continue;
      }
      const take = Math.min(this.#bodyLeft, data.length - offset);
      offset += take;
      this.#bodyLeft -= take;
      if (this.#bodyLeft === 0) this.#finish();
    }
  }

  #readHead(head) {
    const status = /^HTTP\/1\.[01] (\d{3})/.exec(head);
    if (!status) throw new Error(`not an HTTP/1.x response: ${JSON.stringify(head.slice(0, 40))}`);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) throw new Error(`response without Content-Length: ${JSON.stringify(head.slice(0, 200))}`);
    this.#status = Number(status[1]);
    this.#bodyLeft = Number(length[1]);
    if (this.#bodyLeft === 0) this.#finish();
  }

  #finish() {
    this.#bodyLeft = -1;
    this.onResponse(this.#status);
  }
}
