/**
 * Runner settings are resolved in one place (src/core/settings.ts): defaults < ddlgate.json < environment <
 * flags (CLI) or inputs (action), and both shells get the same settings from the same intent.
 */
import { Command } from 'commander';
import { readInputs } from '../../src/action/inputs.js';
import { actionTimings } from '../../src/action/inputs.js';
import { cliTimings, withRunnerOptions } from '../../src/cli/runner-options.js';
import type { DdlgateConfig } from '../../src/config.js';
import { resolveRunnerTimings, RUNNER_DEFAULTS, RUNNER_ENV, type RunnerKnobs } from '../../src/core/settings.js';
import { InputError } from '../../src/errors.js';

const CONFIG: DdlgateConfig = { lockTimeout: '2s', statementTimeout: '20min', lockWait: '2min', lockRetries: 3, indexTimeout: '2h' };
const ENV = { DDLGATE_LOCK_TIMEOUT: '3s', DDLGATE_STATEMENT_TIMEOUT: '30min', DDLGATE_LOCK_WAIT: '3min', DDLGATE_LOCK_RETRIES: '4', DDLGATE_INDEX_TIMEOUT: '3h' };
const FLAGS: RunnerKnobs = { lockTimeout: '4s', statementTimeout: '40min', lockWait: '4min', lockRetries: 5, indexTimeout: '4h' };
const resolve = (config: DdlgateConfig, env: Record<string, string>, given: RunnerKnobs) => resolveRunnerTimings({ config, env, given, label: (knob) => `--${knob}` });

/** Parses argv through the CLI's real runner options (commander), as `ddlgate up` would. */
function cliOptions(argv: string[]): Record<string, unknown> {
  const command = withRunnerOptions(new Command('up').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts();
}

/** The action's inputs as the runner passes them (INPUT_<NAME> variables), read by the action's own reader. */
function actionInputs(inputs: Record<string, string>) {
  return readInputs((name) => inputs[name] ?? '');
}

describe('runner settings: defaults < ddlgate.json < environment < flags', () => {
  it('each level overrides the one below it, knob by knob', () => {
    expect(resolve({}, {}, {})).toEqual({ lockTimeoutMs: 500, statementTimeoutMs: 900_000, lockWaitMs: 60_000, lockRetries: 10, indexTimeoutMs: 4 * 3_600_000 });
    expect(resolve(CONFIG, {}, {})).toEqual({ lockTimeoutMs: 2000, statementTimeoutMs: 1_200_000, lockWaitMs: 120_000, lockRetries: 3, indexTimeoutMs: 2 * 3_600_000 });
    expect(resolve(CONFIG, ENV, {})).toEqual({ lockTimeoutMs: 3000, statementTimeoutMs: 1_800_000, lockWaitMs: 180_000, lockRetries: 4, indexTimeoutMs: 3 * 3_600_000 });
    expect(resolve(CONFIG, ENV, FLAGS)).toEqual({ lockTimeoutMs: 4000, statementTimeoutMs: 2_400_000, lockWaitMs: 240_000, lockRetries: 5, indexTimeoutMs: 4 * 3_600_000 });
    // Mixed: one knob from each level.
    expect(resolve({ statementTimeout: '20min' }, { DDLGATE_LOCK_WAIT: '3min' }, { lockRetries: 5 })).toMatchObject({ lockTimeoutMs: 500, statementTimeoutMs: 1_200_000, lockWaitMs: 180_000, lockRetries: 5 });
  });

  it('an empty environment variable counts as unset; an empty flag is bad input', () => {
    expect(resolve(CONFIG, { DDLGATE_LOCK_TIMEOUT: '  ' }, {}).lockTimeoutMs).toBe(2000);
    expect(() => resolve(CONFIG, {}, { lockTimeout: '' })).toThrow(/--lockTimeout: "" is not a duration/);
  });

  it('seeds have their own defaults (one try, longer lock timeout), overridden the same way', () => {
    expect(RUNNER_DEFAULTS.seeds.lockTimeout).toBe('5s');
    expect(resolveRunnerTimings({ config: {}, env: {}, given: {}, label: String, purpose: 'seeds' })).toMatchObject({ lockTimeoutMs: 5000, lockRetries: 0 });
    expect(resolveRunnerTimings({ config: CONFIG, env: {}, given: {}, label: String, purpose: 'seeds' }).lockTimeoutMs).toBe(2000);
  });

  it('a bad value names where it came from', () => {
    expect(() => resolve({}, { DDLGATE_LOCK_TIMEOUT: 'soon' }, {})).toThrow(new InputError('DDLGATE_LOCK_TIMEOUT: "soon" is not a duration (use e.g. 500ms, 5s, 15min)'));
    expect(() => resolve({}, { DDLGATE_LOCK_RETRIES: 'many' }, {})).toThrow(/DDLGATE_LOCK_RETRIES: "many" must be a whole number from 0 to 100/);
    expect(() => resolve({}, {}, { lockWait: '1 fortnight' })).toThrow(/--lockWait: "1 fortnight" is not a duration/);
    expect(() => cliTimings({ lockWait: 'later' }, {}, undefined, {})).toThrow(/--lock-wait: "later" is not a duration/);
    expect(() => resolve({ lockTimeout: 'x' } as DdlgateConfig, {}, {})).toThrow(/ddlgate.json lockTimeout: "x"/);
  });

  it('every environment variable is DDLGATE_<KNOB>', () => {
    expect(Object.values(RUNNER_ENV)).toEqual(['DDLGATE_LOCK_TIMEOUT', 'DDLGATE_STATEMENT_TIMEOUT', 'DDLGATE_LOCK_WAIT', 'DDLGATE_LOCK_RETRIES', 'DDLGATE_INDEX_TIMEOUT']);
  });
});

describe('the CLI and the action resolve the same settings for the same input', () => {
  const cases: Array<{ what: string; config: DdlgateConfig; env: Record<string, string>; given: { lockTimeout?: string; statementTimeout?: string } }> = [
    { what: 'nothing given', config: {}, env: {}, given: {} },
    { what: 'ddlgate.json only', config: CONFIG, env: {}, given: {} },
    { what: 'environment over ddlgate.json', config: CONFIG, env: ENV, given: {} },
    { what: 'flags / inputs over everything', config: CONFIG, env: ENV, given: { lockTimeout: '750ms', statementTimeout: '45min' } },
  ];
  it.each(cases)('$what', ({ config, env, given }) => {
    const argv = [...(given.lockTimeout ? ['--lock-timeout', given.lockTimeout] : []), ...(given.statementTimeout ? ['--statement-timeout', given.statementTimeout] : [])];
    const cli = cliTimings(cliOptions(argv), config, undefined, env);
    const inputs = actionInputs({ command: 'lint', 'lock-timeout': given.lockTimeout ?? '', 'statement-timeout': given.statementTimeout ?? '' });
    const action = actionTimings(inputs, config, undefined, env);
    expect(action).toEqual(cli);
    expect(cli).toEqual(resolve(config, env, given));
  });

  it('seeds: the same in both shells', () => {
    expect(actionTimings({}, {}, 'seeds', {})).toEqual(cliTimings({}, {}, 'seeds', {}));
  });
});
