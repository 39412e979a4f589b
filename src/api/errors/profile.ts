/** The wearer's profile: name and formats (`profile.*`). */
export const profileErrors = {
  PROFILE_WRITE_FAILED: "The wearer's profile could not be saved on the headset; it is unchanged.",
} as const;
