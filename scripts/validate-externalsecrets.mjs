// Validates External Secrets Operator objects (a JSON array) against the
// CRD schemas shipped in @kubernetes-models/external-secrets. Each object's
// model is chosen by apiVersion and kind (external-secrets.io/v1 +
// ExternalSecret → external-secrets.io/v1/ExternalSecret.js); an object
// with no model is an error. Usage: node validate-externalsecrets.mjs NODE_PREFIX FILE
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [prefix, file] = process.argv.slice(2);
const root = join(prefix, "node_modules", "@kubernetes-models", "external-secrets");
const objects = JSON.parse(readFileSync(file, "utf8"));
let failed = 0;
for (const obj of objects) {
  const what = `${obj.kind}/${obj?.metadata?.name} (${obj.apiVersion})`;
  const model = join(root, obj.apiVersion ?? "", `${obj.kind}.js`);
  if (!/^external-secrets\.io\/v[0-9a-z]+$/.test(obj.apiVersion ?? "") || !/^[A-Za-z]+$/.test(obj.kind ?? "") || !existsSync(model)) {
    console.error(`ERROR ${what}: no External Secrets Operator schema for this apiVersion/kind`);
    failed++;
    continue;
  }
  const mod = await import(pathToFileURL(model).href);
  try {
    new mod[obj.kind](obj).validate();
    console.error(`INFO ${what} passed against the External Secrets Operator CRD schema`);
  } catch (err) {
    console.error(`ERROR ${what}: ${err.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
