import type { ReactNode } from 'react';
import { Result, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useAuth } from '../../auth';
import type { Role } from '../../api/types';

/** Page frame for admin pages; shows a clear refusal to roles that may not use the page. */
export function AdminPage({ title, extra, roles = ['admin'], children }: {
  title: string; extra?: ReactNode; roles?: Role[]; children: ReactNode;
}) {
  const { t } = useTranslation();
  const { user } = useAuth();
  if (!user || !roles.includes(user.role)) return <Result status="403" title="403" subTitle={t('admin.forbidden')} />;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center' }}>
        <Typography.Title level={3} style={{ margin: 0 }}>{title}</Typography.Title>
        {extra}
      </div>
      {children}
    </Space>
  );
}
