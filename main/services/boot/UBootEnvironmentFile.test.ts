import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { UBootEnvFormatError, encodeRedundantUBootEnv } from '../../../src/boot/ubootEnvCodec.js';
import { SimulatedPageCache } from '../device/SimulatedPageCache.js';
import { useFileSync } from '../storage/fileSync.js';
import { UBootEnvironmentFile, formatFwEnvConfig, parseFwEnvConfig, type UBootEnvCopyLocation, type UBootEnvLayout } from './UBootEnvironmentFile.js';

// libubootenv's fw_printenv/fw_setenv are the independent peers: they must read what we write, and
// we what they write, for one copy and for redundant copies (two files, or two offsets of one file).
const dir = mkdtempSync(join(tmpdir(), 'ubootenv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_SIZE = 0x4000;
type Kind = 'single' | 'two-files' | 'one-file';
let serial = 0;

function layoutOf(kind: Kind): { layout: UBootEnvLayout; config: string } {
  const base = join(dir, `env${serial++}`);
  const copies: UBootEnvLayout['copies'] =
    kind === 'single'
      ? [{ path: `${base}.bin`, offset: 0 }]
      : kind === 'two-files'
        ? [
            { path: `${base}.a`, offset: 0 },
            { path: `${base}.b`, offset: 0 },
          ]
        : [
            { path: `${base}.img`, offset: 0x1000 },
            { path: `${base}.img`, offset: 0x1000 + ENV_SIZE },
          ];
  const layout = { envSize: ENV_SIZE, copies };
  const config = `${base}.config`;
  writeFileSync(config, formatFwEnvConfig(layout));
  return { layout, config };
}

function printenv(config: string): Map<string, string> {
  const out = execFileSync('fw_printenv', ['-c', config], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return new Map(
    out
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

/** fw_setenv with a script of name=value lines (0.3.2 skips a line without '='). */
function setenv(config: string, lines: string[], defaults?: string): void {
  const script = `${config}.script`;
  writeFileSync(script, `${lines.join('\n')}\n`);
  execFileSync('fw_setenv', ['-c', config, ...(defaults ? ['-f', defaults] : []), '-s', script], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function unsetenv(config: string, name: string): void {
  execFileSync('fw_setenv', ['-c', config, name], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function copyBytes(copy: UBootEnvCopyLocation): Buffer {
  return readFileSync(copy.path).subarray(copy.offset, copy.offset + ENV_SIZE);
}

const flagOf = (copy: UBootEnvCopyLocation) => copyBytes(copy)[4];

const boot = new Map([
  ['ORDER', 'B A'],
  ['A_OK', '1'],
  ['A_LEFT', '3'],
  ['B_OK', '1'],
  ['B_LEFT', '2'],
  ['bootargs', 'console=ttyS0,115200 quiet'],
  ['EMPTY', ''],
]);

describe('UBootEnvironmentFile against fw_printenv / fw_setenv (libubootenv)', () => {
  for (const kind of ['single', 'two-files', 'one-file'] as const) {
    it(`${kind}: fw_printenv lists exactly what we wrote, and we read what fw_setenv wrote`, async () => {
      const { layout, config } = layoutOf(kind);
      const store = new UBootEnvironmentFile(layout);
      expect(await store.read()).toEqual(new Map());
      await store.write(boot);
      if (kind === 'single') expect(statSync(layout.copies[0].path).size).toBe(ENV_SIZE);
      expect(printenv(config)).toEqual(boot);
      expect(await store.read()).toEqual(boot);

      setenv(config, ['A_LEFT=2', 'NEW=a value=with equals']);
      unsetenv(config, 'ORDER');
      const expected = new Map(boot).set('A_LEFT', '2').set('NEW', 'a value=with equals');
      expected.delete('ORDER');
      expect(printenv(config)).toEqual(expected);
      expect(await store.read()).toEqual(expected);
    });
  }

  it('reads an environment fw_setenv created from scratch on erased copies', async () => {
    const { layout, config } = layoutOf('two-files');
    for (const copy of layout.copies) writeFileSync(copy.path, Buffer.alloc(ENV_SIZE, 0xff));
    const defaults = join(dir, 'defaults.txt');
    writeFileSync(defaults, 'ORDER=A B\nA_OK=1\n');
    setenv(config, ['A_LEFT=3'], defaults);
    // Both copies invalid: libubootenv saves to copy 1 with copy 0's flag byte (0xFF) plus one.
    expect(flagOf(layout.copies[1]!)).toBe(0);
    expect(await new UBootEnvironmentFile(layout).read()).toEqual(
      new Map([
        ['ORDER', 'A B'],
        ['A_OK', '1'],
        ['A_LEFT', '3'],
      ]),
    );
  });

  it("follows fw_setenv's flag from 254 through the wrap to 0 and on", async () => {
    const { layout, config } = layoutOf('two-files');
    const [c0, c1] = layout.copies as [UBootEnvCopyLocation, UBootEnvCopyLocation];
    writeFileSync(c0.path, encodeRedundantUBootEnv(new Map([['n', 'start']]), ENV_SIZE, 254));
    writeFileSync(c1.path, encodeRedundantUBootEnv(new Map([['n', 'older']]), ENV_SIZE, 253));
    const store = new UBootEnvironmentFile(layout);
    expect(await store.read()).toEqual(new Map([['n', 'start']]));
    const expectedFlags = [
      [254, 255],
      [0, 255],
      [0, 1],
      [2, 1],
      [2, 3],
    ];
    for (let i = 0; i < expectedFlags.length; i++) {
      setenv(config, [`n=${i}`]);
      expect([flagOf(c0), flagOf(c1)]).toEqual(expectedFlags[i]);
      expect(printenv(config)).toEqual(new Map([['n', String(i)]]));
      expect(await store.read()).toEqual(new Map([['n', String(i)]]));
    }
  });

  it('our saves advance the flag through 255 -> 0 as fw_setenv does, and fw_printenv follows', async () => {
    const { layout, config } = layoutOf('one-file');
    const [c0, c1] = layout.copies as [UBootEnvCopyLocation, UBootEnvCopyLocation];
    const store = new UBootEnvironmentFile(layout);
    await store.write(new Map([['n', 'first']]));
    // First save on nothing: copy 1 gets flag 0 (copy 0 counts as erased), copy 0 is left erased.
    expect([flagOf(c0), flagOf(c1)]).toEqual([0xff, 0]);
    const image = readFileSync(c0.path);
    image.set(encodeRedundantUBootEnv(new Map([['n', 'start']]), ENV_SIZE, 254), c0.offset);
    image.set(encodeRedundantUBootEnv(new Map([['n', 'older']]), ENV_SIZE, 253), c1.offset);
    writeFileSync(c0.path, image);
    const expectedFlags = [
      [254, 255],
      [0, 255],
      [0, 1],
    ];
    for (let i = 0; i < expectedFlags.length; i++) {
      await store.write(new Map([['n', String(i)]]));
      expect([flagOf(c0), flagOf(c1)]).toEqual(expectedFlags[i]);
      expect(printenv(config)).toEqual(new Map([['n', String(i)]]));
    }
  });

  it('corrupting the newer copy makes fw_printenv and us return the older values', async () => {
    for (const kind of ['two-files', 'one-file'] as const) {
      const { layout, config } = layoutOf(kind);
      const store = new UBootEnvironmentFile(layout);
      await store.write(new Map([['v', 'old']]));
      await store.write(new Map([['v', 'new']]));
      expect(printenv(config)).toEqual(new Map([['v', 'new']]));
      const newer = layout.copies.find((copy) => copyBytes(copy).toString('latin1').includes('v=new'))!;
      const file = readFileSync(newer.path);
      file[newer.offset + 7]! ^= 0x01;
      writeFileSync(newer.path, file);
      expect(printenv(config)).toEqual(new Map([['v', 'old']]));
      expect(await store.read()).toEqual(new Map([['v', 'old']]));
    }
  });

  it('our write after fw_setenv goes to the older copy and leaves the one in force untouched', async () => {
    const { layout, config } = layoutOf('two-files');
    const store = new UBootEnvironmentFile(layout);
    await store.write(boot);
    await store.write(boot);
    setenv(config, ['B_LEFT=1']);
    const inForce = layout.copies.find((copy) => copyBytes(copy).toString('latin1').includes('B_LEFT=1'))!;
    const older = layout.copies.find((copy) => copy !== inForce)!;
    const before = copyBytes(inForce);
    await store.write(new Map(boot).set('B_LEFT', '0'));
    expect(copyBytes(inForce)).toEqual(before);
    expect(flagOf(older)).toBe((before[4]! + 1) & 0xff);
    expect(printenv(config)).toEqual(new Map(boot).set('B_LEFT', '0'));
  });

  it('agrees with fw_printenv / fw_setenv on random variable sets', async () => {
    const layouts = { single: layoutOf('single'), 'two-files': layoutOf('two-files'), 'one-file': layoutOf('one-file') };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<Kind>('single', 'two-files', 'one-file'),
        fc.uniqueArray(fc.tuple(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.]{0,10}$/), fc.stringMatching(/^[ -~]{0,20}$/)), {
          selector: ([n]) => n,
          maxLength: 10,
        }),
        async (kind, entries) => {
          const { layout, config } = layouts[kind];
          const variables = new Map(entries.filter(([n]) => n !== 'TOUCHED'));
          const store = new UBootEnvironmentFile(layout);
          await store.write(variables);
          expect(printenv(config)).toEqual(variables);
          setenv(config, ['TOUCHED=yes']);
          const theirs = printenv(config);
          expect(theirs).toEqual(new Map([...variables, ['TOUCHED', 'yes']]));
          expect(await store.read()).toEqual(theirs);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('refuses a corrupt single copy, and two corrupt copies', async () => {
    const single = layoutOf('single').layout;
    await new UBootEnvironmentFile(single).write(boot);
    const file = readFileSync(single.copies[0].path);
    file[10]! ^= 0xff;
    writeFileSync(single.copies[0].path, file);
    await expect(new UBootEnvironmentFile(single).read()).rejects.toThrow(UBootEnvFormatError);

    const { layout } = layoutOf('two-files');
    for (const copy of layout.copies) writeFileSync(copy.path, Buffer.alloc(ENV_SIZE, 0x55));
    await expect(new UBootEnvironmentFile(layout).read()).rejects.toThrow(UBootEnvFormatError);
  });
});

/** A store whose next in-place write is cut by a power failure after `bytes` bytes. */
class PowerCutStore extends UBootEnvironmentFile {
  cut: { bytes: number; then: 'stop' | 'truncate' | 'garble' } | undefined;
  written: UBootEnvCopyLocation | undefined;

  protected override async writeInPlace(copy: UBootEnvCopyLocation, block: Uint8Array): Promise<void> {
    const cut = this.cut;
    if (!cut) return super.writeInPlace(copy, block);
    this.cut = undefined;
    this.written = copy;
    // garble: the flash controller wrote the rest of the sector with junk before power went away.
    const torn = cut.then === 'garble' ? Uint8Array.from(block, (b, i) => (i < cut.bytes ? b : (i * 131 + 7) & 0xff)) : block.subarray(0, cut.bytes);
    await super.writeInPlace(copy, torn);
    if (cut.then === 'truncate') await truncate(copy.path, copy.offset + cut.bytes);
    throw new Error('power cut');
  }
}

describe('power cuts during a redundant save', () => {
  const previous = new Map([
    ['ORDER', 'A B'],
    ['A_OK', '1'],
    ['A_LEFT', '3'],
    ['NOTE', 'x'.repeat(200)],
  ]);
  const next = new Map([
    ['ORDER', 'B A'],
    ['A_OK', '1'],
    ['A_LEFT', '3'],
    ['B_OK', '1'],
    ['B_LEFT', '3'],
    ['NOTE', 'y'.repeat(200)],
  ]);

  for (const cut of [
    { name: 'only the new CRC and flag written', bytes: 5, then: 'stop' },
    { name: 'the entries cut off mid-way', bytes: 120, then: 'stop' },
    { name: 'the rest of the block garbled', bytes: 120, then: 'garble' },
    { name: 'the file truncated mid-write', bytes: 120, then: 'truncate' },
  ] as const) {
    it(`${cut.name}: the previous complete environment is read`, async () => {
      const { layout, config } = layoutOf('two-files');
      const store = new PowerCutStore(layout);
      await store.write(new Map([['ORDER', 'A B']]));
      await store.write(previous);
      const inForce = layout.copies.find((copy) => copyBytes(copy).toString('latin1').includes('NOTE=x'))!;
      const before = copyBytes(inForce);

      store.cut = cut;
      await expect(store.write(next)).rejects.toThrow('power cut');
      expect(store.written).not.toBe(inForce);
      expect(copyBytes(inForce)).toEqual(before);
      expect(await new UBootEnvironmentFile(layout).read()).toEqual(previous);
      // libubootenv refuses a copy it cannot read in full (U-Boot reads a fixed-size region and sees a bad CRC).
      if (cut.then !== 'truncate') expect(printenv(config)).toEqual(previous);

      // The next save goes to the same damaged copy and completes; the one in force is still untouched.
      await store.write(next);
      expect(printenv(config)).toEqual(next);
      expect(copyBytes(inForce)).toEqual(before);
    });
  }
});

describe('fw_env.config', () => {
  it('round-trips our layouts', () => {
    for (const kind of ['single', 'two-files', 'one-file'] as const) {
      const { layout, config } = layoutOf(kind);
      expect(parseFwEnvConfig(readFileSync(config, 'utf8'))).toEqual(layout);
    }
  });

  it('reads a hand-written config as libubootenv does', () => {
    const text = [
      '# Block device example',
      '/dev/mmcblk0      0x3F0000      0x10000  0x10000 1',
      '/dev/mmcblk0      4194304       10000',
      '/dev/mmcblk0      0             10000',
      '',
    ].join('\n');
    // Only the first two device lines count; the size is always hex, with or without 0x.
    expect(parseFwEnvConfig(text)).toEqual({
      envSize: 0x10000,
      copies: [
        { path: '/dev/mmcblk0', offset: 0x3f0000 },
        { path: '/dev/mmcblk0', offset: 4194304 },
      ],
    });
    expect(parseFwEnvConfig('/boot/uboot.env 010 0x4000\n')).toEqual({ envSize: 0x4000, copies: [{ path: '/boot/uboot.env', offset: 8 }] });
    expect(() => parseFwEnvConfig('/dev/mtd0 0 0x4000\n')).toThrow(/MTD/);
    expect(() => parseFwEnvConfig('/dev/mmcblk0 -0x4000 0x4000\n')).toThrow(/end of a device/);
    expect(() => parseFwEnvConfig('/a 0 0x4000\n/b 0 0x2000\n')).toThrow(/differ/);
    expect(() => parseFwEnvConfig('/a 0 0x4000\n/a 0x2000 0x4000\n')).toThrow(/overlap/);
    expect(() => parseFwEnvConfig('# nothing\n')).toThrow(/no environment/);
  });
});

describe('fsync through the one FileSync', () => {
  it('a save survives a power cut that loses every unsynced page (the simulated page cache sees its fsyncs)', async () => {
    const root = mkdtempSync(join(dir, 'page-cache-'));
    const layout: UBootEnvLayout = {
      envSize: ENV_SIZE,
      copies: [
        { path: join(root, 'env.a'), offset: 0 },
        { path: join(root, 'env.b'), offset: 0 },
      ],
    };
    const cache = await SimulatedPageCache.attach(root);
    const restore = useFileSync(cache);
    try {
      const saved = new Map([
        ['ORDER', 'B A'],
        ['B_LEFT', '3'],
      ]);
      await new UBootEnvironmentFile(layout).write(new Map([['ORDER', 'A B']]));
      await new UBootEnvironmentFile(layout).write(saved);
      // An fsync the cache did not see would be lost here: the copies would be gone or stale.
      await cache.cut('revert');
      expect(await new UBootEnvironmentFile(layout).read()).toEqual(saved);
    } finally {
      restore();
    }
  });
});
