import { constants } from 'node:fs';
import { access, readFile, stat } from 'node:fs/promises';

/**
 * Where an export goes: a removable medium the wearer can take away. `locate` answers the folder
 * to write into, or undefined when no medium is there.
 */
export interface ExportMedium {
  locate(): Promise<string | undefined>;
}

/** The simulated device's USB stick: the folder `DIR/usb`, present while it exists (`mkdir` plugs it in). */
export class SimulatedUsbStick implements ExportMedium {
  constructor(private readonly dir: string) {}

  async locate(): Promise<string | undefined> {
    const info = await stat(this.dir).catch(() => undefined);
    return info?.isDirectory() ? this.dir : undefined;
  }
}

/**
 * A removable medium the desktop automounter (udisks) mounted under /media or /run/media: a block
 * device mounted read-write that we may write to. Several: the first by mount point.
 */
export class MountedRemovableMedium implements ExportMedium {
  constructor(
    private readonly mountsFile = '/proc/mounts',
    private readonly roots: readonly string[] = ['/media/', '/run/media/'],
  ) {}

  async locate(): Promise<string | undefined> {
    const mounts = parseMounts(await readFile(this.mountsFile, 'utf8'));
    const candidates = mounts
      .filter((m) => m.source.startsWith('/dev/') && this.roots.some((root) => m.target.startsWith(root)) && !m.options.includes('ro'))
      .map((m) => m.target)
      .sort();
    for (const target of candidates) {
      if (
        await access(target, constants.W_OK).then(
          () => true,
          () => false,
        )
      )
        return target;
    }
    return undefined;
  }
}

export interface MountEntry {
  source: string;
  target: string;
  type: string;
  options: string[];
}

/** /proc/mounts: space-separated fields, with spaces, tabs, newlines and backslashes as octal escapes. */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  return text
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([source, target, type, options]) => ({ source: unescape(source!), target: unescape(target!), type: type!, options: options!.split(',') }));
}
