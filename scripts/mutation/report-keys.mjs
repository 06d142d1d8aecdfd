// A mutant's node in a Stryker JSON report (1-based lines and columns) as the sample names it (Babel's range:
// 1-based lines, 0-based columns); see scripts/mutation/sample.mjs.
export const keyOf = ({ start, end }) => `${start.line}:${start.column - 1}-${end.line}:${end.column - 1}`;
