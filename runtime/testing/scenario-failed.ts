/** A given/when/then expectation that did not hold. Test runners show its message and diff. */
export class ScenarioFailed extends Error {
  override readonly name = 'ScenarioFailed';
}

export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
