#!/usr/bin/env node
// kycgate command-line entry: registers the TypeScript loader, then runs src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
await main(process.argv);
