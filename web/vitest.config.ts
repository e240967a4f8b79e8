import { defineConfig } from 'vitest/config';

// Unit tests cover pure logic (formatting, API error mapping), so no DOM is needed.
export default defineConfig({
  test: { include: ['src/**/*.test.ts', 'plugins/**/*.test.ts'], environment: 'node' },
});
