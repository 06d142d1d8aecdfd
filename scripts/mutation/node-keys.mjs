// The name of a mutated node in a sampled mutation run: its source range as Babel gives it, "line:col-line:col"
// with 1-based lines and 0-based columns (the form of a Stryker `mutate` range). Each place a range comes from
// counts differently; these are the only conversions (scripts/mutation/sample.mjs, sample-ignorer.mjs, score.mjs,
// uncovered.mjs).
const key = (sl, sc, el, ec) => `${sl}:${sc}-${el}:${ec}`;

/** A Babel node's `loc` (1-based lines, 0-based columns): the ignorer's view. */
export const fromBabel = ({ start, end }) => key(start.line, start.column, end.line, end.column);

/** A mutant's location from Stryker's instrumenter API (0-based lines, 0-based columns). */
export const fromApi = ({ start, end }) => key(start.line + 1, start.column, end.line + 1, end.column);

/** A mutant's location in a Stryker JSON report (1-based lines and columns). */
export const fromReport = ({ start, end }) => key(start.line, start.column - 1, end.line, end.column - 1);

/** A node's name back as numbers: start line, start column, end line, end column. */
export function parseKey(name) {
  const [sl, sc, el, ec] = name.split(/[:-]/).map(Number);
  return { sl, sc, el, ec };
}
