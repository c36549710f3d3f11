/**
 * The `perisai` executable: the command line, with `serve` running the HTTP API. The one file
 * that joins the two shells, so the CLI never imports the HTTP layer and the server never
 * imports the CLI. The server is loaded only when `serve` runs: other commands start without
 * Fastify, the store or the models.
 */
import { createProgram, runProgram } from './cli/program.js';

await runProgram(createProgram({ serve: async (flags) => (await import('./server.js')).serve(flags) }), process.argv);
