// Junction's GraphiQL page: renders GraphiQL (loaded before this script,
// with React) against the endpoint that served the page. GraphiQL's fetcher
// asks for multipart/mixed, so the fragments an operation marks @defer are
// shown as they arrive.
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("junction-graphiql-config").textContent);
  var props = {
    fetcher: GraphiQL.createFetcher({ url: window.location.pathname }),
    defaultQuery: config.defaultQuery,
  };
  // A link to /graphql?query=… opens that operation in the editor; it runs
  // only when asked to.
  var params = new URLSearchParams(window.location.search);
  if (params.has("query")) {
    props.query = params.get("query");
    if (params.has("variables")) props.variables = params.get("variables");
  }
  // Styles set from here rather than in the page, which allows no inline
  // style of its own (its Content-Security-Policy).
  document.body.style.margin = "0";
  var container = document.getElementById("graphiql");
  container.style.height = "100vh";
  container.textContent = "";
  ReactDOM.createRoot(container).render(React.createElement(GraphiQL, props));
})();
