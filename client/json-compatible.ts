/**
 * The type-level rule for typed topics: a value type `T` is accepted when it is JSON already (any
 * `JsonValue`) or when every property, however deep, is JSON: strings, numbers, booleans, null,
 * arrays and plain objects of those (interfaces included, optional properties allowed). A `Date`,
 * a `Map`, a class with methods, a `bigint`, a function or a required property that may be
 * `undefined` anywhere inside the value is a type error, because JSON would not give it back as
 * it went in. Used as an F-bounded constraint: `T extends JsonCompatible<T>`.
 *
 * One hole, because TypeScript refuses a conditional type at the top of such a constraint: a
 * function, a `bigint` or `undefined` as the whole value (not inside an object) is let through by
 * the types; the runtime refuses it at once, as every bad record, with INVALID_RECORD.
 *
 * @example
 * interface Order { id: string; qty: number; note?: string }
 * const ok = client.topic<Order>("orders"); // fine
 * client.topic<{ at: Date }>("orders"); // type error: a Date is not JSON
 */
import type { JsonValue } from "./protocol/index.ts";

/**
 * One property's type made JSON: itself when JSON, `never` for what JSON cannot hold, and an
 * object's or array's members checked the same way.
 *
 * @example
 * type A = JsonMember<{ at: Date }>; // { at: { toISOString: never; ... } }: no Date fits it
 */
export type JsonMember<T> = T extends JsonValue
  ? T
  : T extends bigint | symbol | undefined | ((...args: never[]) => unknown)
    ? never
    : { [K in keyof T]: JsonMember<T[K]> };

/**
 * The bound a typed topic's value type must meet: `T extends JsonCompatible<T>` (see the module).
 *
 * @example
 * function send<T extends JsonCompatible<T>>(value: T): string { return JSON.stringify(value); }
 * send({ id: "a", tags: ["x"] }); // fine
 * send({ at: new Date() }); // type error
 */
export type JsonCompatible<T> = JsonValue | ({ [K in keyof T]: JsonMember<T[K]> } & object);
