/**
 * The schema registry over its Confluent-style routes, in workerd with real SQLite: a subject
 * evolving through each compatibility level (what each accepts and refuses), registration
 * idempotence and ids, soft and permanent deletes, config, lookups, Confluent's error bodies, and
 * refusals of schemas SCHEMA-2 does not take.
 */
import { describe, expect, it } from "vitest";
import { api, uniqueTopic } from "./http.ts";

const S = "/v1/schemas";
const closed = (properties: object, required: string[] = []) => ({ type: "object", properties, required, additionalProperties: false });
const register = (subject: string, schema: unknown) =>
  api("POST", `${S}/subjects/${subject}/versions`, { schemaType: "JSON", schema: JSON.stringify(schema) });
const setLevel = (subject: string, compatibility: string) => api("PUT", `${S}/config/${subject}`, { compatibility });

/** Registers and asserts the status, and for a refusal Confluent's error_code. */
async function expectRegister(subject: string, schema: unknown, status: number, errorCode?: number) {
  const answer = await register(subject, schema);
  expect(answer.status, JSON.stringify(answer.json)).toBe(status);
  if (errorCode !== undefined) expect(answer.json.error_code).toBe(errorCode);
  return answer.json;
}

describe("compatibility levels", () => {
  it("BACKWARD (the default): optional properties on a closed model, removing required, widening; refuses the opposite", async () => {
    const subject = `${uniqueTopic("bw")}-value`;
    expect((await api("GET", `${S}/config/${subject}?defaultToGlobal=true`)).json).toEqual({ compatibilityLevel: "BACKWARD" });
    await expectRegister(subject, closed({ id: { type: "string" }, qty: { type: "integer", minimum: 1 } }, ["id", "qty"]), 200);
    // Adding an optional property to a closed model, dropping a required one, widening a type and a bound.
    await expectRegister(
      subject,
      closed({ id: { type: "string" }, qty: { type: "number", minimum: 0 }, note: { type: "string" } }, ["id"]),
      200,
    );
    const refused = await expectRegister(
      subject,
      closed({ id: { type: "string" }, qty: { type: "number" }, note: { type: "string" } }, ["id", "note"]),
      409,
      409,
    );
    expect(refused.message).toContain('property \\"note\\" is now required'.replaceAll("\\", ""));
    await expectRegister(
      subject,
      closed({ id: { type: "string", maxLength: 3 }, qty: { type: "number" }, note: { type: "string" } }, ["id"]),
      409,
      409,
    );
    expect((await api("GET", `${S}/subjects/${subject}/versions`)).json).toEqual([1, 2]);
  });

  it("BACKWARD refuses a new typed property under an open content model, which old data may hold anything in", async () => {
    const subject = `${uniqueTopic("open")}-value`;
    await expectRegister(subject, { type: "object", properties: { a: { type: "string" } } }, 200);
    await expectRegister(subject, { type: "object", properties: { a: { type: "string" }, b: { type: "integer" } } }, 409, 409);
    await expectRegister(subject, { type: "object", properties: { a: { type: "string" }, b: true } }, 200);
  });

  it("FORWARD: narrowing (adding required, tightening); refuses widening", async () => {
    const subject = `${uniqueTopic("fw")}-value`;
    await setLevel(subject, "FORWARD");
    await expectRegister(subject, closed({ id: { type: "string" }, qty: { type: "number" } }, ["id"]), 200);
    await expectRegister(subject, closed({ id: { type: "string" }, qty: { type: "integer", minimum: 0 } }, ["id", "qty"]), 200);
    await expectRegister(
      subject,
      closed({ id: { type: ["string", "null"] }, qty: { type: "integer", minimum: 0 } }, ["id", "qty"]),
      409,
      409,
    );
  });

  it("FULL: only changes both ways (annotations, reordering); refuses a widening and a narrowing", async () => {
    const subject = `${uniqueTopic("full")}-value`;
    await setLevel(subject, "FULL");
    await expectRegister(subject, { type: "object", properties: { k: { enum: ["a", "b"] } }, additionalProperties: false }, 200);
    await expectRegister(
      subject,
      { description: "same", additionalProperties: false, properties: { k: { enum: ["b", "a"] } }, type: "object" },
      200,
    );
    await expectRegister(subject, { type: "object", properties: { k: { enum: ["a", "b", "c"] } }, additionalProperties: false }, 409, 409);
    await expectRegister(subject, { type: "object", properties: { k: { enum: ["a"] } }, additionalProperties: false }, 409, 409);
  });

  it("BACKWARD checks the latest version only; BACKWARD_TRANSITIVE every one", async () => {
    const subject = `${uniqueTopic("tr")}-value`;
    await setLevel(subject, "NONE");
    await expectRegister(subject, { type: "integer", minimum: 0 }, 200);
    await expectRegister(subject, { type: "integer", minimum: 10 }, 200); // NONE: no check
    await setLevel(subject, "BACKWARD");
    await expectRegister(subject, { type: "integer", minimum: 5 }, 200); // latest (min 10) fits in min 5
    await setLevel(subject, "BACKWARD_TRANSITIVE");
    // min 5 against v1 (min 0): refused; min 0 fits all.
    await expectRegister(subject, { type: "integer", minimum: 4 }, 409, 409);
    await expectRegister(subject, { type: "integer", minimum: 0, maximum: 1000 }, 409, 409);
    await expectRegister(subject, { type: "number", minimum: 0 }, 200);
  });

  it("FORWARD_TRANSITIVE and FULL_TRANSITIVE check every version", async () => {
    const subject = `${uniqueTopic("ftr")}-value`;
    await setLevel(subject, "NONE");
    await expectRegister(subject, { type: "integer", maximum: 100 }, 200);
    await expectRegister(subject, { type: "integer", maximum: 1000 }, 200);
    await setLevel(subject, "FORWARD_TRANSITIVE");
    await expectRegister(subject, { type: "integer", maximum: 500 }, 409, 409); // not within v1's 100
    await expectRegister(subject, { type: "integer", maximum: 50 }, 200);
    await setLevel(subject, "FULL_TRANSITIVE");
    await expectRegister(subject, { type: "integer", maximum: 49 }, 409, 409);
  });

  it("POST /compatibility answers is_compatible (messages with verbose=true) and stores nothing", async () => {
    const subject = `${uniqueTopic("chk")}-value`;
    await expectRegister(subject, { type: "string" }, 200);
    const body = (schema: unknown) => ({ schema: JSON.stringify(schema) });
    const ok = await api("POST", `${S}/compatibility/subjects/${subject}/versions/latest`, body({ type: ["string", "null"] }));
    expect(ok.json).toEqual({ is_compatible: true });
    const no = await api("POST", `${S}/compatibility/subjects/${subject}/versions/1?verbose=true`, body({ type: "integer" }));
    expect(no.json.is_compatible).toBe(false);
    expect(no.json.messages[0]).toContain('type "string" is no longer accepted');
    expect((await api("GET", `${S}/subjects/${subject}/versions`)).json).toEqual([1]);
  });
});

