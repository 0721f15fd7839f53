// Signs webhook bodies as GitHub does, with GitHub's own library (@octokit/webhooks), so that
// the collector's check is tested against a signature it did not make itself.
// Usage: node sign.mjs IN OUT; IN is a JSON array of {"secret", "body"}, OUT gets the
// X-Hub-Signature-256 value of each, in order.
import { readFileSync, writeFileSync } from "node:fs";
import { Webhooks } from "@octokit/webhooks";

const [input, output] = process.argv.slice(2);
const signatures = [];
for (const { secret, body } of JSON.parse(readFileSync(input, "utf8"))) {
  signatures.push(await new Webhooks({ secret }).sign(body));
}
writeFileSync(output, JSON.stringify(signatures));
