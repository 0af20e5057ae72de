// SPDX-License-Identifier: Apache-2.0
// Interoperability of `ceremony shares` with an independent SLIP-39
// implementation (the npm package slip39, pinned), in both directions:
// random lengths 16..64, layouts, passphrases, extendable or not.
// Run by `make interop` (needs node and npm). Usage: node slip39-js.js CEREMONY WORKDIR
const slip39 = require("slip39");
const { execFileSync } = require("child_process");
const crypto = require("crypto");
const fs = require("fs");
const C = process.argv[2];
process.chdir(process.argv[3]);
let fails = 0, runs = 0;
function rnd(n) { return crypto.randomInt(n); }
for (let iter = 0; iter < 40; iter++) {
  const len = [16, 32, 24, 64, 48][iter % 5];
  const secret = crypto.randomBytes(len);
  const pass = iter % 3 == 0 ? "" : "pass phrase " + iter;
  const ext = iter % 2;
  const e = iter % 3 == 2 ? 1 : 0;
  fs.writeFileSync("pass", pass + "\n");
  // JS -> ceremony
  const G = 1 + rnd(4), GT = 1 + rnd(G);
  const groups = [];
  for (let g = 0; g < G; g++) { const n = 1 + rnd(5); let t = 1 + rnd(n); if (t == 1) t = 1; groups.push([t, t == 1 ? 1 : n]); }
  const slip = slip39.fromArray(Array.from(secret), { passphrase: pass, threshold: GT, groups, iterationExponent: e, extendableBackupFlag: ext });
  let chosen = [];
  for (let k = 0; k < GT; k++) {
    const g = (k + iter) % G;
    const [t, n] = groups[g];
    for (let m = 0; m < t; m++) chosen = chosen.concat(slip.fromPath(`r/${g}/${(m + iter) % n}`).mnemonics);
  }
  runs++;
  try {
    const out = execFileSync(C, ["shares", "combine", "--batch", "--passphrase-file", "pass"], { input: chosen.join("\n") + "\n" }).toString().trim();
    if (out !== secret.toString("hex")) { fails++; console.log("JS->C mismatch", iter, len, groups, GT); }
  } catch (err) { fails++; console.log("JS->C error", iter, len, JSON.stringify(groups), GT, err.stderr.toString()); }
  // ceremony -> JS
  const args = ["shares", "split", "--batch", "--passphrase-file", "pass", "--iteration-exponent", String(e), "--group-threshold", String(GT)];
  if (!ext) args.push("--no-extendable");
  for (const [t, n] of groups) args.push("--group", `${t}/${n}`);
  runs++;
  try {
    const text = execFileSync(C, args, { input: secret.toString("hex") + "\n" }).toString();
    const blocks = text.trim().split("\n\n").map(b => b.split("\n"));
    let pick = [];
    for (let k = 0; k < GT; k++) {
      const g = (k + iter + 1) % G;
      pick = pick.concat(blocks[g].slice(0, groups[g][0]));
    }
    const rec = Buffer.from(slip39.recoverSecret(pick, pass));
    if (!rec.equals(secret)) { fails++; console.log("C->JS mismatch", iter); }
  } catch (err) { fails++; console.log("C->JS error", iter, err.message, err.stderr && err.stderr.toString()); }
}
console.log(`${runs - fails} passed, ${fails} failed`);
process.exit(fails ? 1 : 0);
