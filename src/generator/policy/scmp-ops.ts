// libseccomp's comparison operators (SCMP_CMP_*), as Docker/OCI JSON and libseccomp C spell them.
import type { Op } from './types.js';

/** SCMP_CMP_* name of each operator. */
export const SCMP_CMP: Readonly<Record<Op, string>> = {
  NE: 'SCMP_CMP_NE',
  LT: 'SCMP_CMP_LT',
  LE: 'SCMP_CMP_LE',
  EQ: 'SCMP_CMP_EQ',
  GE: 'SCMP_CMP_GE',
  GT: 'SCMP_CMP_GT',
  MASKED_EQ: 'SCMP_CMP_MASKED_EQ',
};

const BY_NAME = new Map(Object.entries(SCMP_CMP).map(([op, name]) => [name, op as Op]));

/** The operator a SCMP_CMP_* name stands for. */
export function opOfScmp(name: string): Op | undefined {
  return BY_NAME.get(name);
}
