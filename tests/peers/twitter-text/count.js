// The counting peer: X's own twitter-text and Node's Intl.Segmenter, for tests/peers/counting.py.
//
// One process serves a whole test session. Each request is one line of JSON on stdin, each answer one
// line of JSON on stdout, in order:
//   {"op": "count", "texts": [...]}  ->  [{"x": weightedLength, "urls": [[start, end], ...], "g": graphemes}, ...]
//       x: twitter-text's parseTweet(text).weightedLength (its default config, v3);
//       urls: extractUrlsWithIndices(NFC text), UTF-16 indices (what X links, for failure messages);
//       g: the number of grapheme clusters by Intl.Segmenter.
//   {"op": "upper", "texts": [...]}  ->  [text.toUpperCase(), ...]  (JavaScript's case mapping, which
//       twitter-text's case-insensitive regexes use)
//   {"op": "data"}  ->  the data our port carries (channels_app/connectors/x/twitter_text.json): the
//       valid top-level domains and twemoji-parser's emoji regex, read from the installed packages.
// `node count.js --export` prints that data as JSON (to refresh the port's copy after an upgrade).
// The process exits when stdin closes, so a killed test run leaves nothing behind.
"use strict";

const readline = require("readline");
const twitterText = require("twitter-text");

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

function graphemes(text) {
  let count = 0;
  for (const _ of segmenter.segment(text)) count++;
  return count;
}

// validGTLD / validCCTLD are built as (?:(?:tld1|tld2|...)(?=[^0-9a-zA-Z@+-]|$)): take the list back out.
function tlds(regex) {
  const prefix = "(?:(?:";
  const suffix = ")(?=[^0-9a-zA-Z@+-]|$))";
  const source = regex.source;
  if (!source.startsWith(prefix) || !source.endsWith(suffix)) throw new Error(`unexpected TLD regex ${source.slice(0, 40)}`);
  const list = source.slice(prefix.length, -suffix.length).split("|");
  if (list.some((tld) => /[\\()[\]?*+.^$|{}]/.test(tld))) throw new Error("a TLD with regex syntax");
  return list;
}

function data() {
  const regexp = (name) => require(`twitter-text/dist/regexp/${name}`);
  return {
    "twitter-text": require("twitter-text/package.json").version,
    "twemoji-parser": require("twemoji-parser/package.json").version,
    gtlds: tlds(regexp("validGTLD")),
    cctlds: tlds(regexp("validCCTLD")),
    emoji: require("twemoji-parser/dist/lib/regex").default.source,
  };
}

function answer(request) {
  if (request.op === "count") {
    return request.texts.map((text) => ({
      x: twitterText.parseTweet(text).weightedLength,
      urls: twitterText.extractUrlsWithIndices(text.normalize()).map((url) => url.indices),
      g: graphemes(text),
    }));
  }
  if (request.op === "data") return data();
  if (request.op === "upper") return request.texts.map((text) => text.toUpperCase());
  throw new Error(`unknown op ${request.op}`);
}

if (process.argv[2] === "--export") {
  process.stdout.write(JSON.stringify(data(), null, 1) + "\n");
  return;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on("line", (line) => {
  let reply;
  try {
    reply = { ok: answer(JSON.parse(line)) };
  } catch (error) {
    reply = { error: String(error && error.stack ? error.stack : error) };
  }
  process.stdout.write(JSON.stringify(reply) + "\n");
});
// When stdin closes, Node exits by itself once stdout is flushed (process.exit here could cut it short).
process.stdout.write(JSON.stringify({ ready: { "twitter-text": require("twitter-text/package.json").version } }) + "\n");
