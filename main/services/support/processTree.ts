import { readdir, readFile } from 'node:fs/promises';

/**
 * Ends a process and everything it started. sshd's per-connection children call setsid(), so a
 * process group does not reach them; their parent links in /proc do.
 */
export async function killProcessTree(pid: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  const children = await childrenOf();
  const tree: number[] = [];
  const walk = (p: number) => {
    tree.push(p);
    for (const child of children.get(p) ?? []) walk(child);
  };
  walk(pid);
  // Children first, so none is re-parented to init before it is reached.
  for (const p of tree.reverse()) {
    try {
      process.kill(p, signal);
    } catch {
      // already gone
    }
  }
}

async function childrenOf(): Promise<Map<number, number[]>> {
  const map = new Map<number, number[]>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The name (field 2) may hold spaces and parentheses: the fields after its last ')' are plain.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = map.get(ppid) ?? [];
    list.push(Number(entry));
    map.set(ppid, list);
  }
  return map;
}

/** The command line of a process (NULs as spaces), or '' when it is gone. */
export async function commandLineOf(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ');
}
