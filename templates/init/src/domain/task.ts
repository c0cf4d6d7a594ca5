import { TaskBase } from '../generated/task/task.base.js';

/** A business rule refused a command; nothing was raised. */
export class TaskRuleViolation extends Error {
  override readonly name = 'TaskRuleViolation';
}

/**
 * Task: your business methods live here. esgen init wrote this file and `esgen build` never
 * overwrites it; the generated part is TaskBase (../generated/task/task.base.js), rebuilt from
 * domain/task.esgen.yaml by `esgen build`.
 *
 * A business method checks its rules against `this.state`, then raises an event. State changes
 * only when events are applied (the `apply` rules in the spec).
 */
export class Task extends TaskBase {
  /** Creates the task: a new task needs a title. */
  create(title: string): void {
    if (this.version > 0) throw new TaskRuleViolation(`task ${this.id} already exists`);
    if (title.trim() === '') throw new TaskRuleViolation('a task needs a title');
    this.raise('TaskCreated', { title });
  }

  assign(assignee: string): void {
    if (this.state.status === 'done') throw new TaskRuleViolation(`task ${this.id} is done; it cannot be assigned`);
    this.raise('TaskAssigned', { assignee });
  }

  complete(): void {
    if (this.state.status === 'done') throw new TaskRuleViolation(`task ${this.id} is already done`);
    this.raise('TaskCompleted', {});
  }
}
