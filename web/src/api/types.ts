// Short names for the generated OpenAPI types (schema.d.ts is generated from docs/openapi.yaml
// on every build, so a renamed or retyped field breaks the build here, not in the browser).
import type { components } from './schema';

type S = components['schemas'];
export type Problem = S['Problem'];
export type FieldError = S['FieldError'];
export type User = S['User'];
export type Role = S['Role'];
export type UserCreate = S['UserCreate'];
export type UserPatch = S['UserPatch'];
export type Team = S['Team'];
export type TeamCreate = S['TeamCreate'];
export type TeamPatch = S['TeamPatch'];
export type ApiKey = S['ApiKey'];
export type ApiKeyCreated = S['ApiKeyCreated'];
export type ApiKeyCreate = S['ApiKeyCreate'];
export type Category = S['Category'];
export type CategoryCreate = S['CategoryCreate'];
export type CustomFieldDef = S['CustomFieldDef'];
export type CustomFieldDefCreate = S['CustomFieldDefCreate'];
export type Customer = S['Customer'];
export type CustomerPatch = S['CustomerPatch'];
export type CustomerInput = S['CustomerInput'];
export type CustomerSort = S['CustomerSort'];
export type LifecycleStage = S['LifecycleStage'];
export type RelationshipLevel = S['RelationshipLevel'];
export type Consent = S['Consent'];
export type ConsentChannel = S['ConsentChannel'];
export type Contact = S['Contact'];
export type ContactInput = S['ContactInput'];
export type ContactPatch = S['ContactPatch'];
export type ContactRole = S['ContactRole'];
export type Duplicate = S['Duplicate'];
export type AuditEntry = S['AuditEntry'];
export type SavedView = S['SavedView'];
export type SavedViewQuery = S['SavedViewQuery'];
export type SavedViewCreate = S['SavedViewCreate'];
export type LoginResponse = S['LoginResponse'];
export type BulkUpdateRequest = S['BulkUpdateRequest'];
export type BulkUpdateResult = S['BulkUpdateResult'];
export type ImportReport = S['ImportReport'];
export type ImportJob = S['ImportJob'];
export type ImportRowError = ImportReport['errors'][number];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export const ROLES: Role[] = ['admin', 'manager', 'sales', 'service', 'marketing'];
export const LIFECYCLE_STAGES: LifecycleStage[] = ['prospect', 'active', 'at_risk', 'lost', 'won_back'];
export const RELATIONSHIP_LEVELS: RelationshipLevel[] = [
  'basic',
  'reactive',
  'accountable',
  'proactive',
  'partnership',
];
export const CONTACT_ROLES: ContactRole[] = [
  'user',
  'influencer',
  'decider',
  'approver',
  'buyer',
  'gatekeeper',
];
export const CONSENT_CHANNELS: ConsentChannel[] = ['sms', 'email', 'phone', 'wechat', 'mail'];
