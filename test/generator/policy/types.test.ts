import { describe, expect, it } from 'vitest';
import { type Action, actionFromValue, actionValue } from '../../../src/generator/policy/types.js';

describe('actionValue / actionFromValue', () => {
  const actions: Action[] = [
    { kind: 'kill-process' },
    { kind: 'kill-thread' },
    { kind: 'trap' },
    { kind: 'trap', data: 7 },
    { kind: 'errno', errno: 1 },
    { kind: 'errno', errno: 38 },
    { kind: 'notify' },
    { kind: 'trace' },
    { kind: 'trace', data: 3 },
    { kind: 'log' },
    { kind: 'allow' },
  ];
  it.each(actions)('round-trips %o', (action) => {
    expect(actionFromValue(actionValue(action))).toEqual(action);
  });
  it('kill-process is 0x80000000 (the sign bit) and reads back', () => {
    expect(actionValue({ kind: 'kill-process' })).toBe(0x80000000);
    expect(actionFromValue(0x80000000)).toEqual({ kind: 'kill-process' });
  });
  it('unknown values are undefined', () => {
    expect(actionFromValue(0x00010000)).toBeUndefined();
  });
});
