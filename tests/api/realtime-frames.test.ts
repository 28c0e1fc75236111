import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { frameText } from '../../server/realtime/frames.ts';

// ws's own parser is the referee: a frame it reads back whole, as text, is a frame any client reads.
const { Receiver } = createRequire(import.meta.url)('ws') as {
  Receiver: new (options: { isServer: boolean }) => NodeJS.WritableStream & {
    on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): void;
    on(event: 'error', listener: (err: Error) => void): void;
  };
};

function readBack(bytes: Buffer): Promise<{ text: string; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const receiver = new Receiver({ isServer: false });
    receiver.on('message', (data, isBinary) => resolve({ text: data.toString('utf8'), isBinary }));
    receiver.on('error', reject);
    receiver.write(bytes);
  });
}

describe('frames written once for many sockets', () => {
  // Each length form of RFC 6455 §5.2, at and around its edges, and multi-byte characters.
  for (const length of [0, 1, 125, 126, 127, 65_535, 65_536, 70_000]) {
    it(`a ${length}-byte text message reads back intact`, async () => {
      const text = 'x'.repeat(length);
      const frame = frameText(text);
      expect(await readBack(frame.bytes)).toEqual({ text, isBinary: false });
    });
  }

  it('counts bytes, not characters', async () => {
    const text = JSON.stringify({ type: 'notification', title: 'Niños — “protocolo” 🚨'.repeat(10) });
    const frame = frameText(text);
    expect(frame.bytes.length).toBeGreaterThan(text.length);
    expect(await readBack(frame.bytes)).toEqual({ text, isBinary: false });
  });
});
