// The `kycgate` command line: declares every command and its flags; each command's code is loaded only when it runs.
import { Command, Option } from 'commander';
import { isKycError } from './errors.js';

type Runner = (opts: Record<string, unknown>, ...args: string[]) => Promise<number | void>;

/** Loads `src/commands/<file>.ts` lazily so `--help` never needs a database, Redis or lists. */
function lazy(file: string, exportName = 'run') {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const positional = args.slice(0, -2).map(String);
    const mod = (await import(`./commands/${file}.js`)) as Record<string, Runner>;
    const runner = mod[exportName];
    if (!runner) throw new Error(`command module ${file} has no export ${exportName}`);
    const code = await runner(cmd.opts(), ...positional);
    if (typeof code === 'number') process.exitCode = code;
  };
}

const policyOption = () => new Option('--policy <pack>', 'policy pack (default: $KYCGATE_POLICY or us-export-2026)');

export function buildProgram(): Command {
  const program = new Command('kycgate')
    .description('Know-your-customer screening for cloud providers: restricted-party lists, AI-compute policy, review queue.')
    .showHelpAfterError()
    .enablePositionalOptions();

  program
    .command('screen')
    .description('Screen NDJSON customers (stdin or --input) into NDJSON decisions (stdout or --output), in-process')
    .option('--input <file>', 'NDJSON customers (default: stdin)')
    .option('--output <file>', 'NDJSON decisions (default: stdout)')
    .addOption(policyOption())
    .option('--date <iso>', 'decide as of this date (default: now)')
    .action(lazy('screen'));

  program
    .command('compare')
    .description('Score NDJSON name pairs {"a","b","type"?} into {score, match, pieces}')
    .option('--input <file>', 'NDJSON pairs (default: stdin)')
    .option('--output <file>', 'NDJSON results (default: stdout)')
    .action(lazy('compare'));

  program
    .command('serve')
    .description('Run the HTTP API (review, admin, screening); --demo adds the demo provisioning route')
    .option('--demo', 'add POST /v1/instances guarded by the middleware')
    .action(lazy('serve'));

  program
    .command('worker')
    .description('Run the BullMQ workers (screening slow path, list refresh, rescreening)')
    .option('--queues <names>', 'comma-separated subset: screen,refresh,rescreen')
    .action(lazy('worker'));

  const lists = program.command('lists').description('List snapshots: status, refresh, import');
  lists
    .command('status')
    .description('Sources, dates, counts per list, hashes, age (loads KYCGATE_SEED_DIR first when set)')
    .option('--json', 'print JSON')
    .action(lazy('lists-status'));
  lists
    .command('refresh')
    .description('Refresh sources now (downloads, or the seed directory offline)')
    .option('--source <id>', 'only this source')
    .option('--wait', 'wait for the refresh job to finish')
    .action(lazy('lists-refresh'));
  lists
    .command('import')
    .description('Import official list files (a file or a directory) as a new snapshot, after validation')
    .argument('<path>', 'file or directory')
    .option('--force', 'accept even when the entry count drops below the configured fraction')
    .action(lazy('lists-import'));

  program
    .command('rescreen')
    .description('Rescreen known customers through the workers')
    .option('--all', 'every known customer')
    .option('--since-list-change', 'only customers the latest snapshot diff can affect (delta)')
    .option('--input <file>', 'customers from an NDJSON or CSV export instead of PostgreSQL')
    .option('--no-progress', 'no progress bar')
    .action(lazy('rescreen'));

  const audit = program.command('audit').description('Audit log: verify the hash chain, export');
  audit.command('verify').description('Walk the audit hash chain; name the first broken row').action(lazy('audit', 'verify'));
  audit
    .command('export')
    .description('Export audit rows as NDJSON')
    .option('--from <iso>', 'from this time (inclusive)')
    .option('--to <iso>', 'to this time (exclusive)')
    .option('--output <file>', 'default: stdout')
    .action(lazy('audit', 'exportRows'));

  const keys = program.command('keys').description('API keys');
  keys
    .command('create')
    .description('Create an API key (shown once, stored hashed)')
    .requiredOption('--role <role>', 'officer | senior_officer | admin | service')
    .option('--name <name>', 'who or what holds the key')
    .action(lazy('keys', 'create'));

  program.command('migrate').description('Run database migrations').action(lazy('migrate'));
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (isKycError(err)) {
      process.stderr.write(`kycgate: ${err.code}: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`kycgate: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    }
  }
}
