import { spawn } from 'node:child_process';

// Runs in its own process so it keeps reading while the test waits on nmcli: every process's
// command line, over and over, counting the secrets found and the nmcli runs seen.
const WATCHER = `
const fs = require('node:fs');
let secrets = [];
let hits = 0, seen = new Set(), scans = 0, stop = false;
process.stdin.setEncoding('utf8');
let input = '';
process.stdin.on('data', (d) => { input += d; const lines = input.split('\\n'); input = lines.pop(); for (const l of lines) { if (l === 'STOP') stop = true; else secrets.push(Buffer.from(l, 'base64').toString('utf8')); } });
function scan() {
  scans++;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(pid) || pid === String(process.pid)) continue;
    let cmd;
    try { cmd = fs.readFileSync('/proc/' + pid + '/cmdline', 'latin1'); } catch { continue; }
    const text = Buffer.from(cmd, 'latin1').toString('utf8');
    if (text.includes('nmcli')) seen.add(pid + ':' + text.split('\\0').slice(0, 6).join(' '));
    for (const s of secrets) if (text.includes(s)) hits++;
  }
}
function loop() {
  if (stop) { process.stdout.write(JSON.stringify({ hits, nmcliRuns: seen.size, scans, sample: [...seen].slice(0, 3) })); process.exit(0); }
  const until = Date.now() + 20;
  while (Date.now() < until) scan();
  setImmediate(loop);
}
loop();
`;

export interface CmdlineReport {
  /** Times a secret was found in some process's command line. */
  hits: number;
  /** Distinct nmcli processes seen (proof the watcher saw the runs it checks). */
  nmcliRuns: number;
  scans: number;
  sample: string[];
}

/** Watches every /proc/PID/cmdline until stopped; the secrets reach it on stdin, never its own argv. */
export function watchCommandLines(secrets: readonly string[]): { stop(): Promise<CmdlineReport> } {
  const child = spawn(process.execPath, ['-e', WATCHER], { stdio: ['pipe', 'pipe', 'inherit'] });
  for (const secret of secrets) child.stdin.write(`${Buffer.from(secret).toString('base64')}\n`);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<CmdlineReport>((resolve, reject) => {
    child.on('exit', () => {
      try {
        resolve(JSON.parse(out) as CmdlineReport);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
  return {
    stop: () => {
      child.stdin.end('STOP\n');
      return done;
    },
  };
}
