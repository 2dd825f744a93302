/**
 * A third Worker that calls edgelog over a service binding (`EDGELOG`, entrypoint
 * EdgelogService) with no HTTP built: the Node test posts `{ method, args }` and gets back what
 * the call answered, or what it threw: the error's own name and code (which survive only under
 * enhanced error serialization, compatibility date 2026-04-21 or later, on both Workers) and the
 * EdgelogError `rpcError` rebuilt from it (which works either way). The test runs it twice, with
 * and without that serialization.
 *
 * @example
 * await caller.fetch("http://caller/", { method: "POST", body: JSON.stringify({ method: "listTopics", args: [] }) });
 */
import { type CreateTopicRequest, rpcError } from "edgelog/protocol";
import type { EdgelogService, RpcProduceOptions, RpcReadOptions, RpcRecordInput } from "edgelog/worker";

/**
 * The caller's bindings.
 *
 * @example
 * await env.EDGELOG.produce("orders", [{ value: 1 }]);
 */
export interface CallerEnv {
  EDGELOG: Service<EdgelogService>;
}

/**
 * One call the test asks for (the methods it drives, with their own argument types).
 *
 * @example
 * const call: Call = { method: "read", args: ["orders", 0, { offset: 0 }] };
 */
export type Call =
  | { method: "produce"; args: [topic: string, records: RpcRecordInput[], options?: RpcProduceOptions] }
  | { method: "read"; args: [topic: string, partition: number, options?: RpcReadOptions] }
  | { method: "createTopic"; args: [topic: string, request: CreateTopicRequest] }
  | { method: "describeTopic"; args: [topic: string] }
  | { method: "listTopics"; args: [] }
  | { method: "groupOffsets"; args: [group: string, topic: string] };

async function run(service: Service<EdgelogService>, call: Call): Promise<unknown> {
  const { args } = call;
  switch (call.method) {
    case "produce": {
      const [topic, records, options] = call.args;
      return service.produce(topic, records, options);
    }
    case "read": {
      const [topic, partition, options] = call.args;
      const page = await service.read(topic, partition, options);
      return page;
    }
    case "createTopic":
      return service.createTopic(call.args[0], call.args[1]);
    case "describeTopic":
      return service.describeTopic(call.args[0]);
    case "listTopics":
      return args.length === 0 ? service.listTopics() : null;
    case "groupOffsets":
      return service.groupOffsets(call.args[0], call.args[1]);
  }
}

export default {
  async fetch(request, env) {
    const call = (await request.json()) as Call;
    try {
      return Response.json({ ok: true, value: await run(env.EDGELOG, call) });
    } catch (error) {
      const thrown = error as { name?: unknown; message?: unknown; code?: unknown };
      const rebuilt = rpcError(error);
      return Response.json({
        ok: false,
        thrown: { name: thrown.name, message: thrown.message, code: thrown.code ?? null },
        rpcError:
          rebuilt === null ? null : { code: rebuilt.code, message: rebuilt.message, isEdgelogError: rebuilt.name === "EdgelogError" },
      });
    }
  },
} satisfies ExportedHandler<CallerEnv>;
