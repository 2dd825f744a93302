/**
 * The security headers of the HTML pages the Worker serves (the admin console at `/`): a
 * Content-Security-Policy sent as a header (a `<meta>` one cannot forbid framing), with
 * `frame-ancestors 'none'` so no other site can frame the page's forms; `X-Content-Type-Options:
 * nosniff`; `Referrer-Policy: no-referrer`. The example app's static assets get the same from
 * examples/_headers (copied into assets/ by npm run build:examples; wrangler's asset server
 * applies it).
 *
 * @example
 * app.get("/", (c) => c.html(topicBrowserHtml(mode), 200, HTML_SECURITY_HEADERS));
 */

/**
 * The admin console's policy: nothing but its own same-origin script and stylesheet (the bundle in
 * assets/console/, no inline script, no inline style, no eval) and its own API.
 *
 * @example
 * TOPIC_BROWSER_CSP.includes("frame-ancestors 'none'"); // true
 */
export const TOPIC_BROWSER_CSP = [
  "default-src 'none'",
  "connect-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src data:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

/**
 * The headers every HTML page of the Worker carries.
 *
 * @example
 * new Response(html, { headers: { "content-type": "text/html; charset=utf-8", ...HTML_SECURITY_HEADERS } });
 */
export const HTML_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  "content-security-policy": TOPIC_BROWSER_CSP,
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
});
