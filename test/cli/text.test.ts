/**
 * The CLI's text helpers as functions: durations both ways, the ETA from a
 * progress report, the bar, and tables whose colour codes do not count.
 */
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/cli/duration.js';
import { etaMs, percentText, plainLine, renderBar } from '../../src/cli/progress-bar.js';
import { renderTable } from '../../src/cli/table.js';

describe('durations', () => {
  it.each([
    ['7d', 7 * 86_400_000],
    ['12h', 12 * 3_600_000],
    ['30m', 1_800_000],
    ['45s', 45_000],
    ['500ms', 500],
    ['1h30m', 5_400_000],
    ['2w', 14 * 86_400_000],
    ['1.5h', 5_400_000],
    ['0', 0],
  ])('parses %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['', '7', '7x', 'd7', '-1d', '1 d', 'soon'])('refuses %j with the option named', (text) => {
    expect(() => parseDuration(text, '--older-than')).toThrow(/^Expected `--older-than` to be a duration like 7d/);
  });

  it('formats short and long durations', () => {
    expect([950, 12_340, 245_000, 11_520_000, 187_200_000].map(formatDuration)).toEqual(['950ms', '12s', '4m05s', '3h12m', '2d4h']);
    expect(formatDuration(1_234)).toBe('1.2s');
  });
});

describe('progress', () => {
  const start = Date.parse('2026-01-01T00:00:00Z');
  const at = (ms: number) => new Date(start + ms).toISOString();

  it('estimates the time left from the rate up to the last report', () => {
    const progress = { current: 4, total: 10, message: 'step 4/10', updatedAt: at(2_000) };
    // 40% in 2 s: 5 s in all, 3 s left at the report, 2.5 s left half a second later.
    expect(etaMs({ progress, startedAt: at(0), now: start + 2_000 })).toBe(3_000);
    expect(etaMs({ progress, startedAt: at(0), now: start + 2_500 })).toBe(2_500);
    expect(etaMs({ progress: { ...progress, current: 0 }, startedAt: at(0), now: start + 2_000 })).toBeUndefined();
    expect(etaMs({ progress: { ...progress, current: 10 }, startedAt: at(0), now: start + 2_000 })).toBe(0);
  });

  it('renders the bar and the plain line', () => {
    const snapshot = { progress: { current: 1, total: 4, message: 'step 1/4', updatedAt: at(1_000) }, startedAt: at(0), now: start + 1_000 };
    expect(percentText(snapshot.progress)).toBe('25%');
    // 80 columns: a 30-cell bar, a quarter of it (rounded) filled.
    expect(renderBar(snapshot, 80)).toBe(`[${'█'.repeat(8)}${'░'.repeat(22)}]  25%  step 1/4  1.0s  ETA 3.0s`);
    expect(plainLine(snapshot)).toBe('25% step 1/4 (elapsed 1.0s, ETA 3.0s)');
  });
});

describe('tables', () => {
  it('pads columns to the widest cell, right-aligns where asked', () => {
    const text = renderTable([{ header: 'ID' }, { header: 'N', right: true }, { header: 'NOTE' }], [['a', '1', 'x'], ['bbb', '100', 'y']]);
    expect(text.split('\n')).toEqual(['ID     N  NOTE', 'a      1  x', 'bbb  100  y']);
  });
});
