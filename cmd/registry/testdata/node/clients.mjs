// The README's client recipes, run against the server by cmd/registry's
// TestClientRecipes: node clients.mjs HTTP_URL WS_URL AGENCY PROCEDURE.
// Prints one JSON object: each recipe's result, or its error.
import { ApolloClient, HttpLink, InMemoryCache, gql } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { createClient } from 'graphql-ws';
import { createHash } from 'node:crypto';
import WebSocket from 'ws';

const [url, wsUrl, agency, procedure] = process.argv.slice(2);
const agencies = gql`query Agencies { agencies(first: 5) { edges { node { id code name } } } }`;
const results = {};

async function recipe(name, run) {
  try {
    results[name] = await run();
  } catch (e) {
    results[name] = { error: String(e && e.message ? e.message : e) };
  }
}

// Apollo Client: POST by default; ids are global, so the cache normalises.
await recipe('apollo', async () => {
  const client = new ApolloClient({ link: new HttpLink({ uri: url }), cache: new InMemoryCache() });
  const { data } = await client.query({ query: agencies });
  return data.agencies.edges.map((e) => e.node.code);
});

// Apollo Client with automatic persisted queries, queries sent by GET with
// the header the gateway asks of GETs.
await recipe('apolloPersistedGET', async () => {
  const sha256 = (s) => createHash('sha256').update(s).digest('hex');
  const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
    new HttpLink({ uri: url, headers: { 'GraphQL-Require-Preflight': '1' } }),
  );
  const client = new ApolloClient({ link, cache: new InMemoryCache() });
  const first = await client.query({ query: agencies, fetchPolicy: 'network-only' });
  const again = await client.query({ query: agencies, fetchPolicy: 'network-only' });
  return [first.data.agencies.edges.length, again.data.agencies.edges.length];
});

// urql sends short queries by GET unless told: POST, or add the header.
await recipe('urql', async () => {
  const client = new Client({ url, exchanges: [fetchExchange], preferGetMethod: false });
  const res = await client.query(agencies, {}).toPromise();
  if (res.error) throw res.error;
  return res.data.agencies.edges.map((e) => e.node.code);
});

// graphql-ws for subscriptions: a step recorded at the agency arrives.
await recipe('graphqlWs', async () => {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket });
  try {
    const event = new Promise((resolve, reject) => {
      client.subscribe(
        { query: `subscription($a: String) { dossierSteps(agency: $a) { step { action } dossier { code } } }`, variables: { a: agency } },
        { next: (msg) => resolve(msg), error: reject, complete: () => reject(new Error('completed without an event')) },
      );
    });
    // The subscription is open once the server acknowledged it; receive a
    // dossier until an event arrives.
    for (let i = 0; i < 50; i++) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          query: `mutation($in: ReceiveDossierInput!) { receiveDossier(input: $in) { code } }`,
          variables: { in: { procedureCode: procedure, agencyCode: agency, channel: 'IN_PERSON', applicant: { name: 'Nguyễn Văn An' } } },
        }),
      });
      await res.json();
      const got = await Promise.race([event, new Promise((r) => setTimeout(() => r(null), 200))]);
      if (got) {
        if (got.errors) throw new Error(JSON.stringify(got.errors));
        return got.data.dossierSteps.step.action;
      }
    }
    throw new Error('no step arrived');
  } finally {
    await client.dispose();
  }
});

console.log(JSON.stringify(results));
process.exit(0);
