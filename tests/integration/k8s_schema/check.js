// Checks Kubernetes manifests offline against the Kubernetes API schemas (npm kubernetes-models):
//   NODE_PATH=.../node_modules node check.js FILE.yaml...
// Prints one JSON line per document ({file, kind, name, ok, error}) and exits 1 if any fails.
// A kustomization.yaml is checked for what kustomize needs: its resources exist.
'use strict';
const fs = require('fs');
const path = require('path');
const yaml = require('js-yaml');

function modelFor(apiVersion, kind) {
  // "apps/v1" -> kubernetes-models/apps/v1, "v1" -> kubernetes-models/v1
  let mod;
  try {
    mod = require('kubernetes-models/' + apiVersion);
  } catch (e) {
    throw new Error('no schema for apiVersion ' + apiVersion);
  }
  if (!mod[kind]) throw new Error('no schema for ' + apiVersion + ' ' + kind);
  return mod[kind];
}

function checkKustomization(file, doc) {
  for (const r of doc.resources || []) {
    if (!fs.existsSync(path.join(path.dirname(file), r))) throw new Error('resource ' + r + ' does not exist');
  }
}

let failed = 0;
for (const file of process.argv.slice(2)) {
  let docs;
  try {
    docs = yaml.loadAll(fs.readFileSync(file, 'utf8')).filter((d) => d != null);
  } catch (e) {
    console.log(JSON.stringify({file, ok: false, error: 'YAML: ' + e.message}));
    failed++;
    continue;
  }
  for (const doc of docs) {
    const out = {file, kind: doc.kind, name: doc.metadata && doc.metadata.name};
    try {
      if (doc.kind === 'Kustomization') {
        checkKustomization(file, doc);
      } else {
        const Model = modelFor(doc.apiVersion, doc.kind);
        new Model(doc).validate();
      }
      out.ok = true;
    } catch (e) {
      out.ok = false;
      out.error = e.message;
      failed++;
    }
    console.log(JSON.stringify(out));
  }
}
process.exit(failed ? 1 : 0);
