export { default } from '@contour/vitest-config';
