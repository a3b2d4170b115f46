#!/usr/bin/env node
// Runs the TypeScript sources through tsx, so plugins written in TypeScript load as they are.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
