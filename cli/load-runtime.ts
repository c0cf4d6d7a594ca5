/**
 * The runtime as the CLI uses it: the application entry plus the operator entry
 * (`esgen/runtime/admin`). Loaded on demand, so commands that need no database start fast.
 */
export type Runtime = typeof import('../runtime/index.js') & typeof import('../runtime/admin.js');

export async function loadRuntime(): Promise<Runtime> {
  const [application, admin] = await Promise.all([import('../runtime/index.js'), import('../runtime/admin.js')]);
  return { ...application, ...admin };
}
