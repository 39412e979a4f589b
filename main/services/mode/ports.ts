/** The physical recovery button (a GPIO line). */
export interface RecoveryButton {
  isHeld(): Promise<boolean>;
}
