/**
 * A port carries protocol messages (JSON text) in both directions. Every transport (Electron IPC,
 * WebSocket, Unix socket, in-memory) is adapted to this shape, so the router and the client never
 * know which one they talk over.
 */
export interface Port {
  post(message: string): void;
  onMessage(handler: (message: string) => void): void;
  onClose(handler: () => void): void;
  close(): void;
}
