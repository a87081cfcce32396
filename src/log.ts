import { pino, type Logger, type DestinationStream } from 'pino';

export type LogFormat = 'json' | 'logfmt';
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * Keys that may hold secrets anywhere in a log object. Censored by pino before a line is written,
 * so a careless `log.info({ headers })` cannot leak a token or a signature.
 */
const REDACT = [
  'token', 'password', 'secret_key', 'security_token', 'authorization', 'signature',
  '*.token', '*.password', '*.secret_key', '*.security_token', '*.authorization', '*.signature',
  'headers["x-auth-token"]', 'headers["authorization"]', 'headers["x-security-token"]', 'headers["x-subject-token"]',
  '*.headers["x-auth-token"]', '*.headers["authorization"]', '*.headers["x-security-token"]', '*.headers["x-subject-token"]',
];

function logfmtValue(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? 'null';
  return /^[^\s"=\\]+$/.test(text) ? text : JSON.stringify(text);
}

/** Turns each pino JSON line into `key=value` pairs, as Go exporters' go-kit/slog logfmt output looks. */
export function jsonLineToLogfmt(line: string): string {
  const record = JSON.parse(line) as Record<string, unknown>;
  const { time, level, msg, ...rest } = record;
  const head = [`ts=${logfmtValue(time)}`, `level=${logfmtValue(level)}`];
  if (msg !== undefined) head.push(`msg=${logfmtValue(msg)}`);
  for (const [key, value] of Object.entries(rest)) head.push(`${key}=${logfmtValue(value)}`);
  return head.join(' ') + '\n';
}

function logfmtDestination(out: NodeJS.WritableStream): DestinationStream {
  return { write: (line: string) => void out.write(jsonLineToLogfmt(line)) };
}

export function createLogger(options: { level: LogLevel; format: LogFormat; stream?: NodeJS.WritableStream }): Logger {
  const out = options.stream ?? process.stdout;
  const destination = options.format === 'logfmt' ? logfmtDestination(out) : (out as unknown as DestinationStream);
  return pino(
    {
      level: options.level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT, censor: '[REDACTED]' },
    },
    destination,
  );
}

export type { Logger };
