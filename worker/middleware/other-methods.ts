/**
 * 405 for a known path asked with a method it does not take, derived from the routes the app has
 * registered (Hono's method-not-allowed middleware), never from a hand-kept list: the answer is
 * METHOD_NOT_ALLOWED with the error body and an `Allow` header naming the methods the path takes.
 *
 * Rules: PROTOCOL.md HTTP-1.
 *
 * @example
 * app.use("/v1/*", refuseOtherMethods(app));
 */
import type { Env, Hono } from "hono";
import { methodNotAllowed } from "hono/method-not-allowed";
import { errorJson } from "../error-response.ts";

/**
 * The middleware for `app` (register it before the routes; it reads them on first use).
 *
 * @example
 * const app = new Hono();
 * app.use(refuseOtherMethods(app));
 * app.get("/v1/topics", list); // POST /v1/topics -> 405, Allow: GET, HEAD
 */
// biome-ignore lint/suspicious/noExplicitAny: any app, whatever its routes' schema.
export function refuseOtherMethods<E extends Env>(app: Hono<E, any, any>) {
  return methodNotAllowed<E>({
    app,
    onMethodNotAllowed: (c, methods) => {
      const response = errorJson("METHOD_NOT_ALLOWED", `${c.req.method} is not allowed on ${c.req.path}; it takes ${methods.join(", ")}`);
      response.headers.set("allow", methods.join(", "));
      return response;
    },
  });
}
