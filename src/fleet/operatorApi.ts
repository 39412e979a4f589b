import { z } from 'zod';
import { deviceIdSchema } from './deviceApi.js';
import { groupTagSchema, inventorySchema } from './inventory.js';

/**
 * The fleet server's API for operators (the dashboard). Sessions are HttpOnly cookies; every
 * state-changing request carries the session's CSRF token in `x-csrf-token`.
 */

export const OPERATOR_API = {
  session: '/api/v1/session',
  login: '/api/v1/session/login',
  logout: '/api/v1/session/logout',
  password: '/api/v1/session/password',
  operators: '/api/v1/operators',
  operator: (username: string) => `/api/v1/operators/${encodeURIComponent(username)}`,
  devices: '/api/v1/devices',
  device: (deviceId: string) => `/api/v1/devices/${encodeURIComponent(deviceId)}`,
  decision: (deviceId: string, decision: DeviceDecision) => `/api/v1/devices/${encodeURIComponent(deviceId)}/${decision}`,
  preauthorizations: '/api/v1/preauthorizations',
  preauthorization: (deviceId: string) => `/api/v1/preauthorizations/${encodeURIComponent(deviceId)}`,
  audit: '/api/v1/audit',
  reregistrationPolicy: '/api/v1/settings/reregistration-policy',
} as const;

export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_COOKIE = 'hc_fleet_session';

/** admin: everything; support: decides on headsets; viewer: reads. */
export const OPERATOR_ROLES = ['admin', 'support', 'viewer'] as const;
export const operatorRoleSchema = z.enum(OPERATOR_ROLES);
export type OperatorRole = z.infer<typeof operatorRoleSchema>;

export const usernameSchema = z.string().regex(/^[a-z][a-z0-9._-]{1,31}$/, 'lower-case letters, digits and . _ -, 2 to 32, starting with a letter');
/** Bounded so that hashing cannot be made expensive by a huge password. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export const loginRequestSchema = z.object({ username: z.string().max(64), password: z.string().max(PASSWORD_MAX_LENGTH) }).strict();
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const operatorSchema = z.object({
  username: usernameSchema,
  role: operatorRoleSchema,
  /** Set for a one-time password: nothing but changing it is allowed until then. */
  mustChangePassword: z.boolean(),
});
export type Operator = z.infer<typeof operatorSchema>;

export const sessionSchema = z.object({ operator: operatorSchema, csrfToken: z.string() });
export type Session = z.infer<typeof sessionSchema>;

export const changePasswordRequestSchema = z
  .object({ currentPassword: z.string().max(PASSWORD_MAX_LENGTH), newPassword: z.string().max(PASSWORD_MAX_LENGTH) })
  .strict();
export type ChangePasswordRequest = z.infer<typeof changePasswordRequestSchema>;

export const createOperatorRequestSchema = z.object({ username: usernameSchema, role: operatorRoleSchema }).strict();
export const createdOperatorSchema = operatorSchema.extend({ oneTimePassword: z.string() });
export type CreatedOperator = z.infer<typeof createdOperatorSchema>;

/** An operator as admins see them in the list. */
export const operatorAccountSchema = operatorSchema.extend({
  /** A disabled operator cannot log in and has no session; their name stays in the audit log. */
  disabled: z.boolean(),
  createdAt: z.string(),
});
export type OperatorAccount = z.infer<typeof operatorAccountSchema>;
export const operatorListSchema = z.object({ operators: z.array(operatorAccountSchema) });
/** An admin changes an operator's role, or disables or enables them (at least one of the two). */
export const operatorUpdateRequestSchema = z
  .object({ role: operatorRoleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((body) => body.role !== undefined || body.disabled !== undefined, 'role or disabled');
export type OperatorUpdateRequest = z.infer<typeof operatorUpdateRequestSchema>;

/** The audit log, newest first, a page at a time: `before` is the previous page's `nextBefore`. */
export const AUDIT_PAGE_MAX = 200;
export const auditQuerySchema = z
  .object({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(AUDIT_PAGE_MAX).default(50) })
  .strict();
export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  details: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export const auditPageSchema = z.object({ entries: z.array(auditEntrySchema), nextBefore: z.number().int().nullable() });
export type AuditPage = z.infer<typeof auditPageSchema>;

export const DEVICE_STATUSES = ['pending', 'accepted', 'rejected', 'decommissioned'] as const;
export const deviceStatusSchema = z.enum(DEVICE_STATUSES);
export type DeviceStatus = z.infer<typeof deviceStatusSchema>;

export const DEVICE_DECISIONS = ['accept', 'reject', 'decommission'] as const;
export type DeviceDecision = (typeof DEVICE_DECISIONS)[number];

export const deviceSummarySchema = z.object({
  deviceId: deviceIdSchema,
  status: deviceStatusSchema,
  model: z.string().nullable(),
  appVersion: z.string().nullable(),
  groupTags: z.array(groupTagSchema),
  registeredAt: z.string(),
  lastSeenAt: z.string().nullable(),
  /** The device id came back with a new key at least once (after a factory reset). */
  reregistered: z.boolean(),
  /** An accepted headset registered a new key that waits for an operator (its current key keeps working). */
  keyAwaitingApproval: z.boolean(),
});
export type DeviceSummary = z.infer<typeof deviceSummarySchema>;

export const deviceListQuerySchema = z.object({ status: deviceStatusSchema.optional() }).strict();
export const deviceListSchema = z.object({ devices: z.array(deviceSummarySchema) });
export type DeviceList = z.infer<typeof deviceListSchema>;

export const deviceDetailSchema = deviceSummarySchema.extend({
  publicKey: z.string(),
  /** The new key waiting for approval, if any: accepting the headset switches to it, rejecting drops it. */
  pendingPublicKey: z.string().nullable(),
  statusChangedAt: z.string(),
  statusChangedBy: z.string().nullable(),
  inventory: inventorySchema.nullable(),
  inventoryAt: z.string().nullable(),
  /** Keys this device id registered before the current one, newest first. */
  previousKeys: z.array(z.object({ publicKey: z.string(), registeredAt: z.string(), replacedAt: z.string() })),
});
export type DeviceDetail = z.infer<typeof deviceDetailSchema>;

export const preauthorizationRequestSchema = z.object({ deviceId: deviceIdSchema }).strict();
export const preauthorizationListSchema = z.object({
  preauthorizations: z.array(z.object({ deviceId: deviceIdSchema, createdBy: z.string(), createdAt: z.string() })),
});

/** What happens when a known device id registers a new key: an operator approves it, or it is accepted. */
export const REREGISTRATION_POLICIES = ['approve', 'accept'] as const;
export const reregistrationPolicySchema = z.object({ policy: z.enum(REREGISTRATION_POLICIES) }).strict();
export type ReregistrationPolicy = (typeof REREGISTRATION_POLICIES)[number];
