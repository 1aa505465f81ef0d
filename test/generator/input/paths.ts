import { fileURLToPath } from 'node:url';

/** Docker's default profile, beside the repository (CI has shared/ next to the clone). */
export const MOBY_PATH = fileURLToPath(
  new URL('../../../../shared/fixtures/moby-default.json', import.meta.url),
);