describe("subjects, versions and ids", () => {
  it("registering the same schema again answers its id without a new version; ids are shared across subjects", async () => {
    const a = `${uniqueTopic("ida")}-value`;
    const b = `${uniqueTopic("idb")}-value`;
    const first = await expectRegister(a, { type: "object", title: "x" }, 200);
    expect(await expectRegister(a, { title: "x", type: "object" }, 200)).toEqual(first);
    expect(await expectRegister(b, { type: "object", title: "x" }, 200)).toEqual(first);
    const latest = await api("GET", `${S}/subjects/${a}/versions/latest`);
    expect(latest.json).toEqual({ subject: a, version: 1, id: first.id, schemaType: "JSON", schema: '{"title":"x","type":"object"}' });
    expect((await api("GET", `${S}/schemas/ids/${first.id}`)).json).toEqual({
      schema: '{"title":"x","type":"object"}',
      schemaType: "JSON",
    });
    const raw = await api("GET", `${S}/subjects/${a}/versions/1/schema`);
    expect(raw.json).toEqual({ type: "object", title: "x" });
    const lookup = await api("POST", `${S}/subjects/${a}`, { schema: '{"title":"x","type":"object"}' });
    expect(lookup.json.version).toBe(1);
    const subjects = (await api("GET", `${S}/subjects`)).json as string[];
    expect(subjects).toContain(a);
    expect(subjects).toContain(b);
    expect((await api("GET", `${S}/subjects?subjectPrefix=${a.slice(0, -"value".length)}`)).json).toEqual([a]);
  });

  it("soft delete hides a subject (deleted=true shows it), permanent delete needs a soft one first", async () => {
    const subject = `${uniqueTopic("del")}-value`;
    await expectRegister(subject, { type: "string" }, 200);
    await expectRegister(subject, { type: ["string", "null"] }, 200);
    const permanentFirst = await api("DELETE", `${S}/subjects/${subject}?permanent=true`);
    expect([permanentFirst.status, permanentFirst.json.error_code]).toEqual([404, 40405]);
    expect((await api("DELETE", `${S}/subjects/${subject}/versions/2`)).json).toBe(2);
    expect((await api("GET", `${S}/subjects/${subject}/versions`)).json).toEqual([1]);
    expect((await api("GET", `${S}/subjects/${subject}/versions/latest`)).json.version).toBe(1);
    const gone = await api("GET", `${S}/subjects/${subject}/versions/2`);
    expect([gone.status, gone.json.error_code]).toEqual([404, 40406]);
    expect((await api("GET", `${S}/subjects/${subject}/versions/2?deleted=true`)).json.version).toBe(2);
    expect((await api("DELETE", `${S}/subjects/${subject}`)).json).toEqual([1]);
    expect((await api("GET", `${S}/subjects`)).json).not.toContain(subject);
    expect((await api("GET", `${S}/subjects?deleted=true`)).json).toContain(subject);
    const missing = await api("GET", `${S}/subjects/${subject}/versions`);
    expect(missing.json).toMatchObject({ error_code: 40401, error: { code: "UNKNOWN_SUBJECT" } });
    expect((await api("DELETE", `${S}/subjects/${subject}?permanent=true`)).json).toEqual([1, 2]);
    expect((await api("GET", `${S}/subjects?deleted=true`)).json).not.toContain(subject);
  });

  it("config: global and per subject, defaultToGlobal, delete; bad levels refused with 42203", async () => {
    const subject = `${uniqueTopic("cfg")}-value`;
    const notSet = await api("GET", `${S}/config/${subject}`);
    expect([notSet.status, notSet.json.error_code]).toEqual([404, 40408]);
    expect((await setLevel(subject, "FULL")).json).toEqual({ compatibility: "FULL" });
    expect((await api("GET", `${S}/config/${subject}`)).json).toEqual({ compatibilityLevel: "FULL" });
    expect((await api("DELETE", `${S}/config/${subject}`)).json).toEqual({ compatibilityLevel: "FULL" });
    const bad = await setLevel(subject, "SIDEWAYS");
    expect([bad.status, bad.json.error_code]).toEqual([422, 42203]);
    expect((await api("GET", `${S}/config`)).json).toEqual({ compatibilityLevel: "BACKWARD" });
  });

  it("refuses what it does not take with 42201, and other input with Confluent bodies", async () => {
    const subject = `${uniqueTopic("bad")}-value`;
    const cases: unknown[] = [
      { schema: "{not json" },
      { schema: '{"$ref":"#"}' },
      { schema: '{"$ref":"https://example.com/x.json"}' },
      { schema: '{"type":"object"}', schemaType: "AVRO" },
      { schema: '{"minLength":-1}' },
      { schema: JSON.stringify({ description: "x".repeat(70_000) }) },
      { schema: `${"[".repeat(70)}${"]".repeat(70)}` },
      { schema: '{"$schema":"http://json-schema.org/draft-07/schema#"}' },
      { schema: { type: "object" } },
    ];
    for (const body of cases) {
      const answer = await api("POST", `${S}/subjects/${subject}/versions`, body);
      expect([answer.status, answer.json.error_code, answer.json.error.code], JSON.stringify(body).slice(0, 80)).toEqual([
        422,
        42201,
        "INVALID_SCHEMA",
      ]);
    }
    const badVersion = await api("GET", `${S}/subjects/${subject}/versions/0`);
    expect([badVersion.status, badVersion.json.error_code]).toEqual([422, 42202]);
    const badSubject = await api("GET", `${S}/subjects/a%20b/versions`);
    expect(badSubject.json).toMatchObject({ error_code: 400, error: { code: "INVALID_SUBJECT" } });
    expect((await api("GET", `${S}/subjects?deleted=true`)).json).not.toContain(subject);
  });

  it("takes Confluent's content type", async () => {
    const subject = `${uniqueTopic("ct")}-value`;
    const { app } = await import("../../worker/index.ts");
    const { env } = await import("cloudflare:workers");
    const response = await app.request(
      `${S}/subjects/${subject}/versions`,
      {
        method: "POST",
        headers: { "content-type": "application/vnd.schemaregistry.v1+json" },
        body: JSON.stringify({ schema: '{"type":"string"}' }),
      },
      env,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty("id");
  });
});
