// GraphiQL on a running Junction (default http://127.0.0.1:4000/graphql, e.g.
// `junction dev`) in a real browser: Chromium, driven by playwright-core, with
// every request to another host than Junction's refused (and every other host
// name unresolvable), so the page and all its files must come from Junction.
// Types an operation with @defer into GraphiQL's editor, runs it, and checks
// that the result pane shows the deferred fields, which arrived as
// multipart/mixed, equal to what the same operation without @defer returns.
// Prints PASS or FAIL; exits non-zero on failure.
//
//   npm install && node graphiql.mjs [url]
//
// The browser is /usr/bin/chromium (Debian's `chromium` package) unless
// CHROMIUM names another.
import { chromium } from "playwright-core";

const url = new URL(process.argv[2] ?? "http://127.0.0.1:4000/graphql");
const executablePath = process.env.CHROMIUM ?? "/usr/bin/chromium";

const OPERATION = `query GraphiQLDeferCheck {
  topProducts(first: 2) {
    upc
    name
    ... @defer(label: "later") {
      inStock
      reviews {
        body
      }
    }
  }
}`;
const UNDEFERRED = OPERATION.replace('... @defer(label: "later") {', "... {");

const blocked = [];
const consoleErrors = [];
const operationAnswers = [];

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exitCode = 1;
}

const browser = await chromium.launch({
  executablePath,
  // Every host name but Junction's fails to resolve, besides being refused below.
  args: [`--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE ${url.hostname}`].concat(
    process.getuid?.() === 0 ? ["--no-sandbox"] : [],
  ),
});
try {
  await check(await browser.newContext());
} catch (error) {
  fail(error.stack ?? String(error));
} finally {
  await browser.close();
}
// Whatever happened above: the page must not have reached for another host,
// and the browser must have had nothing to complain about.
console.log(`requests to other hosts: ${blocked.length}`);
if (blocked.length) fail(`the page asked for other hosts: ${blocked.join(", ")}`);
if (consoleErrors.length) fail(`the browser console shows errors: ${consoleErrors.join(" | ")}`);
if (!process.exitCode) console.log("PASS: GraphiQL served offline by Junction ran an operation with @defer");

async function check(context) {
  await context.route("**/*", (route) => {
    const target = new URL(route.request().url());
    if (target.protocol === "data:" || target.host === url.host) return route.continue();
    blocked.push(route.request().url());
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (message) => {
    if (message.type() === "error") consoleErrors.push(message.text());
  });
  page.on("pageerror", (error) => consoleErrors.push(error.message));
  page.on("response", async (response) => {
    const request = response.request();
    if (request.method() === "POST" && (request.postData() ?? "").includes("GraphiQLDeferCheck"))
      operationAnswers.push(response.headers()["content-type"] ?? "");
  });

  const navigation = await page.goto(url.href);
  const policy = navigation.headers()["content-security-policy"] ?? "";
  console.log(`page: ${navigation.status()} ${navigation.headers()["content-type"]}`);
  console.log(`content-security-policy: ${policy}`);
  if (navigation.status() !== 200) return fail(`the page answered ${navigation.status()}`);
  if (!policy.includes("default-src 'none'")) return fail("the page has no strict Content-Security-Policy");

  // Type the operation into the query editor, replacing what it holds.
  const editor = page.locator(".graphiql-query-editor .CodeMirror");
  await editor.waitFor({ timeout: 20000 });
  await editor.click();
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  await page.keyboard.insertText(OPERATION);
  const typed = await editor.evaluate((element) => element.CodeMirror.getValue());
  if (typed !== OPERATION) return fail(`the editor holds ${JSON.stringify(typed)}`);
  // GraphiQL takes an edit in 100 ms after the last keystroke (debounced); run
  // before that, it sends the new text with the previous operation's name
  // (here the demo query's, which the gateway rightly does not find). It
  // stores the name it took in, so wait for that, as a user's pause would.
  await page.waitForFunction(
    (name) => window.localStorage.getItem("graphiql:operationName") === name,
    "GraphiQLDeferCheck",
    { timeout: 5000 },
  );

  await page.click(".graphiql-execute-button");
  const result = page.locator(".result-window .CodeMirror");
  const pane = () => result.evaluate((element) => element.CodeMirror.getValue());
  try {
    await page.waitForFunction(
      () => {
        const text = document.querySelector(".result-window .CodeMirror")?.CodeMirror?.getValue() ?? "";
        try {
          return JSON.parse(text).data?.topProducts?.every((p) => Array.isArray(p.reviews));
        } catch {
          return false;
        }
      },
      null,
      { timeout: 20000 },
    );
  } catch {
    return fail(`no deferred fields in the result pane within 20 s; it shows ${JSON.stringify(await pane())}`);
  }
  const shown = JSON.parse(await pane());
  console.log(`result pane: ${JSON.stringify(shown).slice(0, 160)}…`);

  const expected = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    body: JSON.stringify({ query: UNDEFERRED }),
  }).then((answer) => answer.json());
  if (JSON.stringify(shown.data) !== JSON.stringify(expected.data))
    fail(`the result pane shows ${JSON.stringify(shown.data)}, not ${JSON.stringify(expected.data)}`);
  if (!operationAnswers.some((type) => type.startsWith("multipart/mixed")))
    fail(`the operation was not answered incrementally (content types: ${operationAnswers.join(", ")})`);
  console.log(`operation answered as: ${operationAnswers.join(", ")}`);
}
