/**
 * Reads a stream as fast as it produces, up to `ahead` bytes before its consumer: `onChunk` sees
 * every chunk as it arrives (hashing then overlaps the consumer's writes), and the consumer gets
 * what arrived meanwhile as one batch of chunks per turn, not one turn per 64 KiB pipe read.
 */
export async function* readAhead(
  stream: NodeJS.ReadableStream & { destroy(error?: Error): void },
  ahead: number,
  onChunk: (chunk: Buffer) => void,
): AsyncGenerator<Buffer, void, undefined> {
  let queue: Buffer[] = [];
  let queued = 0;
  let ended = false;
  let failure: unknown;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const onData = (chunk: Buffer) => {
    try {
      onChunk(chunk);
    } catch (error) {
      failure ??= error;
      stream.destroy();
      notify();
      return;
    }
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= ahead) stream.pause();
    notify();
  };
  const onEnd = () => {
    ended = true;
    notify();
  };
  const onError = (error: unknown) => {
    failure ??= error;
    notify();
  };
  stream.on('data', onData);
  stream.once('end', onEnd);
  stream.once('close', onEnd);
  stream.once('error', onError);
  try {
    for (;;) {
      if (failure !== undefined) throw failure;
      if (queue.length > 0) {
        const batch = queue;
        queue = [];
        queued = 0;
        stream.resume();
        for (const chunk of batch) yield chunk;
        continue;
      }
      if (ended) return;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off('data', onData);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
  }
}
