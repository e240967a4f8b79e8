// The public satisfaction survey (/survey/:token): no sign-in; the signed token is the credential.
import { useEffect, useState } from 'react';
import { useParams } from 'react-router-dom';
import { Button, Card, Form, Input, Rate, Result, Slider, Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError, api } from '../../api/client';
import type { Survey } from '../../api/service';

export default function SurveyPage() {
  const { t } = useTranslation();
  const token = useParams().token ?? '';
  const [survey, setSurvey] = useState<Survey | null>(null);
  const [error, setError] = useState<number | null>(null);
  const [done, setDone] = useState(false);
  useEffect(() => {
    api.get<Survey>(`/surveys/${encodeURIComponent(token)}`).then(setSurvey, (e) =>
      setError(e instanceof ApiError ? e.status : 500));
  }, [token]);
  const shell = (child: React.ReactNode) => (
    <div style={{ maxWidth: 560, margin: '48px auto', padding: 16 }}>{child}</div>
  );
  if (error === 404) return shell(<Result status="warning" title={t('service.survey.invalid')} />);
  if (error) return shell(<Result status="warning" title={t('service.survey.expired')} />);
  if (!survey) return shell(<Spin />);
  if (done) return shell(<Result status="success" title={t('service.survey.thanks')} data-testid="survey-thanks" />);
  if (survey.answered) return shell(<Result status="info" title={t('service.survey.answered')} />);
  return shell(
    <Card title={t('service.survey.title')}>
      <p>{t('service.survey.intro', { number: survey.number })}</p>
      <Form layout="vertical" initialValues={{ csat: 5, nps: 8, comment: '' }}
        onFinish={async (v) => {
          try {
            await api.post(`/surveys/${encodeURIComponent(token)}`, { csat: v.csat, nps: v.nps, comment: v.comment ?? '' });
            setDone(true);
          } catch (e) {
            setError(e instanceof ApiError ? e.status : 500);
          }
        }}>
        <Form.Item name="csat" label={t('service.survey.csat')} rules={[{ required: true }]}><Rate data-testid="survey-csat" /></Form.Item>
        <Form.Item name="nps" label={t('service.survey.nps')}><Slider min={0} max={10} marks={{ 0: '0', 10: '10' }} /></Form.Item>
        <Form.Item name="comment" label={t('service.survey.comment')}><Input.TextArea rows={3} data-testid="survey-comment" /></Form.Item>
        <Button type="primary" htmlType="submit" data-testid="survey-submit">{t('service.survey.submit')}</Button>
      </Form>
    </Card>,
  );
}
