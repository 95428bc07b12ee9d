#!/usr/bin/env node
// The CLI entry: runs the compiled core from lib/ (built by `npm ci` through the prepare script).
import { main } from '../lib/cli/main.js';

const code = await main(process.argv.slice(2));
process.exitCode = code;
