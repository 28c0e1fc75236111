import net from 'node:net';

export interface Trickled {
  afterMs: number;
  reply: string;
  dripped: number;
}

/**
 * A slow client on a raw socket: writes `head`, then one more byte of `drip` every `everyMs` until
 * the server hangs up (rejects if it is still reading after `giveUpMs`).
 */
export function trickle(port: number, head: string, drip: string, everyMs: number, giveUpMs = 8000): Promise<Trickled> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let reply = '';
    let dripped = 0;
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    const timer = setInterval(() => {
      if (dripped < drip.length && !socket.destroyed) socket.write(drip[dripped++]!);
    }, everyMs);
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server was still reading after ${giveUpMs} ms (${dripped} bytes dripped)`));
    }, giveUpMs);
    socket.on('data', (chunk) => (reply += chunk.toString('utf8')));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      clearTimeout(giveUp);
      resolve({ afterMs: Date.now() - started, reply, dripped });
    });
  });
}
