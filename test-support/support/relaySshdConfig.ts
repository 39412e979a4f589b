/**
 * The relay's sshd_config for tests and the benchmark: native/support/relay-sshd_config with the
 * address, port, host key and authorized_keys file filled in.
 */
export function relaySshdConfig(s: { port: number; hostKey: string; authorizedKeys: string; user: string }): string {
  return `ListenAddress 127.0.0.1:${s.port}
HostKey ${s.hostKey}
PidFile none
UsePAM no
StrictModes no
AuthorizedKeysFile ${s.authorizedKeys}
AuthenticationMethods publickey
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin no
AllowUsers ${s.user}
AllowTcpForwarding remote
AllowStreamLocalForwarding no
AllowAgentForwarding no
GatewayPorts no
X11Forwarding no
PermitTunnel no
PermitTTY no
PermitUserRC no
ClientAliveInterval 5
ClientAliveCountMax 3
LogLevel VERBOSE
`;
}
