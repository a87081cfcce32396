/** Why a refresh was aborted when the exporter stops: an ordinary end, logged as such and not as an error. */
export class ShutdownError extends Error {
  override name = 'ShutdownError';
  constructor() {
    super('the exporter is shutting down');
  }
}

export function isShutdown(reason: unknown): boolean {
  return reason instanceof ShutdownError;
}
