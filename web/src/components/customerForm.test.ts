import { describe, expect, it } from 'vitest';
import dayjs from 'dayjs';
import type { Customer } from '../api/types';
import { diffPatch, fromFormValues, toFormValues } from './customerForm';

const customer: Customer = {
  id: 7, kind: 'person', name: '王小明', family_name: '王', given_name: '小明', gender: 'male',
  birthday: '1990-05-01', birthday_lunar: false, category: 'distributor', lifecycle_stage: 'active',
  relationship_level: 'basic', owner_id: 2, shared_with: [], tags: ['vip-2026'], source_channel: 'web',
  vip: false, external_id: '', organization: '', note: '', address: { province: '浙江', city: '杭州', district: '', street: '' },
  phones: ['+8613812345678'], emails: [], consents: [], custom_fields: {},
  created_at: '2026-11-23T10:36:00.000Z', updated_at: '2026-11-23T10:36:00.000Z', version: 3,
};

describe('customer form conversion', () => {
  it('round-trips a customer without inventing changes', () => {
    const base = fromFormValues(toFormValues(customer));
    expect(diffPatch(base, fromFormValues(toFormValues(customer)))).toEqual({});
    expect(base.birthday).toBe('1990-05-01');
  });

  it('sends only the changed fields', () => {
    const base = fromFormValues(toFormValues(customer));
    const v = toFormValues(customer);
    v.note = '喜欢绿茶';
    v.phones = ['+8613812345678', ' 021-5555 1234 ', ''];
    v.birthday = dayjs('1990-05-02');
    expect(diffPatch(base, fromFormValues(v))).toEqual({
      note: '喜欢绿茶',
      phones: ['+8613812345678', '021-5555 1234'],
      birthday: '1990-05-02',
    });
  });

  it('sends null to clear a birthday and an owner', () => {
    const base = fromFormValues(toFormValues(customer));
    const v = toFormValues(customer);
    v.birthday = null;
    v.owner_id = undefined;
    expect(diffPatch(base, fromFormValues(v))).toEqual({ birthday: null, owner_id: null });
  });
});
