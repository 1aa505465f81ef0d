// The tool's name and version, from package.json (one source of truth).
import { readFileSync } from 'node:fs';

function findPackageJson(): { name: string; version: string } {
  // src/version.ts and dist/src/version.js sit one and two levels below the package root.
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      return JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {
        name: string;
        version: string;
      };
    } catch {}
  }
  return { name: 'seccomp-profiler', version: '0.0.0' };
}

const pkg = findPackageJson();
export const TOOL_NAME = pkg.name;
export const TOOL_VERSION = pkg.version;
