// Ends every run with what the host lacked and how many tests that skipped, one line per reason:
//   host: i386 emulation off (int 0x80 → SIGSEGV): 8 tests skipped
// A test skipped for no host reason is listed too: nothing is skipped silently.
import type { Reporter, TestCase, TestModule, TestSuite, Vitest } from 'vitest/node';

/** The host reasons on the test and its suites, outermost first (a suite's reason covers its tests). */
function hostReason(test: TestCase): string | undefined {
  const chain: (TestCase | TestSuite | TestModule)[] = [];
  for (let node: TestCase | TestSuite | TestModule = test; ; node = node.parent) {
    chain.unshift(node);
    if (node.type === 'module') break;
  }
  const reasons = new Set(chain.flatMap((node) => node.meta().hostSkip?.split('; ') ?? []));
  return reasons.size > 0 ? [...reasons].join('; ') : undefined;
}

export default class HostReporter implements Reporter {
  /** With `-t PATTERN` the tests it filters out are skipped too: those are not worth a line. */
  private filtered = false;

  onInit(vitest: Vitest): void {
    this.filtered = vitest.config.testNamePattern !== undefined;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, number>();
    const unexplained: string[] = [];
    for (const module of modules) {
      for (const test of module.children.allTests('skipped')) {
        const reason = hostReason(test);
        if (reason) byReason.set(reason, (byReason.get(reason) ?? 0) + 1);
        else if (!this.filtered)
          unexplained.push(`${module.moduleId.replace(/^.*\/test\//, 'test/')} > ${test.fullName}`);
      }
    }
    const lines = [...byReason].map(
      ([reason, n]) => `host: ${reason}: ${n} test${n === 1 ? '' : 's'} skipped`,
    );
    if (lines.length === 0)
      lines.push('host: every capability the suite uses is present; no test skipped for the host');
    for (const name of unexplained) lines.push(`skipped without a host reason: ${name}`);
    process.stdout.write(`\n${lines.join('\n')}\n`);
  }
}
