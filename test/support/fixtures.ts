// Paths of the repository's fixture files, each defined once (tests and benches import them).
import { fileURLToPath } from 'node:url';

/** Docker's default seccomp profile (see test/fixtures/profiles/README.md for origin and licence). */
export const MOBY_DEFAULT = fileURLToPath(new URL('../fixtures/profiles/moby-default.json', import.meta.url));

/** podman's default seccomp profile, containers/common pkg/seccomp/seccomp.json (see the README there). */
export const PODMAN_DEFAULT = fileURLToPath(
  new URL('../fixtures/profiles/podman-default.json', import.meta.url),
);
