import { WebSocket } from 'ws';
import type { Socket } from 'node:net';

/**
 * One message, framed once, written to many sockets.
 *
 * Why: a notification fanned out to 10,000 sockets spent ~20 µs per socket inside ws.send — encoding
 * the same string to UTF-8 and building a header for every socket, then two corked writes. Frames
 * from a server are never masked (RFC 6455 §5.1), so the bytes on the wire are identical for every
 * socket: build them once and hand the same Buffer to each socket's stream, one write each. ws runs
 * without permessage-deflate here (realtime/routes.ts), so its sender never holds a frame back and
 * a direct write cannot overtake one; its pings and closes go through the same stream, in order.
 */
export interface Frame {
  readonly text: string;
  readonly bytes: Buffer;
}

/** A single unfragmented text frame: FIN + opcode 1, unmasked, with the RFC 6455 §5.2 length forms. */
export function frameText(text: string): Frame {
  const payload = Buffer.from(text, 'utf8');
  const n = payload.length;
  const headerLength = n < 126 ? 2 : n < 65_536 ? 4 : 10;
  const bytes = Buffer.allocUnsafe(headerLength + n);
  bytes[0] = 0x81;
  if (n < 126) bytes[1] = n;
  else if (n < 65_536) {
    bytes[1] = 126;
    bytes.writeUInt16BE(n, 2);
  } else {
    bytes[1] = 127;
    bytes.writeBigUInt64BE(BigInt(n), 2);
  }
  payload.copy(bytes, headerLength);
  return { text, bytes };
}

/** Writes a framed message to an open socket; false when it is not open. */
export function writeFrame(socket: WebSocket, frame: Frame): boolean {
  if (socket.readyState !== WebSocket.OPEN) return false;
  const stream = (socket as unknown as { _socket?: Socket })._socket;
  if (stream && !stream.destroyed) stream.write(frame.bytes);
  // Should a ws release stop exposing its stream, its own send writes the same bytes, only slower.
  else socket.send(frame.text);
  return true;
}
