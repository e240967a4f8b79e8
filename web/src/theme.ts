import type { ThemeConfig } from 'antd';

// The workspace's Ant Design theme. App.tsx gives it to ConfigProvider; the production build
// (plugins/antdStaticStyles.ts) renders the same theme ahead of time into a CSS file, so the
// two must come from here. `motion` follows the user's "reduce motion" setting (lib/motion.ts).
export function appTheme(motion: boolean): ThemeConfig {
  return { token: { colorPrimary: '#1677ff', motion } };
}
