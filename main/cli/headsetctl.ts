#!/usr/bin/env node
// The headsetctl executable (dist/headsetctl.mjs): operator and build tools. See cli.ts.
import { runHeadsetctl } from './cli.js';

process.exitCode = await runHeadsetctl(process.argv.slice(2));
