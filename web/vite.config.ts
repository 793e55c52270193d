/**
 * Vite config for the dashboard. Root is web/ (this folder), whichever directory vite is started from, so
 * `npx vite web` (dev) and `npx vite build web` (production) both work from the repository root. The
 * build goes to web/dist, which the server serves as static files under `/`; the API lives on the same
 * origin under /api, so in development /api is proxied to a locally running server.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const apiTarget = process.env.STORMWATCH_API ?? 'http://127.0.0.1:8080';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // recharts is most of the bundle; one page, loaded once, so a single ~600 kB chunk is fine.
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: true } },
  },
  preview: {
    proxy: { '/api': { target: apiTarget, changeOrigin: true } },
  },
});
