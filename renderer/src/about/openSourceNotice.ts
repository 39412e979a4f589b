/** One shipped package's notice, as scripts/openSourceNotices.ts makes it at build time. */
export interface OpenSourceNotice {
  name: string;
  version: string;
  license: string;
  text: string | null;
}
