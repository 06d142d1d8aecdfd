/**
 * `mcp-jobs doctor [--fix]`: checks the folders, locks, workers, patches,
 * files, the index and file events; says what it found and how to fix each.
 * Exit 0 when healthy, 1 when problems were found (with --fix: remain).
 */
import { Command } from 'commander';
import { diagnose, loadTypes, repair, type DoctorReport, type Finding } from '../doctor.js';
import { EXIT } from '../exit-codes.js';
import { paint, print, printJson } from '../output.js';
import { addCommonOptions, addTypeOptions } from '../options.js';
import { openManager, type OpenOptions } from '../runner.js';

interface DoctorOptions extends OpenOptions {
  fix?: boolean;
}

const LABEL = { ok: paint('green', 'ok     '), warn: paint('yellow', 'warn   '), problem: paint('red', 'PROBLEM') };

function printFindings(findings: Finding[]): void {
  const width = Math.max(...findings.map((f) => f.check.length));
  for (const f of findings) {
    print(`${LABEL[f.level]}  ${f.check.padEnd(width)}  ${f.message}`);
    if (f.fix && f.level !== 'ok') print(`${' '.repeat(9 + width + 2)}${paint('dim', `fix: ${f.fix}`)}`);
  }
}

function summary(report: DoctorReport, fixed: boolean): string {
  const problems = report.findings.filter((f) => f.level === 'problem');
  const warnings = report.findings.filter((f) => f.level === 'warn').length;
  if (!problems.length) return paint('green', `healthy${warnings ? ` (${warnings} warning${warnings === 1 ? '' : 's'})` : ''}`);
  const fixable = problems.filter((f) => f.repair).length;
  const hint = !fixed && fixable ? `; \`mcp-jobs doctor --fix\` fixes ${fixable === problems.length ? 'them' : `${fixable} of them`}` : '';
  return paint('red', `${problems.length} problem${problems.length === 1 ? '' : 's'}`) + (warnings ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : '') + hint;
}

export function doctorCommand(): Command {
  const command = new Command('doctor')
    .description('check the jobs and state folders and say how to fix what is wrong')
    .option('--fix', 'apply the safe fixes (stale locks, index, a reconcile pass), then check again');
  addTypeOptions(command);
  addCommonOptions(command);
  return command.action(async (options: DoctorOptions) => {
    const manager = await openManager(options.fix ? 'maintain' : 'read', options);
    try {
      const loadError = await loadTypes(manager, options.config);
      let report = await diagnose(manager, loadError);
      let fixes: string[] | undefined;
      if (options.fix) {
        fixes = await repair(manager, report.findings);
        report = await diagnose(manager, loadError);
      }
      if (options.json) {
        printJson({ healthy: report.healthy, jobsDir: manager.store.root, stateDir: manager.state.root, ...(fixes ? { fixed: fixes } : {}), findings: report.findings.map(({ repair: r, ...f }) => ({ ...f, fixable: r !== undefined })) });
      } else {
        print(paint('bold', `mcp-jobs doctor: jobs ${manager.store.root}, state ${manager.state.root}`));
        if (fixes) for (const line of fixes.length ? fixes : ['nothing to fix']) print(`${paint('cyan', 'fixed  ')}  ${line}`);
        printFindings(report.findings);
        print(summary(report, fixes !== undefined));
      }
      process.exitCode = report.healthy ? EXIT.ok : EXIT.problems;
    } finally {
      await manager.close();
    }
  });
}
