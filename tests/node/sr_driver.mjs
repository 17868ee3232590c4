// A warm semantic-release process for relbot's differential tests.
//
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout, in order.
//   request:  {"id"?: any, "cwd": "/path/to/repo", "now"?: "2024-06-01T12:00:00Z",
//              "options": {branches, tagFormat, plugins, repositoryUrl?}}
//   response: {"id", "version", "type", "gitTag", "notes", "lastRelease", "lastReleaseTag",
//              "commits", "error", "log"?}
//
// Each request runs semantic-release's JS API in dry-run mode against `cwd`. semantic-release needs a
// remote it can `git push --dry-run` to (verifyAuth), `ls-remote` and fetch branches, tags and notes
// from, so the driver pushes every branch, tag and note of `cwd` to a throwaway bare repository and
// maps `repositoryUrl` onto it with git's `url.<bare>.insteadOf` (given through GIT_CONFIG_COUNT).
// `repositoryUrl` defaults to a GitHub-style URL so that release notes carry links; with
// GIT_ALLOW_PROTOCOL=file, git refuses any transport but a local path, so nothing leaves the machine.
//
// semantic-release (execa) and git-log-parser merge process.env into every git call, and env-ci reads
// the environment it is given, so the driver empties process.env down to a few harmless variables at
// start and gives semantic-release an explicit env: no CI variables, no tokens, an isolated HOME.
//
// semantic-release releases the branch checked out in `cwd` (with no CI detected, env-ci asks git), so
// HEAD must be on a branch. An extra inline analyzeCommits step that returns nothing observes the last
// release and the number of commits analysed, which semantic-release does not return when it has
// nothing to release. `now` pins the clock for one request (the date in the notes heading).
//
// Only fd 1 carries responses (written with fs.writeSync); anything that writes to process.stdout
// goes to stderr instead, and semantic-release's own log goes to an in-memory sink.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { Writable } from "node:stream";
import { execFileSync } from "node:child_process";

const KEPT_ENV = ["PATH", "LANG", "TMPDIR", "SYSTEMROOT", "NODE_OPTIONS"];
const DEFAULT_REPOSITORY_URL = "https://github.com/relbot-test/widget.git";
const LOG_TAIL = 4000;
// Without "plugins" in a request: the two plugins that need no token (angular preset).
const DEFAULT_PLUGINS = ["@semantic-release/commit-analyzer", "@semantic-release/release-notes-generator"];

const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "relbot-sr-driver-"));
const home = path.join(workDir, "home");
fs.mkdirSync(home);

const baseEnv = {};
for (const key of KEPT_ENV) {
  if (process.env[key] !== undefined) baseEnv[key] = process.env[key];
}
Object.assign(baseEnv, {
  HOME: home,
  XDG_CONFIG_HOME: path.join(home, ".config"),
  LC_ALL: "C",
  TZ: "UTC",
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_TERMINAL_PROMPT: "0",
  GIT_ALLOW_PROTOCOL: "file",
});
for (const key of Object.keys(process.env)) delete process.env[key];
Object.assign(process.env, baseEnv);

// Keep fd 1 for the protocol: stray writes to process.stdout go to stderr.
process.stdout.write = (chunk, encoding, callback) => process.stderr.write(chunk, encoding, callback);

const { default: semanticRelease } = await import("semantic-release");

function sink() {
  const chunks = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join("") };
}

// A request's "now" pins the clock while semantic-release runs: the release notes heading carries
// the date of the run (conventional-changelog-writer: `new Date()`, as UTC yyyy-mm-dd).
const RealDate = Date;

function freezeClock(iso) {
  const fixed = RealDate.parse(iso);
  if (Number.isNaN(fixed)) throw new Error(`EBADREQUEST: "now" is not a date: ${iso}`);
  globalThis.Date = class extends RealDate {
    constructor(...args) {
      if (args.length === 0) super(fixed);
      else super(...args);
    }

    static now() {
      return fixed;
    }
  };
}

function git(args, cwd, env) {
  return execFileSync("git", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] }).toString();
}

let counter = 0;

