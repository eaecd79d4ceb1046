// Validates custom resources (a JSON array) against the CRD schemas shipped
// in the @kubernetes-models packages: external-secrets.io objects against
// @kubernetes-models/external-secrets, monitoring.coreos.com objects against
// @kubernetes-models/prometheus-operator. Each object's model is chosen by
// apiVersion and kind (monitoring.coreos.com/v1 + ServiceMonitor →
// monitoring.coreos.com/v1/ServiceMonitor.js); an object with no model is an
// error. Usage: node validate-crd-models.mjs NODE_PREFIX FILE
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** API group → the npm package holding its models. */
const PACKAGES = {
  "external-secrets.io": "external-secrets",
  "monitoring.coreos.com": "prometheus-operator",
};

const [prefix, file] = process.argv.slice(2);
const objects = JSON.parse(readFileSync(file, "utf8"));
let failed = 0;
for (const obj of objects) {
  const what = `${obj.kind}/${obj?.metadata?.name} (${obj.apiVersion})`;
  const match = /^([a-z0-9.-]+)\/(v[0-9a-z]+)$/.exec(obj.apiVersion ?? "");
  const pkg = match && PACKAGES[match[1]];
  const model = pkg && join(prefix, "node_modules", "@kubernetes-models", pkg, obj.apiVersion, `${obj.kind}.js`);
  if (!model || !/^[A-Za-z]+$/.test(obj.kind ?? "") || !existsSync(model)) {
    console.error(`ERROR ${what}: no CRD schema for this apiVersion/kind`);
    failed++;
    continue;
  }
  const mod = await import(pathToFileURL(model).href);
  try {
    new mod[obj.kind](obj).validate();
    console.error(`INFO ${what} passed against the ${pkg} CRD schema`);
  } catch (err) {
    console.error(`ERROR ${what}: ${err.message}`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
