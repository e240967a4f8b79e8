// The customer form's fields, shared by "New customer" and "Edit profile". Field names match
// the API's field paths (phones[0], address.city), so the API's field errors land beside them.
import { Button, Checkbox, Col, DatePicker, Form, Input, InputNumber, Radio, Row, Select, Switch } from 'antd';
import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { useCategories, useCustomFields, useUsers } from '../api/hooks';
import { LIFECYCLE_STAGES, RELATIONSHIP_LEVELS } from '../api/types';
import { useLang } from '../App';
import { enumLabel } from './labels';

export default function CustomerFields() {
  const { t } = useTranslation();
  const lang = useLang();
  const categories = useCategories().data?.items ?? [];
  const users = useUsers().data?.items ?? [];
  const defs = useCustomFields().data?.items ?? [];
  const kind = Form.useWatch('kind');

  return (
    <>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="kind" label={t('customer.kind')}>
            <Radio.Group
              options={[
                { value: 'person', label: t('customer.kinds.person') },
                { value: 'organization', label: t('customer.kinds.organization') },
              ]}
            />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="vip" label={t('customer.vip')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name="name" label={t('customer.name')} rules={[{ required: true, whitespace: true }]}>
        <Input data-testid="customer-name" maxLength={200} />
      </Form.Item>
      {kind !== 'organization' && (
        <Row gutter={16}>
          <Col span={8}>
            <Form.Item name="family_name" label={t('customer.family_name')}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="given_name" label={t('customer.given_name')}>
              <Input />
            </Form.Item>
          </Col>
          <Col span={8}>
            <Form.Item name="gender" label={t('customer.gender')}>
              <Select
                options={(['male', 'female', 'unknown'] as const).map((g) => ({
                  value: g,
                  label: enumLabel('customer.genders', g, t),
                }))}
              />
            </Form.Item>
          </Col>
        </Row>
      )}
      <Form.List name="phones">
        {(fields, { add, remove }) => (
          <Form.Item label={t('customer.phones')} required={false}>
            {fields.map((field, i) => (
              <div key={field.key} style={{ display: 'flex', gap: 8 }}>
                <Form.Item name={field.name} style={{ flex: 1, marginBottom: 8 }}>
                  <Input data-testid={`customer-phone-${i}`} placeholder="138 1234 5678" inputMode="tel" />
                </Form.Item>
                <MinusCircleOutlined onClick={() => remove(field.name)} aria-label="remove phone" />
              </div>
            ))}
            <Button type="dashed" size="small" onClick={() => add('')} icon={<PlusOutlined />}>
              {t('customer.phone')}
            </Button>
          </Form.Item>
        )}
      </Form.List>
      <Form.List name="emails">
        {(fields, { add, remove }) => (
          <Form.Item label={t('customer.emails')}>
            {fields.map((field) => (
              <div key={field.key} style={{ display: 'flex', gap: 8 }}>
                <Form.Item name={field.name} style={{ flex: 1, marginBottom: 8 }}>
                  <Input type="email" />
                </Form.Item>
                <MinusCircleOutlined onClick={() => remove(field.name)} aria-label="remove email" />
              </div>
            ))}
            <Button type="dashed" size="small" onClick={() => add('')} icon={<PlusOutlined />}>
              {t('customer.email')}
            </Button>
          </Form.Item>
        )}
      </Form.List>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="category" label={t('customer.category')}>
            <Select
              allowClear
              options={categories.map((c) => ({ value: c.key, label: lang === 'zh-CN' ? c.name_zh : c.name_en }))}
            />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="lifecycle_stage" label={t('customer.lifecycle_stage')}>
            <Select options={LIFECYCLE_STAGES.map((s) => ({ value: s, label: enumLabel('customer.stages', s, t) }))} />
          </Form.Item>
        </Col>
        <Col span={8}>
          <Form.Item name="relationship_level" label={t('customer.relationship_level')}>
            <Select options={RELATIONSHIP_LEVELS.map((s) => ({ value: s, label: enumLabel('customer.levels', s, t) }))} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="owner_id" label={t('customer.owner')}>
            <Select allowClear showSearch optionFilterProp="label" options={users.map((u) => ({ value: u.id, label: u.display_name }))} />
          </Form.Item>
        </Col>
        <Col span={16}>
          <Form.Item name="tags" label={t('customer.tags')}>
            <Select mode="tags" tokenSeparators={[',', '，']} />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        <Col span={8}>
          <Form.Item name="birthday" label={t('customer.birthday')}>
            <DatePicker style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col span={4}>
          <Form.Item name="birthday_lunar" label=" " valuePropName="checked">
            <Checkbox>{t('customer.birthday_lunar')}</Checkbox>
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="organization" label={t('customer.organization')}>
            <Input />
          </Form.Item>
        </Col>
      </Row>
      <Row gutter={16}>
        {(['province', 'city', 'district'] as const).map((k) => (
          <Col span={8} key={k}>
            <Form.Item name={['address', k]} label={t(`customer.${k}`)}>
              <Input />
            </Form.Item>
          </Col>
        ))}
      </Row>
      <Form.Item name={['address', 'street']} label={t('customer.street')}>
        <Input />
      </Form.Item>
      <Row gutter={16}>
        <Col span={12}>
          <Form.Item name="source_channel" label={t('customer.source_channel')}>
            <Input />
          </Form.Item>
        </Col>
        <Col span={12}>
          <Form.Item name="external_id" label={t('customer.external_id')}>
            <Input />
          </Form.Item>
        </Col>
      </Row>
      {defs.map((d) => (
        <Form.Item
          key={d.key}
          name={['custom_fields', d.key]}
          label={d.label}
          rules={d.required ? [{ required: true }] : []}
          valuePropName={d.type === 'boolean' ? 'checked' : 'value'}
        >
          {d.type === 'number' ? (
            <InputNumber style={{ width: '100%' }} />
          ) : d.type === 'boolean' ? (
            <Switch />
          ) : d.type === 'select' ? (
            <Select allowClear options={d.options.map((o) => ({ value: o, label: o }))} />
          ) : d.type === 'date' ? (
            <Input placeholder="YYYY-MM-DD" />
          ) : (
            <Input />
          )}
        </Form.Item>
      ))}
      <Form.Item name="note" label={t('customer.note')}>
        <Input.TextArea rows={3} />
      </Form.Item>
    </>
  );
}
