import cron from 'node-cron';

/**
 * The longest gap between two consecutive runs of a cron schedule, sampled over its next runs. This is the
 * longest a healthy exporter can go without a refresh, so staleness is measured in multiples of it.
 */
export function longestGapMs(expression: string, samples = 400): number {
  const task = cron.createTask(expression, () => undefined);
  try {
    const runs = task.getNextRuns(samples);
    let longest = 0;
    for (let i = 1; i < runs.length; i++) {
      longest = Math.max(longest, (runs[i] as Date).getTime() - (runs[i - 1] as Date).getTime());
    }
    return longest;
  } finally {
    void task.destroy();
  }
}
