// Runs a query with @defer through Apollo Client over HTTP multipart and
// prints the first result holding the dossier and the one it settles on once
// every deferred part has arrived: {"first": data, "last": data}.
// Usage: node defer.mjs <graphql url> <query> <dossier code>
import { ApolloClient, HttpLink, InMemoryCache, gql } from "@apollo/client";
import { Defer20220824Handler } from "@apollo/client/incremental";

const [url, query, code] = process.argv.slice(2);
const client = new ApolloClient({
  link: new HttpLink({ uri: url }),
  cache: new InMemoryCache(),
  incrementalHandler: new Defer20220824Handler(),
});
let first;
const last = await new Promise((resolve, reject) => {
  let latest;
  client
    .watchQuery({ query: gql(query), variables: { code }, fetchPolicy: "network-only" })
    .subscribe({
      next(result) {
        if (result.error) reject(result.error);
        latest = result;
        if (!first && result.data?.dossier) first = result;
        if (!result.loading && result.data?.dossier?.history) resolve(result);
      },
      error: reject,
      complete: () => resolve(latest),
    });
});
process.stdout.write(JSON.stringify({ first: first?.data, last: last.data }));
process.exit(0);
