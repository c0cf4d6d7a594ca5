import { expect } from 'vitest';

/** What src/main.ts prints: the saved aggregate, its two events, one read-model row. */
export function expectMainOutput(stdout: string): void {
  expect(stdout).toMatch(
    /^saved Task [0-9a-f-]{36} at version 2: \{"title":"Write the first spec","status":"open","assignee":"ada"\}\n {2}event v1 TaskCreated \{"title":"Write the first spec"\}\n {2}event v2 TaskAssigned \{"assignee":"ada"\}\nopen tasks assigned to ada: 1\n {2}Write the first spec \(created \d{4}-\d\d-\d\dT[\d:.]+Z\)\n$/,
  );
}
