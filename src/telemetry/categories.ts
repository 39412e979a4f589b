/**
 * The categories of the privacy policy (docs/privacy.md). `essential` is the only one on without a
 * choice: what is needed to deliver safe updates, and nothing personal. Every other category is off
 * until the wearer turns it on.
 */
export const TELEMETRY_CATEGORIES = ['essential', 'performance', 'hardware', 'usage', 'errors', 'location'] as const;
export type TelemetryCategoryId = (typeof TELEMETRY_CATEGORIES)[number];

export interface CategoryInfo {
  title: string;
  /** In plain words, for the Privacy screen and the setup step. */
  description: string;
  /** Always on: the policy marks it necessary and it holds no personal data. */
  essential: boolean;
}

export const CATEGORY_INFO: Record<TelemetryCategoryId, CategoryInfo> = {
  essential: {
    title: 'Essential update information',
    description:
      'Which system version is installed and whether updates and rollbacks worked. Needed to deliver safe updates; holds nothing about you. Always on.',
    essential: true,
  },
  performance: {
    title: 'Performance',
    description: 'How busy the processor is and how full the memory and storage are, so slow releases are found and fixed.',
    essential: false,
  },
  hardware: {
    title: 'Hardware health',
    description: 'Temperature, battery level and how long the GPS takes to find its position, so failing parts are found early.',
    essential: false,
  },
  usage: {
    title: 'Usage',
    description: 'Which screens and features are used, counted by the hour and never with what you typed.',
    essential: false,
  },
  errors: {
    title: 'Errors and crashes',
    description: "Warnings, errors and crash reports from the headset's software, with personal details removed.",
    essential: false,
  },
  location: {
    title: 'Approximate location',
    description: 'Where the headset is, rounded to about 5 km or to a known track. Never the precise position.',
    essential: false,
  },
};

export const OPTIONAL_CATEGORIES = TELEMETRY_CATEGORIES.filter((c) => !CATEGORY_INFO[c].essential);

export function isTelemetryCategory(value: unknown): value is TelemetryCategoryId {
  return typeof value === 'string' && (TELEMETRY_CATEGORIES as readonly string[]).includes(value);
}
