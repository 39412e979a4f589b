import { readFile } from 'node:fs/promises';

export interface BuildInfo {
  version: string;
  commit: string;
  builtAt: string;
}

/** The version and commit the build stamped next to the bundled code (`dist/build-info.json`). */
export async function readBuildInfo(path: string): Promise<BuildInfo> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as BuildInfo;
  } catch {
    return { version: '0.0.0-dev', commit: 'unknown', builtAt: new Date(0).toISOString() };
  }
}
