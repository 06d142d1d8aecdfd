// Stryker ignorer plugin of the sampled mutation run (see scripts/mutation/sample.mjs, stryker.config.mjs).
// The config's `mutate` ranges already keep Stryker to the sampled nodes and what lies inside them; this ignores
// the inside: a node that is not sampled and holds no sampled node. Its mutants (and those beneath it) are
// reported "Ignored" and never run.
import fs from 'node:fs';
import path from 'node:path';
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin';
import { fromBabel, parseKey } from './node-keys.mjs';

// Read when first asked (in Stryker's main process, which instruments): the test-runner processes load this
// plugin too, from the sandbox, where the sample file is not.
let byFile;
function load() {
  const sample = JSON.parse(fs.readFileSync(process.env.MUTATION_SAMPLE_FILE, 'utf8'));
  return new Map(
    Object.entries(sample.nodes).map(([file, keys]) => [path.resolve(file), { keys: new Set(keys), ranges: keys.map(parseKey) }]),
  );
}

const contains = (outer, inner) =>
  (outer.start.line < inner.sl || (outer.start.line === inner.sl && outer.start.column <= inner.sc)) &&
  (outer.end.line > inner.el || (outer.end.line === inner.el && outer.end.column >= inner.ec));

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'mutation-sample', {
    shouldIgnore(nodePath) {
      const { loc } = nodePath.node;
      const file = nodePath.hub?.file?.opts?.filename;
      byFile ??= load();
      const sampled = file && byFile.get(path.resolve(file));
      if (!loc || !sampled) return undefined;
      if (sampled.keys.has(fromBabel(loc)) || sampled.ranges.some((range) => contains(loc, range))) return undefined;
      return 'not in the sample (scripts/mutation/sample.mjs)';
    },
  }),
];
