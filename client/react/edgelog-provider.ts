/**
 * The provider and `useClient`: an `EdgelogProvider` hands its client to every hook below it. It
 * takes either a `client` the app made (the app closes it), or `options`, in which case the client
 * is shared (shared-state.ts): made once per url, database and `clientKey`, counted by provider,
 * and closed only when no provider has held it past a macrotask. So StrictMode's double mount and
 * a hot reload keep one client, and two providers with the same options share it.
 *
 * @example
 * <EdgelogProvider options={{ url: "https://events.example.com", dbName: "chat" }}>
 *   <App />
 * </EdgelogProvider>
 */
import { createContext, createElement, type ReactElement, type ReactNode, useContext, useEffect, useReducer } from "react";
import { type ClientOptions, createClient, type EdgelogClient } from "../client.ts";
import { EdgelogClientError } from "../local-errors.ts";
import { sharedClientKey, sharedClients } from "./shared-state.ts";

const ClientContext = createContext<EdgelogClient | null>(null);

/**
 * What `EdgelogProvider` takes: `client` or `options`, not both.
 *
 * @example
 * const props: EdgelogProviderProps = { options: { url: "https://events.example.com" }, children: <App /> };
 */
export interface EdgelogProviderProps {
  /** A client the app made (and closes itself). */
  client?: EdgelogClient;
  /** How to make the shared client; read when it is made (later changes other than the key's parts are not applied). */
  options?: ClientOptions;
  /** With `options`: one more part of the sharing key, e.g. the signed-in user's id when `auth` differs per user. */
  clientKey?: string;
  children?: ReactNode;
}

/**
 * Gives the hooks below it their client.
 *
 * @example
 * createRoot(root).render(
 *   <StrictMode>
 *     <EdgelogProvider options={{ url: location.origin, dbName: "chat" }}>
 *       <Chat />
 *     </EdgelogProvider>
 *   </StrictMode>,
 * );
 */
export function EdgelogProvider(props: EdgelogProviderProps): ReactElement {
  const shared = useSharedClient(props.client === undefined ? props.options : undefined, props.clientKey);
  const client = props.client ?? shared;
  if (client === null || (props.client !== undefined && props.options !== undefined)) {
    throw new EdgelogClientError("INVALID_USE", "EdgelogProvider takes a `client` or `options`, one of the two");
  }
  return createElement(ClientContext.Provider, { value: client }, props.children);
}

/** The shared client for `options` (null without): made in render if need be, held while mounted. */
function useSharedClient(options: ClientOptions | undefined, clientKey: string | undefined): EdgelogClient | null {
  const [, rerender] = useReducer((n: number) => n + 1, 0);
  const key = options === undefined ? null : sharedClientKey(options, clientKey);
  const clients = sharedClients();
  const client = key === null || options === undefined ? null : clients.get(key, () => createClient(options));
  useEffect(() => {
    if (key === null || options === undefined) return;
    const held = clients.hold(key, () => createClient(options));
    // The client this render made was let go before the effect ran (a render left waiting): show the held one.
    if (held !== client) rerender();
    return () => clients.release(key, held);
  }, [clients, key, client, options]);
  return client;
}

/**
 * The client of the nearest `EdgelogProvider`; throws INVALID_USE outside one.
 *
 * @example
 * function Send() {
 *   const client = useClient();
 *   return <button onClick={() => void client.flush()}>send now</button>;
 * }
 */
export function useClient(): EdgelogClient {
  const client = useContext(ClientContext);
  if (client === null) throw new EdgelogClientError("INVALID_USE", "useClient needs an <EdgelogProvider> above it");
  return client;
}
