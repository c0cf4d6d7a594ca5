/** A formatting thread of the pool in format-source.ts: formats the texts it is sent, in order. */
import { parentPort } from 'node:worker_threads';
import { warmUpUntil } from './format-warm-up.js';
import { formatTypeScript, loadFormatter } from './prettier-format.js';

let working = false;

// Load prettier right away (the pool is started before the first file is emitted), then warm it
// up until the first text arrives.
void loadFormatter()
  .then(() => warmUpUntil(() => working))
  .catch(() => undefined);

parentPort?.on('message', (request: { id: number; text: string }) => {
  working = true;
  formatTypeScript(request.text).then(
    (text) => parentPort?.postMessage({ id: request.id, text }),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
