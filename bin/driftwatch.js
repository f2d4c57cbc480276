#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so a clean clone needs no build step.
import { register } from 'tsx/esm/api';

register();
// the young generation sized for ingest before the heap grows (src/ingest/heap.ts; NODE_OPTIONS may set another)
const { sizeYoungGeneration } = await import('../src/ingest/heap.ts');
sizeYoungGeneration();
const { main } = await import('../src/main.ts');
process.exitCode = await main(process.argv.slice(2));
