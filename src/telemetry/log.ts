// Structured JSON log lines on stderr: one object per event, with a stable `event` name.
export type Level = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

// user:password@ in any URL of any field (a ClickHouse URL in an error message, say) never reaches a log line.
const USER_INFO = /([a-z][a-z0-9+.-]*:\/\/)[^/\s"@]+@/gi;

/** `text` with the user-info of every URL in it replaced by "***". */
export function redactUrls(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}

export function jsonLogger(minLevel: Level = 'info', base: Record<string, unknown> = {}, write = (line: string) => process.stderr.write(line)): Logger {
  return {
    log(level, event, fields = {}) {
      if (ORDER[level] < ORDER[minLevel]) return;
      write(`${redactUrls(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...fields }))}\n`);
    },
    child(fields) {
      return jsonLogger(minLevel, { ...base, ...fields }, write);
    },
  };
}

export const silentLogger: Logger = { log() {}, child: () => silentLogger };
