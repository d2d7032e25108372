#!/usr/bin/env node
// Composes subgraph sets with @apollo/composition, for the differential
// harness (examples/compose_differential). Not part of the build: it runs
// only when someone points the harness at it and has the package installed.
//
//   node apollo_compose.js [--modules DIR] SET.json [SET.json ...]
//
// Each SET.json is a list of {name, url, sdl}. For each file, one line of
// JSON on stdout, in the order given:
//   {"ok":true,"supergraph":"...","hints":[{"code":..,"message":..}]}
//   {"ok":false,"errors":[{"code":..,"message":..}]}
//
// '@apollo/composition' and 'graphql' are resolved from DIR (a
// node_modules directory or the project holding one), then from the
// directories in NODE_PATH, then from the working directory. Both must
// come from the same place so the parsed documents match the package's
// graphql version.
//
// Errors the package throws instead of returning are reported as a
// rejection too: a syntax error as INVALID_GRAPHQL (the code the package
// uses for invalid subgraph documents), anything else with the thrown
// error's extensions.code, or EXCEPTION when it has none.

'use strict';

const fs = require('fs');
const path = require('path');

function parseArgs(argv) {
  const files = [];
  let modules = null;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--modules') {
      modules = argv[++i];
    } else {
      files.push(argv[i]);
    }
  }
  return { files, modules };
}

function loader(modules) {
  const paths = [];
  if (modules) paths.push(path.resolve(modules));
  for (const dir of (process.env.NODE_PATH || '').split(path.delimiter)) {
    if (dir) paths.push(path.resolve(dir));
  }
  paths.push(process.cwd());
  return (name) => require(require.resolve(name, { paths }));
}

function codeOf(error, fallback) {
  return (error && error.extensions && error.extensions.code) || fallback;
}

function describe(error) {
  return { code: codeOf(error, 'EXCEPTION'), message: String(error && error.message) };
}

function composeFile(file, composition, graphql) {
  let services;
  try {
    services = JSON.parse(fs.readFileSync(file, 'utf8')).map((s) => ({
      name: s.name,
      url: s.url,
      typeDefs: graphql.parse(s.sdl),
    }));
  } catch (error) {
    const code = error instanceof graphql.GraphQLError ? 'INVALID_GRAPHQL' : 'EXCEPTION';
    return { ok: false, errors: [{ code, message: String(error.message) }] };
  }
  try {
    const result = composition.composeServices(services);
    if (result.errors && result.errors.length > 0) {
      return { ok: false, errors: result.errors.map(describe) };
    }
    const hints = (result.hints || []).map((h) => ({
      code: (h.definition && h.definition.code) || 'HINT',
      message: String(h.message),
    }));
    return { ok: true, supergraph: result.supergraphSdl, hints };
  } catch (error) {
    return { ok: false, errors: [describe(error)] };
  }
}

function main() {
  const { files, modules } = parseArgs(process.argv.slice(2));
  if (files.length === 0) {
    process.stderr.write('usage: node apollo_compose.js [--modules DIR] SET.json...\n');
    process.exit(2);
  }
  const load = loader(modules);
  const composition = load('@apollo/composition');
  const graphql = load('graphql');
  for (const file of files) {
    process.stdout.write(JSON.stringify(composeFile(file, composition, graphql)) + '\n');
  }
}

main();
