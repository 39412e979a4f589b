import { OPERATOR_API, deviceDetailSchema, type DeviceDecision, type OperatorRole } from '../../../src/fleet/operatorApi.js';
import { api } from './api.js';

/** Viewers read; support and admins decide on headsets (the server checks again). */
export const mayDecide = (role: OperatorRole) => role !== 'viewer';

export const decide = (deviceId: string, decision: DeviceDecision) => api('POST', OPERATOR_API.decision(deviceId, decision), deviceDetailSchema, {});
