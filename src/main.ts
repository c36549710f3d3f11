/**
 * The `perisai` executable: the command line, with `serve` running the HTTP API. The one file
 * that joins the two shells, so the CLI never imports the HTTP layer and the server never
 * imports the CLI.
 */
import { createProgram, runProgram } from './cli/program.js';
import { serve } from './server.js';

await runProgram(createProgram({ serve }), process.argv);
