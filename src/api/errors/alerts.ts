/** Alerts: putting one away. */
export const alertsErrors = {
  ALERT_NOT_DISMISSIBLE:
    'This alert cannot be dismissed: it is about the headset itself (heat, battery, storage, crashes) and goes when its cause does.',
} as const;
