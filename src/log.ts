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

/** Where log lines go: a stream, or anything that takes a line (the refresh worker posts them to the main thread). */
export interface LogSink {
  write(line: string): unknown;
}

function logfmtDestination(out: LogSink): DestinationStream {
  return { write: (line: string) => void out.write(jsonLineToLogfmt(line)) };
}

/** `level` may also be pino's `silent` (tests, and a worker whose main logger is silent). */
export function createLogger(options: { level: LogLevel | 'silent'; format: LogFormat; stream?: LogSink }): Logger {
  const out = options.stream ?? process.stdout;
  const destination = options.format === 'logfmt' ? logfmtDestination(out) : (out);
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

/** The sink a logger made by createLogger writes its lines to, as they are (JSON, before any logfmt). */
export function sinkOf(log: Logger): LogSink {
  return (log as unknown as Record<symbol, LogSink>)[pino.symbols.streamSym] as LogSink;
}

export type { Logger };