function makeRemote(cwd) {
  counter += 1;
  const bare = path.join(workDir, `remote-${counter}.git`);
  git(["init", "--quiet", "--bare", bare], workDir, baseEnv);
  // `git fetch --tags <url>` (semantic-release, for the current branch) fetches the remote's HEAD.
  const head = git(["symbolic-ref", "--quiet", "HEAD"], cwd, baseEnv).trim();
  git(["symbolic-ref", "HEAD", head], bare, baseEnv);
  git(
    ["push", "--quiet", bare, "refs/heads/*:refs/heads/*", "refs/tags/*:refs/tags/*", "refs/notes/*:refs/notes/*"],
    cwd,
    baseEnv,
  );
  return bare;
}

function errorText(error) {
  const errors = Array.isArray(error?.errors) && error.errors.length > 0 ? error.errors : [error];
  return errors
    .map((err) => (err?.code ? `${err.code}: ${err.message}` : String(err?.stack ?? err)))
    .join("\n");
}

async function handle(request) {
  const { cwd, options = {} } = request;
  if (typeof cwd !== "string" || !fs.existsSync(cwd)) {
    return { error: `EBADREQUEST: cwd ${JSON.stringify(cwd)} does not exist` };
  }
  const repositoryUrl = options.repositoryUrl ?? DEFAULT_REPOSITORY_URL;
  const bare = makeRemote(cwd);
  const remoteConfig = {
    GIT_CONFIG_COUNT: "1",
    GIT_CONFIG_KEY_0: `url.${bare}.insteadOf`,
    GIT_CONFIG_VALUE_0: repositoryUrl,
  };
  const env = { ...baseEnv, ...remoteConfig };
  // Some of semantic-release's git calls (branches/expand.js) pass no env and so get process.env.
  Object.assign(process.env, remoteConfig);
  // An inline analyzeCommits step that only observes: semantic-release returns nothing about the last
  // release when there is no new one, and the probe sees the commits after the [skip release] filter.
  const seen = { lastRelease: null, commits: null };
  const probe = {
    analyzeCommits: (_config, context) => {
      seen.lastRelease = context.lastRelease;
      seen.commits = context.commits.length;
      return null;
    },
  };
  const plugins = [...(options.plugins ?? DEFAULT_PLUGINS), [probe, {}]];
  const out = sink();
  const err = sink();
  const response = {
    version: null,
    type: null,
    gitTag: null,
    notes: null,
    lastRelease: null,
    lastReleaseTag: null,
    commits: null,
    error: null,
  };
  try {
    if (request.now !== undefined) freezeClock(request.now);
    const result = await semanticRelease(
      { ...options, plugins, repositoryUrl, dryRun: true, ci: false },
      { cwd, env, stdout: out.stream, stderr: err.stream },
    );
    if (result && result.nextRelease) {
      const { version, type, gitTag, notes } = result.nextRelease;
      Object.assign(response, { version, type, gitTag, notes });
    }
  } catch (error) {
    response.error = errorText(error);
    response.log = (out.text() + err.text()).slice(-LOG_TAIL);
  } finally {
    globalThis.Date = RealDate;
    for (const key of Object.keys(remoteConfig)) delete process.env[key];
    fs.rmSync(bare, { recursive: true, force: true });
  }
  response.lastRelease = seen.lastRelease?.version ?? null;
  response.lastReleaseTag = seen.lastRelease?.gitTag ?? null;
  response.commits = seen.commits;
  return response;
}

function respond(object) {
  fs.writeSync(1, `${JSON.stringify(object)}\n`);
}

const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
try {
  for await (const line of lines) {
    if (!line.trim()) continue;
    let request;
    try {
      request = JSON.parse(line);
    } catch (error) {
      respond({ id: null, error: `EBADREQUEST: ${error.message}` });
      continue;
    }
    let response;
    try {
      response = await handle(request);
    } catch (error) {
      response = { error: `EDRIVER: ${error?.stack ?? error}` };
    }
    respond({ id: request.id ?? null, ...response });
  }
} finally {
  fs.rmSync(workDir, { recursive: true, force: true });
}
