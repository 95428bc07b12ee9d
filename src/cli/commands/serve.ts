import type { Command } from 'commander';
import { InputError } from '../../errors.js';
import { assertServeAllowed, createMigrationServer, DEFAULT_HOST, DEFAULT_PORT, ROUTE } from '../../ops/http-endpoint.js';
import { action, note, withCommonOptions, readSet } from '../common.js';
import { resolveRunner, withRunnerOptions } from '../runner-options.js';

const parsePort = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InputError(`--port: "${value}" must be a port number from 0 to 65535`);
  return Number(value);
};

export function register(program: Command): void {
  withRunnerOptions(
    withCommonOptions(
      program
        .command('serve')
        .description(`serve status and runs over HTTP (GET/POST ${ROUTE}) for preview and development databases; needs INTERNAL_ADMIN_TOKEN, refuses production`),
    ),
  )
    .option('--host <host>', 'address to listen on', DEFAULT_HOST)
    .option('--port <port>', 'port to listen on (0: any free port)', parsePort, DEFAULT_PORT)
    .action(
      action(async (options) => {
        // The production refusal comes first, before the database URL or the directory are even looked at.
        assertServeAllowed(process.env.INTERNAL_ADMIN_TOKEN, options.environment);
        const { common, settings } = resolveRunner(options);
        // A wrong --dir is a startup error (exit 2), not something every request reports.
        readSet(common);
        const endpoint = createMigrationServer({ token: process.env.INTERNAL_ADMIN_TOKEN, runner: settings, host: options.host, port: options.port, log: note });
        const { url } = await endpoint.listen();
        note(`ddlgate serve: listening on ${url}${ROUTE} (migrations: ${common.dir}, tracking schema: ${common.schema})`);
        if (!/^(127\.|::1$|localhost$)/.test(options.host)) note(`ddlgate serve: warning: listening on ${options.host}, reachable beyond this machine`);

        // SIGTERM/SIGINT stop new requests but never interrupt a running migration: close() waits for it.
        let onSignal: (signal: NodeJS.Signals) => void = () => {};
        const signal = await new Promise<NodeJS.Signals>((resolve) => {
          onSignal = resolve;
          process.on('SIGTERM', onSignal);
          process.on('SIGINT', onSignal);
        });
        process.off('SIGTERM', onSignal);
        process.off('SIGINT', onSignal);
        const run = endpoint.currentRun();
        note(`ddlgate serve: ${signal} received, ${run ? `waiting for the running ${run.dryRun ? 'dry-run' : 'migration'} (request ${run.requestId}) to finish` : 'shutting down'}`);
        // A second signal must not kill the process mid-migration either; say so instead.
        const again = () => note('ddlgate serve: still waiting for the running migration to finish (SIGKILL would interrupt it)');
        process.on('SIGTERM', again);
        process.on('SIGINT', again);
        try {
          await endpoint.close();
        } finally {
          process.off('SIGTERM', again);
          process.off('SIGINT', again);
        }
        note('ddlgate serve: stopped');
        return 0;
      }),
    );
}
