// Validates prometheus-operator objects (a JSON array) against the CRD
// schemas shipped in @kubernetes-models/prometheus-operator, chosen by
// apiVersion and kind (monitoring.coreos.com/v1 + PrometheusRule →
// monitoring.coreos.com/v1/PrometheusRule.js); an object with no model is an
// error. Usage: node validate-prometheus-operator.mjs NODE_PREFIX FILE
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [prefix, file] = process.argv.slice(2);
const root = join(prefix, "node_modules", "@kubernetes-models", "prometheus-operator");
const objects = JSON.parse(readFileSync(file, "utf8"));
let failed = 0;
for (const obj of objects) {
  const what = `${obj.kind}/${obj?.metadata?.name} (${obj.apiVersion})`;
  const model = join(root, obj.apiVersion ?? "", `${obj.kind}.js`);
  if (!/^monitoring\.coreos\.com\/v[0-9a-z]+$/.test(obj.apiVersion ?? "") || !/^[A-Za-z]+$/.test(obj.kind ?? "") || !existsSync(model)) {
    console.error(`ERROR ${what}: no prometheus-operator schema for this apiVersion/kind`);
    failed++;
    continue;
  }
  const mod = await import(pathToFileURL(model).href);
  try {
    new mod[obj.kind](obj).validate();
    console.error(`INFO ${what} passed against the prometheus-operator CRD schema`);
  } catch (err) {
    console.error(`ERROR ${what}: ${err.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
