// Apollo Client 3 against a running Junction (default http://127.0.0.1:4000/graphql,
// e.g. `junction dev`): automatic persisted queries (the first request by hash is
// not found, the query is registered, the next request is served by hash alone),
// @defer over multipart, and BatchHttpLink. Exits non-zero on the first failure.
//
//   npm install && node apollo.mjs [url]
import { createHash } from "node:crypto";
import apollo from "@apollo/client/core/core.cjs";
import persisted from "@apollo/client/link/persisted-queries/persisted-queries.cjs";
import batch from "@apollo/client/link/batch-http/batch-http.cjs";

// CommonJS modules: Node's ESM loader does not see every export by name.
const { ApolloClient, ApolloLink, InMemoryCache, HttpLink, gql } = apollo;
const { createPersistedQueryLink } = persisted;
const { BatchHttpLink } = batch;

const url = process.argv[2] ?? "http://127.0.0.1:4000/graphql";
const sha256 = (text) => createHash("sha256").update(text).digest("hex");

/** Every request the client sends, and the codes of the errors it gets back. */
const sent = [];
const recordingFetch = async (input, init) => {
  const body = JSON.parse(init.body);
  const answer = await fetch(input, init);
  const copy = answer.clone();
  const text = await copy.text();
  let codes = [];
  try {
    const json = JSON.parse(text);
    codes = (Array.isArray(json) ? json : [json]).flatMap((r) => (r.errors ?? []).map((e) => e.extensions?.code));
  } catch {
    // multipart: no error codes to read
  }
  sent.push({ hasQuery: Array.isArray(body) ? body.every((b) => !!b.query) : !!body.query, codes });
  return answer;
};

function fail(message) {
  console.error(`FAIL: ${message}`);
  process.exit(1);
}

function client(link) {
  return new ApolloClient({ link, cache: new InMemoryCache() });
}

async function checkPersistedQueries() {
  // A query no other check sends, so that the gateway has not seen its hash.
  const nonce = `c${Date.now()}`;
  const query = gql`query ${nonce} { topProducts(first: 2) { upc name } }`;
  const link = createPersistedQueryLink({ sha256 }).concat(new HttpLink({ uri: url, fetch: recordingFetch }));
  sent.length = 0;
  const first = await client(link).query({ query, fetchPolicy: "network-only" });
  if (first.data?.topProducts?.length !== 2) fail(`APQ: unexpected data ${JSON.stringify(first.data)}`);
  if (sent.length !== 2 || sent[0].hasQuery || !sent[0].codes.includes("PERSISTED_QUERY_NOT_FOUND") || !sent[1].hasQuery)
    fail(`APQ: expected hash only (not found), then hash and query; saw ${JSON.stringify(sent)}`);
  sent.length = 0;
  const second = await client(link).query({ query, fetchPolicy: "network-only" });
  if (sent.length !== 1 || sent[0].hasQuery || sent[0].codes.length)
    fail(`APQ: expected one request by hash alone; saw ${JSON.stringify(sent)}`);
  if (JSON.stringify(second.data) !== JSON.stringify(first.data)) fail("APQ: the answer by hash differs");
  console.log("ok: persisted query not found, registered, then served by hash");
}

async function checkDefer() {
  const query = gql`
    {
      topProducts {
        upc
        ... @defer(label: "reviews") {
          reviews { body author { name } }
        }
      }
    }
  `;
  const results = [];
  const observable = client(new HttpLink({ uri: url, fetch })).watchQuery({ query, fetchPolicy: "network-only" });
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("@defer: no complete result within 15 s")), 15_000);
    const subscription = observable.subscribe({
      next: (result) => {
        results.push(result);
        const products = result.data?.topProducts ?? [];
        if (products.length && products.every((p) => Array.isArray(p.reviews))) {
          clearTimeout(timer);
          subscription.unsubscribe();
          resolve();
        }
      },
      error: reject,
    });
  }).catch((error) => fail(error.message));
  const final = results.at(-1).data.topProducts;
  const reviewed = final.flatMap((p) => p.reviews).filter((r) => r.body && r.author?.name);
  if (reviewed.length === 0) fail(`@defer: no reviews in ${JSON.stringify(final)}`);
  console.log(`ok: @defer delivered ${final.length} products, then ${reviewed.length} reviews`);
}

async function checkBatching() {
  sent.length = 0;
  const link = new BatchHttpLink({ uri: url, fetch: recordingFetch, batchMax: 5, batchInterval: 20 });
  const apolloClient = client(link);
  const queries = [
    gql`{ topProducts(first: 1) { name } }`,
    gql`{ me { username } }`,
    gql`query User($id: ID!) { user(id: $id) { name } }`,
  ];
  const answers = await Promise.all(
    queries.map((query) => apolloClient.query({ query, variables: { id: "1" }, fetchPolicy: "network-only" })),
  );
  if (sent.length !== 1) fail(`batching: expected one HTTP request, saw ${sent.length}`);
  const [products, me, user] = answers.map((a) => a.data);
  if (products.topProducts[0].name !== "Table" || !me.me.username || user.user.name !== "Uri Goldshtein")
    fail(`batching: unexpected answers ${JSON.stringify(answers.map((a) => a.data))}`);
  console.log("ok: three queries batched in one request, each answered");
}

await checkPersistedQueries();
await checkDefer();
await checkBatching();
console.log("all client checks passed");
