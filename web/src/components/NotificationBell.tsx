// The header's bell: my unread notifications (escalations, assignments), newest unread first.
import { Badge, Button, Dropdown, Empty, List, Typography } from 'antd';
import { BellOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router-dom';
import { useTranslation } from 'react-i18next';
import { api } from '../api/client';
import { serviceKeys, useNotifications } from '../api/service';
import { formatTimestamp } from '../lib/format';
import { useLang } from '../App';

export default function NotificationBell() {
  const { t } = useTranslation();
  const lang = useLang();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { data } = useNotifications();
  const items = data?.items ?? [];
  const open = async (id: number, complaintId: number | null) => {
    await api.post(`/notifications/${id}/read`);
    await qc.invalidateQueries({ queryKey: serviceKeys.notifications });
    if (complaintId) navigate(`/complaints/${complaintId}`);
  };
  const panel = (
    <div style={{ background: '#fff', width: 380, maxHeight: 420, overflow: 'auto', boxShadow: '0 6px 16px rgba(0,0,0,.12)', borderRadius: 8, padding: 8 }}
      data-testid="notification-list">
      {items.length === 0 ? <Empty description={t('service.noNotifications')} /> : (
        <List
          size="small"
          dataSource={items}
          renderItem={(n) => (
            <List.Item
              style={{ cursor: 'pointer', opacity: n.read ? 0.55 : 1 }}
              onClick={() => void open(n.id, n.complaint_id)}
              data-testid="notification-item"
            >
              <List.Item.Meta
                title={<Typography.Text strong={!n.read}>{n.title}</Typography.Text>}
                description={formatTimestamp(n.created_at, lang)}
              />
            </List.Item>
          )}
        />
      )}
    </div>
  );
  return (
    <Dropdown dropdownRender={() => panel} trigger={['click']}>
      <Badge count={data?.unread ?? 0} size="small" data-testid="notification-count">
        <Button shape="circle" icon={<BellOutlined />} aria-label={t('service.notifications')} data-testid="notification-bell" />
      </Badge>
    </Dropdown>
  );
}
