/**
 * Task's business rules as given/when/then scenarios: the past as events, a command, the events it
 * raises (or the error it throws). In memory, no database; payloads are typed by the generated
 * TaskEvents and checked by the generated validators. Run with `npm test` (Node's test runner).
 */
import { describe, it } from 'node:test';
import { given } from 'esgen/testing';
import { Task, TaskRuleViolation } from '../src/domain/task.js';
import { openTasksReadModel } from '../src/generated/index.js';

describe('Task', () => {
  it('is created with a title', () => {
    given(Task)
      .when((task) => task.create('Write the first spec'))
      .then([{ type: 'TaskCreated', data: { title: 'Write the first spec' } }]);
  });

  it('cannot be assigned once it is done', () => {
    given(Task, [
      { type: 'TaskCreated', data: { title: 'Write the first spec' } },
      { type: 'TaskCompleted', data: {} },
    ])
      .when((task) => task.assign('ada'))
      .thenThrows(TaskRuleViolation, 'cannot be assigned');
  });
});

describe('OpenTasks', () => {
  it('shows an assigned task until it is completed', () => {
    const created = { type: 'TaskCreated', data: { title: 'Write the first spec' }, aggregateId: 'task-1' };
    const assigned = { type: 'TaskAssigned', data: { assignee: 'ada' }, aggregateId: 'task-1' };
    given(openTasksReadModel, [created, assigned]).thenRow('task-1', { title: 'Write the first spec', assignee: 'ada' });
    given(openTasksReadModel, [created, assigned, { type: 'TaskCompleted', data: {}, aggregateId: 'task-1' }]).thenRow('task-1', undefined);
  });
});
