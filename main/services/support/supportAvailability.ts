import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';

/**
 * What is missing for a support session here, in words (empty: nothing). sshd must run as root to
 * chroot the view, and the support account must exist with a `*` password: OpenSSH refuses a
 * locked (`!`) account even for keys.
 */
export async function missingForSupport(options: { account: string; sshPath: string; sshdPath: string }): Promise<string[]> {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push('headsetd running as root (sshd chroots the view)');
  for (const [name, path] of [
    ['the OpenSSH client', options.sshPath],
    ['the OpenSSH server', options.sshdPath],
  ] as const) {
    if (
      !(await access(path, constants.X_OK).then(
        () => true,
        () => false,
      ))
    )
      missing.push(`${name} (${path})`);
  }
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  if (!passwd.split('\n').some((line) => line.startsWith(`${options.account}:`))) {
    missing.push(`the ${options.account} account (native/support/headset-support.sysusers)`);
  } else {
    const shadow = await readFile('/etc/shadow', 'utf8').catch(() => '');
    const entry = shadow.split('\n').find((line) => line.startsWith(`${options.account}:`));
    if (entry?.split(':')[1]?.startsWith('!')) missing.push(`an unlocked ${options.account} account (password "*", not "!")`);
  }
  return missing;
}
