import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger';

function capture(pretty: boolean): { text: () => string; log: ReturnType<typeof createLogger> } {
  const sink = new PassThrough();
  let text = '';
  sink.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { text: () => text, log: createLogger({ level: 'info', destination: sink, pretty }) };
}

describe('logs', () => {
  it('are JSON lines off a terminal', () => {
    const { log, text } = capture(false);
    log.info({ port: 5402 }, 'listening');
    expect(JSON.parse(text().trim())).toMatchObject({ level: 30, port: 5402, msg: 'listening' });
  });

  it('are readable lines on a terminal, redacted the same way', () => {
    const { log, text } = capture(true);
    log.info({ password: 'plum-orchard-lantern-42', port: 5402 }, 'listening');
    expect(text()).toMatch(/INFO.*listening/);
    expect(text()).toContain('port');
    expect(text()).toContain('[redacted]');
    expect(text()).not.toContain('plum-orchard-lantern-42');
    expect(() => JSON.parse(text().trim())).toThrow();
  });
});
