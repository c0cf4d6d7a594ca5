/**
 * A level-triggered wake-up: `notify()` before `wait()` is not lost, so a notification that
 * arrives while a worker is busy makes its next wait return at once.
 */
export class WakeSignal {
  private pending = false;
  private waiters: (() => void)[] = [];

  notify(): void {
    this.pending = true;
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves on the next notify (or a pending one), or after `timeoutMs`. */
  wait(timeoutMs: number): Promise<void> {
    if (this.pending) {
      this.pending = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const index = this.waiters.indexOf(done);
        if (index >= 0) this.waiters.splice(index, 1);
        this.pending = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.push(done);
    });
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
