// The graphql-http server audit (GraphQL over HTTP) against a running Junction
// (default http://127.0.0.1:4000/graphql, e.g. `junction dev`). Prints each
// audit's result and a summary; exits non-zero when a MUST fails.
//
//   npm install && node audit.mjs [url]
import { serverAudits } from "graphql-http";

const url = process.argv[2] ?? "http://127.0.0.1:4000/graphql";
const counts = { ok: 0, warn: 0, error: 0 };
const failedMusts = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  counts[result.status] += 1;
  const mark = { ok: "ok  ", warn: "WARN", error: "FAIL" }[result.status];
  console.log(`${mark} ${audit.name}${result.status === "ok" ? "" : ` — ${result.reason}`}`);
  if (result.status === "error") failedMusts.push(audit.name);
}
console.log(`\n${counts.ok} passed, ${counts.warn} SHOULD/MAY warnings, ${counts.error} MUST failures`);
process.exit(failedMusts.length ? 1 : 0);
