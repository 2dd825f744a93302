import { DurableObject } from "cloudflare:workers";
export class Partition extends DurableObject {
  ping(): number { return this.ctx.storage.sql.exec("SELECT 1 AS one").one().one as number; }
}
export class Registry extends DurableObject {}
export default { fetch: () => new Response("ok") } satisfies ExportedHandler;
