/** A formatting thread of the pool in format-source.ts: formats the texts it is sent, in order. */
import { parentPort } from 'node:worker_threads';
import { formatTypeScript, loadFormatter } from './prettier-format.js';

// Load prettier right away: the pool is started before the first file is emitted.
void loadFormatter();

parentPort?.on('message', (request: { id: number; text: string }) => {
  formatTypeScript(request.text).then(
    (text) => parentPort?.postMessage({ id: request.id, text }),
    (error: unknown) => parentPort?.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
