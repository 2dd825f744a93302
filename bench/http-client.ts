/**
 * A lean HTTP/1.1 client for the bench on node:http with keep-alive sockets. Node's `fetch`
 * (undici) spends more CPU per request than the servers on the other side of some serial loops,
 * which would blur what is measured; node:http keeps the client's share small and equal for
 * every system spoken to over HTTP.
 *
 * @example
 * const client = new HttpClient(8);
 * const { status, text } = await client.request("POST", "http://127.0.0.1:8787/v1/topics/t/records", body);
 * client.close();
 */
import { Agent, request } from "node:http";

/** How long one request may take before it fails, in ms (every bench request is bounded). */
export const HTTP_REQUEST_TIMEOUT_MS = 30_000;

/** One answer: status, headers (lower-case names) and the body as text. */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/**
 * Keep-alive HTTP requests through one agent of at most `maxSockets` connections.
 *
 * @example
 * const answer = await new HttpClient(4).request("GET", "http://127.0.0.1:8787/v1/topics");
 */
export class HttpClient {
  private readonly agent: Agent;
  /** Requests sent so far (the bench prices edgelog's). */
  requests = 0;

  constructor(maxSockets: number) {
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /**
   * Sends one request with an optional text body and reads the whole answer.
   *
   * @example
   * await client.request("PUT", url, '{"partitions":1}', { "content-type": "application/json" });
   */
  request(method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<HttpAnswer> {
    this.requests++;
    return new Promise((resolve, reject) => {
      const req = request(url, { method, agent: this.agent, headers, timeout: HTTP_REQUEST_TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      });
      req.on("timeout", () => req.destroy(new Error(`${method} ${url}: no answer within ${HTTP_REQUEST_TIMEOUT_MS} ms`)));
      req.on("error", reject);
      req.end(body);
    });
  }

  /**
   * Like `request`, but fails unless the status is 2xx, with the answer in the message.
   *
   * @example
   * const text = (await client.expectOk("GET", url)).text;
   */
  async expectOk(method: string, url: string, body?: string, headers?: Record<string, string>): Promise<HttpAnswer> {
    const answer = await this.request(method, url, body, headers);
    if (answer.status < 200 || answer.status > 299) {
      throw new Error(`${method} ${url} answered ${answer.status}: ${answer.text.slice(0, 300)}`);
    }
    return answer;
  }

  /** Closes the idle keep-alive sockets. */
  close(): void {
    this.agent.destroy();
  }
}
