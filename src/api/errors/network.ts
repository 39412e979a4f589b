/** Network provisioning: scanning, joining and managing Wi-Fi networks (a locked headset gets FORBIDDEN first). */
export const networkErrors = {
  NETWORK_SSID_INVALID: 'A network name (SSID) is 1 to 32 bytes.',
  NETWORK_PASSWORD_INVALID: 'A Wi-Fi password is 8 to 63 characters, or 64 hexadecimal digits.',
  NETWORK_PASSWORD_REQUIRED: 'This network needs a password.',
  NETWORK_WRONG_PASSWORD: 'The network refused the password.',
  NETWORK_NOT_FOUND: 'No network of that name is in reach.',
  NETWORK_VANISHED: 'The network went out of reach while joining it.',
  NETWORK_SECURITY_UNSUPPORTED: 'This network needs a kind of security the headset cannot join (enterprise or WEP).',
  NETWORK_CONNECT_FAILED: 'The headset could not join the network.',
  NETWORK_HOTSPOT_MODE: 'The headset is in hotspot mode (the hardware switch): it joins no network until switched back and restarted.',
  NETWORK_NOT_HOTSPOT: 'The headset is not in hotspot mode.',
  NETWORK_UNKNOWN_PROFILE: 'No saved network has that id.',
  NETWORK_TOOL_MISSING: 'The network service (nmcli) is not installed on this headset.',
  NETWORK_TOOL_FAILED: 'The network service (NetworkManager) failed to answer.',
} as const;
