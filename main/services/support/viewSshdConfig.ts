/**
 * The headset-side sshd that serves the read-only view (docs/support.md; native/support/
 * headset-view-sshd_config is the same text with example paths). Bound to 127.0.0.1: only the
 * tunnel reaches it. One account, keys only, chrooted, internal-sftp read-only, nothing else.
 */
export interface ViewSshdSettings {
  port: number;
  hostKey: string;
  /** The support people's public keys (readable by the support account: sshd reads it as that user). */
  authorizedKeys: string;
  user: string;
  viewDir: string;
  /** Seconds between sshd's keepalives to a connected client, and how many may go unanswered. */
  clientAliveInterval: number;
}

export function viewSshdConfig(s: ViewSshdSettings): string {
  return `# Headset Control remote support: the read-only view (written per session by headsetd)
ListenAddress 127.0.0.1:${s.port}
HostKey ${s.hostKey}
PidFile none
UsePAM no
# The session's files live in a root-only folder, not a home directory.
StrictModes no
AuthorizedKeysFile ${s.authorizedKeys}
AuthenticationMethods publickey
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
HostbasedAuthentication no
PermitRootLogin no
AllowUsers ${s.user}
ChrootDirectory ${s.viewDir}
# Read-only sftp, every request logged at INFO to the chroot's /dev/log (headsetd reads it).
ForceCommand internal-sftp -R -l INFO
Subsystem sftp internal-sftp -R -l INFO
DisableForwarding yes
AllowTcpForwarding no
AllowStreamLocalForwarding no
AllowAgentForwarding no
X11Forwarding no
PermitTunnel no
PermitTTY no
PermitUserRC no
PermitUserEnvironment no
GatewayPorts no
MaxAuthTries 3
MaxSessions 4
MaxStartups 4:50:8
LoginGraceTime 30
ClientAliveInterval ${s.clientAliveInterval}
ClientAliveCountMax 3
LogLevel INFO
`;
}
